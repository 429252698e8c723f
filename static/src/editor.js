/**
 * The co-writing editor: CodeMirror 6 + Markdown, bound to the story's Y.Text "body" (y-codemirror.next),
 * synced over Socket.IO (./sync/provider.js), kept in IndexedDB for offline edits.
 *
 *   const editor = mountEditor(el, {socket, storyId, user: {name, color}, writable, strings,
 *                                   onStatus, onWords, onText})
 *   editor.setWritable(false)   // e.g. the facilitator locked the group
 *   editor.destroy()
 *
 * `el.plumeEditor` is set to the returned object (browser tests read
 * `el.plumeEditor.doc.getText('body').toString()`), and `el` carries its state as data attributes:
 * data-connection, data-save, data-synced, data-writable.
 */
import * as Y from 'yjs'
import { Awareness } from 'y-protocols/awareness'
import { IndexeddbPersistence } from 'y-indexeddb'
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next'
import { EditorState, Compartment, Prec } from '@codemirror/state'
import {
  EditorView, keymap, drawSelection, dropCursor, highlightSpecialChars, placeholder as placeholderExt
} from '@codemirror/view'
import { defaultKeymap } from '@codemirror/commands'
import { LanguageSupport, syntaxHighlighting, HighlightStyle } from '@codemirror/language'
import { markdownLanguage, markdownKeymap, pasteURLAsLink } from '@codemirror/lang-markdown'
import { tags as t } from '@lezer/highlight'

import { SocketIOProvider } from './sync/provider.js'
import { resolveStrings } from './strings.js'
import { countWords } from './words.js'
import { accessibleColor, lightColor } from './colors.js'

export { SocketIOProvider } from './sync/provider.js'
export { countWords } from './words.js'

/** Markdown highlighting with AA contrast on the white page (markup characters muted, not hidden). */
export const plumeHighlight = HighlightStyle.define([
  { tag: t.heading1, fontSize: '1.4em', fontWeight: '700' },
  { tag: t.heading2, fontSize: '1.25em', fontWeight: '700' },
  { tag: t.heading3, fontSize: '1.1em', fontWeight: '700' },
  { tag: [t.heading4, t.heading5, t.heading6], fontWeight: '700' },
  { tag: t.strong, fontWeight: '700' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: t.strikethrough, textDecoration: 'line-through' },
  { tag: [t.link, t.url], color: '#9a3412', textDecoration: 'underline' },
  { tag: t.monospace, fontFamily: 'var(--mono, monospace)', color: '#1e3a8a' },
  { tag: t.quote, color: '#4a4540', fontStyle: 'italic' },
  { tag: [t.processingInstruction, t.meta, t.contentSeparator, t.labelName], color: '#5f5850' },
  { tag: t.comment, color: '#5f5850', fontStyle: 'italic' }
])

const markdownSupport = () => new LanguageSupport(markdownLanguage, [
  Prec.high(keymap.of(markdownKeymap)), // Enter continues lists and quotes, Backspace removes markup
  pasteURLAsLink
])

/**
 * Keep what peers put in their awareness state harmless before the cursor plugin renders it: the colour goes
 * into a style attribute, the name into a label.
 */
function sanitizeUser (state, clientId, fallbackName) {
  if (!state || typeof state !== 'object') return
  const user = state.user && typeof state.user === 'object' ? state.user : {}
  const name = typeof user.name === 'string' && user.name.trim() ? user.name.trim().slice(0, 60) : fallbackName
  const color = accessibleColor(user.color, String(clientId))
  state.user = { name, color, colorLight: lightColor(color) }
}

/**
 * @param {HTMLElement} el
 * @param {object} opts
 * @param {import('socket.io-client').Socket} opts.socket
 * @param {string|number} opts.storyId
 * @param {{name?: string, color?: string}} [opts.user]
 * @param {boolean} [opts.writable=true] what the page allows (combined with what the server says)
 * @param {object} [opts.strings] translated UI strings (see ./strings.js for the keys)
 * @param {(status: EditorStatus) => void} [opts.onStatus]
 * @param {(count: number) => void} [opts.onWords] debounced
 * @param {(text: string) => void} [opts.onText] debounced (~400 ms), e.g. for a live preview
 * @param {boolean} [opts.persist=true] keep the doc in IndexedDB (`plume-story-<storyId>`)
 * @param {number} [opts.textDelay=400]
 * @param {number} [opts.wordsDelay=250]
 * @returns {PlumeEditor}
 *
 * @typedef {{connection: string, save: string, writable: boolean, locked: boolean, synced: boolean,
 *            error: null | {code: string, message: string}}} EditorStatus
 * @typedef {{view: EditorView, doc: Y.Doc, provider: SocketIOProvider, awareness: Awareness,
 *            undoManager: Y.UndoManager, persistence: IndexeddbPersistence|null, status: EditorStatus,
 *            strings: object, setWritable: (w: boolean) => void, destroy: () => void}} PlumeEditor
 */
export function mountEditor (el, opts) {
  const {
    socket, storyId, user = {}, writable = true, onStatus, onWords, onText,
    persist = true, textDelay = 400, wordsDelay = 250
  } = opts
  const strings = resolveStrings(opts.strings)
  if (el.plumeEditor) el.plumeEditor.destroy()

  const doc = new Y.Doc()
  const ytext = doc.getText('body')
  const awareness = new Awareness(doc)
  // Registered before the editor's own listeners, so peers' states are cleaned before they are drawn.
  awareness.on('change', ({ added, updated }) => {
    for (const id of added.concat(updated)) {
      if (id !== doc.clientID) sanitizeUser(awareness.getStates().get(id), id, strings.anonymous)
    }
  })
  const me = { user: { name: user.name, color: user.color } }
  sanitizeUser(me, user.name || doc.clientID, strings.anonymous)
  awareness.setLocalStateField('user', me.user)

  const undoManager = new Y.UndoManager(ytext)

  // ---- status ------------------------------------------------------------------------------------
  let pageWritable = !!writable
  let destroyed = false
  const status = {
    connection: 'connecting', save: 'saved', writable: false, locked: false, synced: false, error: null
  }
  const report = () => {
    if (destroyed) return
    el.dataset.connection = status.connection
    el.dataset.save = status.save
    el.dataset.synced = String(status.synced)
    el.dataset.writable = String(status.writable)
    if (onStatus) onStatus({ ...status })
  }

  // ---- the view ----------------------------------------------------------------------------------
  const editability = new Compartment()
  const editabilityFor = (w) => [
    EditorState.readOnly.of(!w),
    EditorView.editable.of(w),
    // Read-only content stays reachable with the keyboard (to read, select and copy).
    EditorView.contentAttributes.of(w ? {} : { tabindex: '0' })
  ]
  const lang = el.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || undefined
  const contentAttributes = {
    'aria-label': strings.editorLabel,
    'aria-multiline': 'true',
    spellcheck: 'true',
    autocorrect: 'on',
    autocapitalize: 'sentences'
  }
  if (lang) contentAttributes.lang = lang

  let textTimer = null
  let wordsTimer = null
  const scheduleText = () => {
    if (onWords) {
      clearTimeout(wordsTimer)
      wordsTimer = setTimeout(() => !destroyed && onWords(countWords(ytext.toString())), wordsDelay)
    }
    if (onText) {
      clearTimeout(textTimer)
      textTimer = setTimeout(() => {
        // Before the first sync an empty doc says nothing: keep the page's server-rendered preview.
        if (destroyed || (!status.synced && ytext.length === 0)) return
        onText(ytext.toString())
      }, textDelay)
    }
  }

  const state = EditorState.create({
    doc: ytext.toString(),
    extensions: [
      highlightSpecialChars(),
      drawSelection(),
      dropCursor(),
      EditorView.lineWrapping,
      markdownSupport(),
      syntaxHighlighting(plumeHighlight),
      placeholderExt(strings.placeholder),
      // Y.UndoManager edits the Y.Text directly, past CodeMirror's readOnly: refuse undo/redo when locked.
      keymap.of([
        ...yUndoManagerKeymap.map((binding) => ({ ...binding, run: (v) => (v.state.readOnly ? true : binding.run(v)) })),
        ...defaultKeymap
      ]),
      yCollab(ytext, awareness, { undoManager }),
      EditorView.contentAttributes.of(contentAttributes),
      editability.of(editabilityFor(false)),
      opts.phrases ? EditorState.phrases.of(opts.phrases) : [],
      EditorView.updateListener.of((update) => {
        if (update.docChanged) scheduleText()
      })
    ]
  })
  el.classList.add('plume-editor')
  const view = new EditorView({ state, parent: el })

  // ---- persistence + sync ------------------------------------------------------------------------
  let persistence = null
  if (persist && typeof indexedDB !== 'undefined') {
    try {
      persistence = new IndexeddbPersistence(`plume-story-${storyId}`, doc)
    } catch (error) {
      console.warn('plume: no offline storage', error)
    }
  }
  const provider = new SocketIOProvider(socket, doc, storyId, awareness, {
    connect: false,
    localWritable: pageWritable,
    ignoreOrigins: persistence ? [persistence] : []
  })

  let pageLocked = false
  let serverLocked = false
  const applyWritable = () => {
    const w = pageWritable && provider.writable !== false
    status.writable = w
    status.locked = !w && (pageLocked || serverLocked)
    provider.setLocalWritable(pageWritable)
    if (view.state.readOnly === w) view.dispatch({ effects: editability.reconfigure(editabilityFor(w)) })
    report()
  }
  provider.on('status', (s) => {
    status.connection = s
    report()
  })
  provider.on('save', (s) => {
    status.save = s
    if (s === 'saved') status.error = null
    report()
  })
  provider.on('synced', (s) => {
    status.synced = s
    if (s) scheduleText()
    report()
  })
  provider.on('writable', (w) => {
    if (w) serverLocked = false
    applyWritable()
  })
  provider.on('error', (error) => {
    if (error.code === 'locked') serverLocked = true
    status.error = { code: error.code, message: error.message || '' }
    applyWritable()
  })

  // Load what IndexedDB holds first (offline edits of an earlier visit), then open the story: its
  // step 2 carries those edits to the server. IndexedDB that answers late (or never) does not block.
  let connected = false
  const start = () => {
    if (connected || destroyed) return
    connected = true
    provider.connect()
  }
  if (persistence) {
    persistence.whenSynced.then(() => {
      if (destroyed) return
      scheduleText()
      if (connected) provider.resync() // IndexedDB was late: push what it brought
      else start()
    })
    setTimeout(start, 1500)
  } else {
    start()
  }

  applyWritable()
  scheduleText()

  const editor = {
    el,
    view,
    doc,
    provider,
    awareness,
    undoManager,
    persistence,
    strings,
    get status () { return { ...status } },
    /**
     * What the page allows (workshop:state, a plume:writable event). `locked` says the reason is the
     * facilitator's lock, so the status reads "locked" rather than "read only".
     */
    setWritable (w, { locked = false } = {}) {
      pageWritable = !!w
      pageLocked = !pageWritable && !!locked
      // The server said no earlier (locked ack, or the open ack): ask again, and push pending edits.
      if (pageWritable && provider.writable === false) provider.resync()
      applyWritable()
    },
    focus () { view.focus() },
    destroy () {
      if (destroyed) return
      destroyed = true
      clearTimeout(textTimer)
      clearTimeout(wordsTimer)
      provider.destroy()
      if (persistence) persistence.destroy()
      view.destroy()
      undoManager.destroy()
      awareness.destroy()
      doc.destroy()
      el.classList.remove('plume-editor')
      if (el.plumeEditor === editor) delete el.plumeEditor
    }
  }
  el.plumeEditor = editor
  return editor
}
