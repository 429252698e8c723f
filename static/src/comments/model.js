/**
 * What the comments panel knows, without the DOM: the comments of one story by id (threads and replies),
 * what this socket may do, the thread shown open, a comment being edited and the replies being typed.
 * Pure functions over that model, tested in Node (model.test.mjs).
 */
import { resolveAnchor } from './anchors.js'

export function createModel () {
  return {
    comments: new Map(), // id → comment (threads and replies)
    can: { comment: false, resolve: false, moderate: false },
    available: false, // the server lets this socket see the comments now
    active: null, // thread id shown expanded
    editing: null, // {id, value}: a comment being edited, kept across re-renders
    drafts: new Map(), // thread id → a reply being typed, kept across re-renders
    inFlight: new Set(), // the changes seen while a list is in flight (see `remember`)
    destroyed: false
  }
}

const shown = (model, comment) => !(comment.hidden && !model.can.moderate)

/** The threads this socket may see (a hidden one only for a moderator). */
export const threadsOf = (model) =>
  [...model.comments.values()].filter((c) => c.parent_id == null && shown(model, c))

/** A thread's replies that this socket may see, oldest first. */
export const repliesOf = (model, threadId) =>
  [...model.comments.values()].filter((c) => c.parent_id === threadId && shown(model, c)).sort((a, b) => a.id - b.id)

/** The threads whose passage is still in the text, with where it is (`thread._where` too), in text order. */
export function anchoredRanges (model, doc, ytext) {
  const out = []
  for (const thread of threadsOf(model)) {
    const where = resolveAnchor(doc, ytext, thread)
    thread._where = where
    if (!where || where.deleted || thread.hidden || thread.deleted) continue
    out.push({ thread, where })
  }
  return out.sort((a, b) => a.where.from - b.where.from || a.where.to - b.where.to)
}

/** The threads as the panel lists them: open ones first, then in text order, then by id. */
export function orderedThreads (model, doc, ytext) {
  const far = (t) => (t._where ? t._where.from : 1e12)
  return threadsOf(model).map((t) => { t._where = resolveAnchor(doc, ytext, t); return t })
    .sort((a, b) => (a.resolved - b.resolved) || (far(a) - far(b)) || a.id - b.id)
}

/** The threads still open (not resolved, deleted or hidden). */
export const openCount = (threads) => threads.filter((t) => !t.resolved && !t.deleted && !t.hidden).length

/**
 * Take a comment that arrived (an ack, a `comment` event): noted for every list in flight, then kept, or
 * dropped when it is hidden from this socket (closing its thread if it was open).
 */
export function remember (model, comment) {
  for (const seen of model.inFlight) seen.set(comment.id, comment)
  if (!shown(model, comment)) {
    model.comments.delete(comment.id)
    if (model.active === comment.id) model.active = null
  } else {
    model.comments.set(comment.id, comment)
  }
}

/**
 * A list answer replaces what is known; the changes seen while it was in flight (`since`, filled by
 * `remember`) are applied again on top of it, as it may have been read before them.
 */
export function replaceAll (model, listed, since) {
  model.comments.clear()
  for (const comment of listed) model.comments.set(comment.id, comment)
  for (const comment of since.values()) {
    if (!shown(model, comment)) model.comments.delete(comment.id)
    else model.comments.set(comment.id, comment)
  }
}
