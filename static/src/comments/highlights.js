/**
 * The highlights of the commented passages in the editor: CodeMirror mark decorations that move with the
 * text (`cm-comment`, `cm-comment--resolved`, `cm-comment--active`, `data-comment-id`), the click on one and
 * the keyboard shortcut Ctrl+Alt+M (also ⌘⌥M on a Mac).
 */
import { StateEffect, StateField } from '@codemirror/state'
import { Decoration, EditorView, keymap } from '@codemirror/view'

const setRanges = StateEffect.define()

const rangesField = StateField.define({
  create: () => Decoration.none,
  update (decorations, tr) {
    let next = decorations.map(tr.changes)
    for (const effect of tr.effects) if (effect.is(setRanges)) next = effect.value
    return next
  },
  provide: (field) => EditorView.decorations.from(field)
})

/** The extension added to the editor: the highlights, `onClick(event)` and `onShortcut()`. */
export function highlightsExtension ({ onClick, onShortcut }) {
  const run = () => { onShortcut(); return true }
  return [rangesField, EditorView.domEventHandlers({ click: onClick }), keymap.of([{ key: 'Ctrl-Alt-m', run }, { mac: 'Cmd-Alt-m', run }])]
}

/** Mark the `ranges` ({thread, where}, in text order), the `active` thread's as such. */
export function showHighlights (view, ranges, active) {
  const length = view.state.doc.length
  const marks = []
  for (const { thread, where } of ranges) {
    const from = Math.min(where.from, length)
    const to = Math.min(where.to, length)
    if (to <= from) continue
    const classes = ['cm-comment']
    if (thread.resolved) classes.push('cm-comment--resolved')
    if (thread.id === active) classes.push('cm-comment--active')
    marks.push(Decoration.mark({ class: classes.join(' '), attributes: { 'data-comment-id': String(thread.id) } }).range(from, to))
  }
  view.dispatch({ effects: setRanges.of(Decoration.set(marks, true)) })
}

export const clearHighlights = (view) => view.dispatch({ effects: setRanges.of(Decoration.none) })
