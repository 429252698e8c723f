/**
 * One thread of the panel's list (`li.thread`, data-thread): its quote (a button that opens or folds it),
 * the first comment, the replies and, open, the reply form and the Resolve button; and one comment
 * (`.comment`, data-comment) with its author line, its body and its Edit, Delete, Hide buttons.
 *
 * `c` is the panel's controller (comments.js): {id, s, me, model, parts, send, openThread, render, focusReply}.
 * The controls carry a data-focus key, by which a re-render finds the focused one again (focus.js).
 */
import { el, hexColor, postedAt, sendOnChord, swatch } from '../dom.js'
import { repliesOf } from './model.js'
import { MAX_BODY } from './panel.js'

/** "Ada · Group 1 · 10:42 (edited)" above a comment. */
export function authorLine (comment, s) {
  const author = comment.author || {}
  return el('p', { class: 'comment__author' }, swatch(hexColor(author.color)),
    el('strong', {}, author.name || ''),
    author.group_name ? el('span', { class: 'muted' }, ` · ${author.group_name}`) : null,
    postedAt(comment.created_at),
    comment.edited_at && !comment.deleted ? el('span', { class: 'muted' }, ` (${s('edited')})`) : null)
}
const linkButton = (focus, label, onclick) =>
  el('button', { type: 'button', class: 'button button--small button--link', 'data-focus': focus, onclick }, label)

export function renderComment (c, comment) {
  const { s, model } = c
  const item = el('div', { class: 'comment', 'data-comment': String(comment.id) })
  if (model.editing && model.editing.id === comment.id && !comment.deleted) return editForm(c, item, comment)
  item.append(authorLine(comment, s))
  if (comment.hidden) item.append(el('p', { class: 'comment__note' }, s('hiddenNote')))
  if (comment.deleted) {
    item.append(el('p', { class: 'comment__note' }, s('deleted')))
  } else {
    const body = el('div', { class: 'comment__body' })
    body.innerHTML = comment.html || '' // rendered by the server's one sanitiser (core.rendering)
    item.append(body)
  }
  const actions = el('div', { class: 'comments__actions' })
  const mine = c.me != null && comment.author && comment.author.participant_id === c.me
  if (mine && model.can.comment && !comment.deleted) {
    actions.append(
      linkButton(`edit-${comment.id}`, s('edit'), () => startEdit(c, item, comment)),
      linkButton(`delete-${comment.id}`, s('delete'), () => remove(c, comment)))
  }
  if (model.can.moderate) {
    actions.append(linkButton(`hide-${comment.id}`, s(comment.hidden ? 'show' : 'hide'),
      () => c.send('comment:hide', { comment_id: comment.id, hidden: !comment.hidden })))
  }
  if (actions.childElementCount) item.append(actions)
  return item
}

export function renderThread (c, thread) {
  const { s, model } = c
  const open = thread.id === model.active
  const where = thread._where
  const replies = repliesOf(model, thread.id)
  const li = el('li', { class: `thread${open ? ' thread--open' : ''}${thread.resolved ? ' thread--resolved' : ''}`, 'data-thread': String(thread.id) })
  const quote = el('button', { type: 'button', class: 'thread__quote', 'data-focus': 'quote', 'aria-expanded': String(open), 'aria-label': `${s('open')}: “${thread.quote}”` },
    el('span', { class: where && where.deleted ? 'thread__text thread__text--gone' : 'thread__text' }, `“${thread.quote}”`))
  quote.addEventListener('click', () => c.openThread(open ? null : thread.id, { focus: !open, scroll: !open }))
  li.append(quote)
  if (where && where.deleted) li.append(el('p', { class: 'comment__note' }, s('passageDeleted')))
  li.append(renderComment(c, thread))
  if (thread.resolved) li.append(el('p', { class: 'comment__note' }, s('resolvedBy', { name: thread.resolved_by || '' })))
  if (!open) {
    if (replies.length) li.append(el('p', { class: 'muted thread__replies' }, s(replies.length === 1 ? 'repliesOne' : 'repliesOther', { count: replies.length })))
    return li
  }
  if (replies.length) li.append(el('ol', { class: 'thread__replylist' }, ...replies.map((r) => el('li', {}, renderComment(c, r)))))
  const actions = el('div', { class: 'comments__actions' })
  if (model.can.comment) li.append(replyForm(c, thread))
  if (model.can.resolve) {
    const refocus = () => { const b = c.parts.list.querySelector(`[data-thread="${thread.id}"] .thread__quote`); if (b) b.focus() }
    actions.append(el('button', { type: 'button', class: 'button button--small', 'data-focus': 'resolve', onclick: () => c.send('comment:resolve', { comment_id: thread.id, resolved: !thread.resolved }).then(refocus) }, s(thread.resolved ? 'reopen' : 'resolve')))
  }
  if (actions.childElementCount) li.append(actions)
  return li
}

/** The reply form of an open thread; what is typed survives a re-render (`model.drafts`). */
function replyForm (c, thread) {
  const { s, model } = c
  const replyId = `${c.id}-reply-${thread.id}`
  const text = sendOnChord(el('textarea', { id: replyId, rows: 2, maxlength: MAX_BODY, required: true, 'data-focus': 'reply' }))
  text.value = model.drafts.get(thread.id) || ''
  text.addEventListener('input', () => { if (text.value) model.drafts.set(thread.id, text.value); else model.drafts.delete(thread.id) })
  const form = el('form', { class: 'thread__reply' }, el('label', { for: replyId }, s('replyLabel')), text,
    el('div', { class: 'comments__actions' }, el('button', { type: 'submit', class: 'button button--small button--primary', 'data-focus': 'reply-submit' }, s('replySubmit'))))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (!text.value.trim()) return text.focus()
    const ack = await c.send('comment:reply', { comment_id: thread.id, body: text.value })
    if (ack && ack.ok) {
      model.drafts.delete(thread.id)
      c.render()
      c.focusReply(thread.id)
    }
  })
  return form
}

function startEdit (c, item, comment) {
  c.model.editing = { id: comment.id, value: comment.body }
  editForm(c, item, comment)
  item.querySelector('textarea').focus()
}

/** A comment being edited: its text survives a re-render (`model.editing`). */
function editForm (c, item, comment) {
  const { s, model } = c
  const editId = `${c.id}-edit-${comment.id}`
  const text = sendOnChord(el('textarea', { id: editId, rows: 3, maxlength: MAX_BODY, 'data-focus': `edit-text-${comment.id}` }))
  text.value = model.editing.value
  text.addEventListener('input', () => { if (model.editing) model.editing.value = text.value })
  const form = el('form', { class: 'comment__edit' }, el('label', { for: editId }, s('editLabel')), text,
    el('div', { class: 'comments__actions' },
      el('button', { type: 'submit', class: 'button button--small button--primary', 'data-focus': `edit-save-${comment.id}` }, s('save')),
      el('button', { type: 'button', class: 'button button--small', 'data-focus': `edit-cancel-${comment.id}`, onclick: () => { model.editing = null; c.render() } }, s('cancel'))))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const ack = await c.send('comment:edit', { comment_id: comment.id, body: text.value })
    if (ack && ack.ok) {
      model.editing = null
      c.render()
    }
  })
  item.replaceChildren(form)
  return item
}

async function remove (c, comment) {
  if (!window.confirm(c.s('deleteConfirm'))) return
  await c.send('comment:delete', { comment_id: comment.id })
}
