/**
 * Margin comments on a story's editor: highlights of the anchored passages (CodeMirror decorations that move
 * with the text), a thread panel in the margin (a bottom sheet on a phone), live over Socket.IO
 * (docs/protocol.md, "Comments and chat").
 *
 *   const comments = attachComments(editor, {socket, storyId, me, strings, groupName})
 *   comments.destroy()
 *
 * Keyboard: Ctrl+Alt+M (also ⌘⌥M on a Mac) in the editor comments on the selection, or opens the thread under the cursor;
 * focus moves into the panel, and Escape there brings it back to the editor, at the passage.
 * The host's wrapper carries data-comments (count of open threads) for tests; `host.plumeComments` is set.
 *
 * The parts: model.js (what is known), panel.js (the frame), list.js and thread.js (the threads),
 * focus.js, compose.js (a new comment, the shortcut), highlights.js (in the editor), wire.js (the socket).
 * They share one controller, `c`, built here.
 */
import { StateEffect } from '@codemirror/state'
import { format } from '../strings.js'
import { createComposer } from './compose.js'
import { focusReply } from './focus.js'
import { clearHighlights, highlightsExtension, showHighlights } from './highlights.js'
import { backToEditor, openThread, renderList } from './list.js'
import { anchoredRanges, createModel } from './model.js'
import { buildPanel, createSheet, hideError, showError } from './panel.js'
import { load, onComment, send } from './wire.js'

let uid = 0

export function attachComments (editor, opts) {
  const { socket, storyId, me = null, strings = {}, groupName = '' } = opts
  const s = (key, values) => format(strings[key] || key, values)
  const { view, doc } = editor
  const host = editor.el
  const id = `comments-${++uid}`
  const model = createModel()
  const c = { socket, storyId, me, strings, s, view, doc, ytext: doc.getText('body'), id, model }
  c.parts = buildPanel(host, { id, s, groupName, onCancel: () => c.composer.close(true) })
  host.plumeComments = null
  c.sheet = createSheet(c.parts)
  const timers = bindControllers(c)
  c.composer = createComposer(c)
  bindPanelKeys(c)
  view.dispatch({ effects: StateEffect.appendConfig.of(highlightsExtension({ onClick: c.composer.onEditorClick, onShortcut: c.composer.shortcut })) })
  const onDocUpdate = () => {
    timers.highlights()
    timers.list()
  }
  doc.on('update', onDocUpdate)

  const reload = () => load(c)
  const onLive = (comment) => onComment(c, comment)
  // Comment events reach sockets that opened the story: list again once it is open, so that nothing made
  // between the first list and the open is missed.
  const onSynced = (synced) => { if (synced) reload() }
  socket.on('comment', onLive)
  socket.on('connect', reload)
  editor.provider.on('synced', onSynced)
  socket.on('workshop:state', reload) // a phase change opens or closes the comments
  if (socket.connected) reload()

  const api = {
    reload,
    get comments () { return [...model.comments.values()] },
    get can () { return { ...model.can } },
    openThread: c.openThread,
    destroy () {
      if (model.destroyed) return
      model.destroyed = true
      timers.clear()
      socket.off('comment', onLive)
      socket.off('connect', reload)
      socket.off('workshop:state', reload)
      editor.provider.off('synced', onSynced)
      doc.off('update', onDocUpdate)
      c.parts.panel.remove()
      c.parts.toggle.remove()
      c.parts.status.remove()
      if (c.parts.wrapper.parentNode) c.parts.wrapper.replaceWith(host)
    }
  }
  host.plumeComments = api
  return api
}

/** The controller's shared actions; returns the debounced refreshes of the highlights and the list. */
function bindControllers (c) {
  const { model, view, doc, ytext, parts } = c
  let highlightTimer = null
  let listTimer = null
  c.showError = (message) => showError(parts, message)
  c.hideError = () => hideError(parts)
  c.send = (event, payload) => send(c, event, payload)
  c.ranges = () => anchoredRanges(model, doc, ytext)
  c.render = () => renderList(c)
  c.openThread = (threadId, options) => openThread(c, threadId, options)
  c.focusReply = (threadId) => focusReply(parts.list, threadId)
  c.highlight = () => {
    highlightTimer = null
    if (!model.destroyed) showHighlights(view, c.ranges(), model.active)
  }
  c.scheduleHighlights = () => {
    if (highlightTimer == null) highlightTimer = setTimeout(c.highlight, 30)
  }
  c.unavailable = () => {
    model.comments.clear()
    parts.list.replaceChildren()
    clearHighlights(view)
  }
  return {
    highlights: c.scheduleHighlights,
    list: () => {
      if (listTimer == null) listTimer = setTimeout(() => { listTimer = null; c.render() }, 200)
    },
    clear: () => {
      clearTimeout(highlightTimer)
      clearTimeout(listTimer)
    }
  }
}

/** The toggle and Close buttons of the sheet; Escape in the panel goes back to the editor. */
function bindPanelKeys (c) {
  const { parts, sheet } = c
  parts.toggle.addEventListener('click', () => {
    sheet.set(!sheet.isOpen())
    if (sheet.isOpen()) (parts.list.querySelector('button') || parts.closeButton).focus()
  })
  parts.closeButton.addEventListener('click', () => {
    sheet.set(false)
    backToEditor(c)
  })
  parts.panel.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return
    event.preventDefault()
    if (!parts.compose.hidden) return c.composer.close(true)
    if (sheet.phone.matches) sheet.set(false)
    backToEditor(c)
  })
}
