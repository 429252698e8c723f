/**
 * The comments' side of the socket (docs/protocol.md, "Comments and chat"): a command with its ack
 * (`send`), the live `comment` event, and the list (`comment:list`) on (re)connect, once the story is open
 * and on each `workshop:state` (a phase change opens or closes the comments).
 *
 * `c` is the panel's controller (comments.js): {socket, storyId, me, strings, s, model, parts, showError,
 * hideError, render, highlight, scheduleHighlights, unavailable}.
 */
import { remember, replaceAll } from './model.js'

const ACK_TIMEOUT = 10000

/** Send a command; its ack's comment is taken in, its refusal shown. Resolves to the ack, or null. */
export function send (c, event, payload) {
  return new Promise((resolve) => {
    c.socket.timeout(ACK_TIMEOUT).emit(event, payload, (err, ack) => {
      if (err || !ack) {
        c.showError(c.strings.errorTimeout || 'Timeout')
        return resolve(null)
      }
      if (!ack.ok) {
        c.showError((ack.error && ack.error.message) || '')
        return resolve(ack)
      }
      c.hideError()
      if (ack.comment) upsert(c, ack.comment)
      resolve(ack)
    })
  })
}

/** Take in a comment of this story and show it. */
export function upsert (c, comment) {
  if (!comment || comment.story_id !== Number(c.storyId)) return
  remember(c.model, comment)
  c.render()
  c.scheduleHighlights()
}

/** The live `comment` event: taken in, and a new one by someone else announced. */
export function onComment (c, comment) {
  if (!comment || comment.story_id !== Number(c.storyId)) return
  const fresh = !c.model.comments.has(comment.id) && !comment.hidden
  upsert(c, comment)
  if (fresh && comment.author && comment.author.participant_id !== c.me) c.parts.status.textContent = c.s('newComment', { name: comment.author.name })
}

/** List the story's comments again: the panel shows them, or hides when the server says no. */
export function load (c) {
  const { model, parts } = c
  const since = new Map()
  model.inFlight.add(since)
  c.socket.timeout(ACK_TIMEOUT).emit('comment:list', { story_id: c.storyId }, (err, ack) => {
    model.inFlight.delete(since)
    if (model.destroyed) return
    if (err || !ack || !ack.ok) {
      model.available = false
      parts.panel.hidden = true
      parts.toggle.hidden = true
      parts.wrapper.dataset.commentsState = ack && ack.error ? ack.error.code : 'unavailable'
      c.unavailable()
      return
    }
    model.available = true
    model.can = { comment: !!ack.can_comment, resolve: !!ack.can_resolve, moderate: !!ack.can_moderate }
    replaceAll(model, ack.comments, since)
    parts.panel.hidden = false
    parts.toggle.hidden = false
    parts.wrapper.dataset.commentsState = model.can.comment ? 'open' : 'read'
    c.render()
    c.highlight()
  })
}
