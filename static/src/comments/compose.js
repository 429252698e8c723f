/**
 * Commenting on a passage: the selection becomes the compose form's quote and anchor (anchors.js), the form
 * posts `comment:create`; Ctrl+Alt+M comments on the selection or opens the thread under the cursor; a
 * click on a highlight opens its thread.
 *
 * `c` is the panel's controller (comments.js): {view, ytext, storyId, s, model, parts, sheet, send,
 * openThread, ranges, showError, hideError}.
 */
import { makeAnchor } from './anchors.js'

export function createComposer (c) {
  const { view, ytext, s, model, parts, sheet } = c
  const { compose, composeText, quoteBox, composeLabel, addButton, status, list, closeButton } = parts
  let pending = null // {start, end, quote, from, to}

  function start () {
    if (!model.can.comment) return false
    const { from, to } = view.state.selection.main
    if (to <= from) {
      c.showError(s('commentSelectFirst'))
      return false
    }
    const quote = view.state.sliceDoc(from, to).slice(0, 500)
    pending = { ...makeAnchor(ytext, from, to), quote, from, to }
    const shown = quote.length > 140 ? `${quote.slice(0, 140)}…` : quote
    quoteBox.textContent = shown
    composeLabel.textContent = s('commentLabel', { quote: shown.length > 40 ? `${shown.slice(0, 40)}…` : shown })
    compose.hidden = false
    c.hideError()
    sheet.set(true)
    composeText.focus()
    return true
  }

  function close (refocus) {
    if (compose.hidden) return
    compose.hidden = true
    composeText.value = ''
    const where = pending
    pending = null
    if (refocus) {
      view.focus()
      if (where) view.dispatch({ selection: { anchor: where.from, head: where.to } })
      if (sheet.phone.matches) sheet.set(false)
    }
  }

  compose.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (!pending) return
    if (!composeText.value.trim()) return composeText.focus()
    const ack = await c.send('comment:create', { story_id: c.storyId, start: pending.start, end: pending.end, quote: pending.quote, body: composeText.value })
    if (ack && ack.ok) {
      compose.hidden = true
      composeText.value = ''
      pending = null
      status.textContent = s('posted')
      c.openThread(ack.comment.id)
    }
  })
  addButton.addEventListener('mousedown', (event) => event.preventDefault()) // keep the editor's selection
  addButton.addEventListener('click', () => start())

  /** Ctrl+Alt+M: comment on the selection, or open the thread under the cursor, or go to the panel. */
  function shortcut () {
    const { from, to } = view.state.selection.main
    if (to > from && model.can.comment) return start()
    const under = c.ranges().find(({ where }) => where.from <= from && from <= where.to)
    if (under) return c.openThread(under.thread.id)
    if (model.available) {
      sheet.set(true)
      ;(list.querySelector('.thread__quote') || (model.can.comment ? null : closeButton))?.focus()
      if (model.can.comment) c.showError(s('commentSelectFirst'))
    }
    return true
  }

  function onEditorClick (event) {
    const mark = event.target instanceof Element ? event.target.closest('[data-comment-id]') : null
    if (!mark) return false
    c.openThread(Number(mark.dataset.commentId), { focus: false })
    return false
  }

  return { start, close, shortcut, onEditorClick }
}
