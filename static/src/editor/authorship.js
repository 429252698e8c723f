/**
 * Authorship colours in the live editor (issue 28): each run of text tinted with the colour of the writer whose
 * Yjs client made it, live as people type.
 *
 *   const colours = showAuthorship(editor.view, ytext, { writerOf, onUnknown })
 *   colours.setEnabled(true)   // decorations on; false: off, no work at all
 *   colours.refresh()          // the map of writers changed: draw again
 *
 * `writerOf(client)` answers the writer of a Yjs client id: `{key, name, color}`, `null` for text of nobody's
 * (a facilitator's, a restore's), `undefined` while the client is not known yet (then `onUnknown(client)`).
 *
 * Cheap by construction: the text is read again at most once per `delay` (debounced, and the delay grows
 * with what the last pass cost), only up to the end of what the editor shows (its visible ranges), and it
 * walks Yjs items, not characters (a writer's consecutive keystrokes are one item). Between two passes the
 * decorations follow the edits (mapped through each change). It walks the Y.Text's items, as not-kept.js
 * does: `_start`, `right`, `id.client`, `deleted`, `countable`, `length`.
 */
import { StateEffect } from '@codemirror/state'
import { Decoration, ViewPlugin } from '@codemirror/view'
import { accessibleColor } from '../colors.js'

const DELAY_MS = 150
const MAX_DELAY_MS = 2000
const UNKNOWN = '#6b7280'

/**
 * The runs of `ytext` by Yjs client within `ranges` (sorted `[{from, to}]`, in UTF-16 units as CodeMirror
 * counts), adjacent items of one client joined: `[{from, to, client}]`. Stops after the last range.
 */
export function runsOf (ytext, ranges) {
  const runs = []
  if (!ranges.length) return runs
  const end = ranges[ranges.length - 1].to
  let pos = 0
  let r = 0
  for (let item = ytext._start; item !== null && pos < end; item = item.right) {
    if (item.deleted || !item.countable) continue
    const from = pos
    const to = pos + item.length
    pos = to
    while (r < ranges.length && ranges[r].to <= from) r++
    if (r >= ranges.length) break
    const a = Math.max(from, ranges[r].from)
    const b = Math.min(to, end)
    if (a >= b) continue
    const last = runs[runs.length - 1]
    if (last && last.client === item.id.client && last.to === a) last.to = b
    else runs.push({ from: a, to: b, client: item.id.client })
  }
  return runs
}

/** `color` (any hex) mixed with white: `amount` of it, the rest white, as `#rrggbb`. */
export function tint (color, amount = 0.14) {
  const hex = accessibleColor(color, color).slice(1)
  const mix = [0, 2, 4].map((i) => Math.round(255 - (255 - parseInt(hex.slice(i, i + 2), 16)) * amount))
  return '#' + mix.map((v) => v.toString(16).padStart(2, '0')).join('')
}

/** The mark of one writer: a light tint behind the text and an underline of their colour; their name on hover. */
function markOf (writer, unknownName) {
  const color = writer ? accessibleColor(writer.color, writer.key) : UNKNOWN
  return Decoration.mark({
    class: writer ? 'cm-by' : 'cm-by cm-by--unknown',
    attributes: { style: `--by: ${color}; background-color: ${tint(color)}`, title: writer ? writer.name : unknownName }
  })
}

const redrawn = StateEffect.define()

/**
 * @param {import('@codemirror/view').EditorView} view
 * @param {import('yjs').Text} ytext
 * @param {{writerOf: (client: number) => ({key: string, name: string, color: string}|null|undefined),
 *          onUnknown?: (client: number) => void, unknownName?: string|(() => string), delay?: number}} opts
 */
export function showAuthorship (view, ytext, { writerOf, onUnknown = () => {}, unknownName = '', delay = DELAY_MS }) {
  let enabled = false
  let wait = delay
  let timer = null
  let marks = new Map()
  let plugin = null

  function decorationsNow (v) {
    if (!enabled || ytext.length !== v.state.doc.length) return null // not in step: try again later
    const started = performance.now()
    const ranges = []
    for (const range of runsOf(ytext, v.visibleRanges)) {
      const writer = writerOf(range.client)
      if (writer === undefined) { // not known yet: no colour rather than a wrong one
        onUnknown(range.client)
        continue
      }
      const key = writer ? writer.key + writer.color + writer.name : ''
      if (!marks.has(key)) marks.set(key, markOf(writer, typeof unknownName === 'function' ? unknownName() : unknownName))
      ranges.push(marks.get(key).range(range.from, range.to))
    }
    const spent = performance.now() - started
    wait = Math.min(MAX_DELAY_MS, Math.max(delay, spent * 20)) // at most a twentieth of the time, whatever the text
    return Decoration.set(ranges, true)
  }

  const extension = ViewPlugin.fromClass(class {
    constructor (v) {
      plugin = this
      this.decorations = decorationsNow(v) || Decoration.none
    }

    update (update) {
      if (update.transactions.some((tr) => tr.effects.some((e) => e.is(redrawn)))) {
        const fresh = decorationsNow(update.view)
        if (fresh) { this.decorations = fresh; return }
        if (!enabled) { this.decorations = Decoration.none; return }
        schedule() // the text and the editor were not in step: soon again
      }
      if (!enabled) return
      if (update.docChanged) this.decorations = this.decorations.map(update.changes)
      if (update.docChanged || update.viewportChanged) schedule()
    }

    destroy () {
      clearTimeout(timer)
      timer = null
      if (plugin === this) plugin = null
    }
  }, { decorations: (p) => p.decorations })

  function schedule () {
    if (timer || !enabled) return
    timer = setTimeout(() => {
      timer = null
      if (plugin) view.dispatch({ effects: redrawn.of(null) })
    }, wait)
  }

  view.dispatch({ effects: StateEffect.appendConfig.of(extension) })

  return {
    get enabled () { return enabled },
    setEnabled (on) {
      enabled = !!on
      clearTimeout(timer)
      timer = null
      if (plugin) view.dispatch({ effects: redrawn.of(null) })
    },
    /** The writers changed (names, colours): new marks, drawn now. */
    refresh () {
      marks = new Map()
      if (enabled && plugin) view.dispatch({ effects: redrawn.of(null) })
    }
  }
}
