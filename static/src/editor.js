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
import { EditorState, Compartment } from '@codemirror/state'
import { EditorView } from '@codemirror/view'

import { SocketIOProvider } from './sync/provider.js'
import { resolveStrings } from './strings.js'
import { createAwareness } from './editor/awareness.js'
import { contentAttributesFor, editorExtensions } from './editor/extensions.js'
import { createStatus, followWritability } from './editor/state.js'
import { forgetStory, openPersistence, openStory } from './editor/sync.js'
import { createTextEvents } from './editor/text-events.js'
import { followNotKept, showNotKept } from './editor/not-kept.js'

export { SocketIOProvider } from './sync/provider.js'
export { countWords } from './words.js'
export { plumeHighlight } from './editor/highlight.js'

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
 *            strings: object, setWritable: (w: boolean) => void, forget: () => Promise<boolean>,
 *            destroy: () => void}} PlumeEditor
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
  const awareness = createAwareness(doc, user, strings.anonymous)
  const undoManager = new Y.UndoManager(ytext)

  let destroyed = false
  const isDestroyed = () => destroyed
  const { status, report } = createStatus(el, onStatus, isDestroyed)
  const text = createTextEvents({ ytext, onWords, onText, wordsDelay, textDelay, isSynced: () => status.synced, isDestroyed })

  const editability = new Compartment()
  const state = EditorState.create({
    doc: ytext.toString(),
    extensions: editorExtensions({
      ytext,
      awareness,
      undoManager,
      strings,
      contentAttributes: contentAttributesFor(el, strings.editorLabel),
      editability,
      phrases: opts.phrases,
      onDocChanged: text.schedule
    })
  })
  el.classList.add('plume-editor')
  const view = new EditorView({ state, parent: el })

  let persistence = openPersistence(persist, storyId, doc)
  const provider = new SocketIOProvider(socket, doc, storyId, awareness, {
    connect: false,
    localWritable: !!writable,
    ignoreOrigins: persistence ? [persistence] : []
  })
  const writability = followWritability({ provider, view, editability, status, report, writable, onSynced: text.schedule })
  let notKept = null
  if (writable) {
    // A writer's edits that a lock (or a board rule) refused are not kept here either: dropped, reloaded, and said.
    notKept = showNotKept(el, storyId, strings)
    followNotKept({ provider, persistence, storyId, drop: () => provider.destroy() })
  }
  openStory(provider, persistence, { isDestroyed, onLoaded: text.schedule })

  writability.apply()
  text.schedule()

  const editor = {
    el,
    view,
    doc,
    provider,
    awareness,
    undoManager,
    persistence,
    strings,
    /** The notice of what an earlier refusal did not keep (shown above the editor), or null. */
    notKept,
    get status () { return { ...status } },
    /**
     * What the page allows (workshop:state, a plume:writable event). `locked` says the reason is the
     * facilitator's lock, so the status reads "locked" rather than "read only".
     */
    setWritable (w, { locked = false } = {}) {
      writability.setPage(w, locked)
    },
    focus () { view.focus() },
    /** Delete this device's copy of the story (IndexedDB) and keep none from now on; resolves true when gone. */
    forget () {
      const kept = persistence
      persistence = null
      editor.persistence = null
      return forgetStory(storyId, kept)
    },
    destroy () {
      if (destroyed) return
      destroyed = true
      text.cancel()
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
