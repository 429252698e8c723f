/**
 * The panel's list of threads: rendered again on each change (the focus kept, focus.js), a thread opened
 * (the panel's sheet open, its passage scrolled to and highlighted), and the way back to the editor.
 *
 * `c` is the panel's controller (comments.js): {s, view, doc, ytext, model, parts, sheet, composer,
 * highlight}.
 */
import { EditorView } from '@codemirror/view'
import { resolveAnchor } from './anchors.js'
import { describeFocus, focusReply, restoreFocus } from './focus.js'
import { openCount, orderedThreads } from './model.js'
import { renderThread } from './thread.js'

export function renderList (c) {
  const { model, parts, s } = c
  if (model.destroyed) return
  const focusKey = describeFocus(parts.list)
  const ordered = orderedThreads(model, c.doc, c.ytext)
  parts.list.replaceChildren(...ordered.map((thread) => renderThread(c, thread)))
  parts.count.textContent = ordered.length ? `(${ordered.length})` : ''
  parts.toggle.textContent = s('commentsToggle', { count: ordered.length })
  parts.wrapper.dataset.comments = String(openCount(ordered))
  parts.empty.hidden = ordered.length > 0
  parts.addButton.hidden = !model.can.comment
  parts.hint.hidden = !model.can.comment
  if (focusKey) restoreFocus(parts.list, focusKey)
}

/** Open a thread (null folds them all): focus its reply box, scroll the list and the editor to it. */
export function openThread (c, threadId, { focus = true, scroll = true } = {}) {
  const { model, parts, view } = c
  model.active = threadId
  c.composer.close(false)
  renderList(c)
  c.highlight()
  if (threadId == null) return
  c.sheet.set(true)
  const thread = parts.list.querySelector(`[data-thread="${threadId}"]`)
  if (thread && scroll) thread.scrollIntoView({ block: 'nearest' })
  if (focus) focusReply(parts.list, threadId)
  const where = model.comments.get(threadId) && model.comments.get(threadId)._where
  if (where && !where.deleted && scroll) view.dispatch({ effects: EditorView.scrollIntoView(where.from, { y: 'center' }) })
}

/** Focus the editor again, the open thread's passage selected. */
export function backToEditor (c) {
  const { model, view } = c
  const thread = model.active != null ? model.comments.get(model.active) : null
  const where = thread && resolveAnchor(c.doc, c.ytext, thread)
  view.focus()
  if (where && !where.deleted) view.dispatch({ selection: { anchor: where.from, head: where.to }, scrollIntoView: true })
}
