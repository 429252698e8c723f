/**
 * Passage anchors: a pair of Yjs relative positions (docs/protocol.md, "Anchors"), sent as base64.
 * The start sticks to the passage's first character (assoc 0), the end to its last (assoc -1): text typed
 * just before or just after stays out, text typed inside joins. CodeMirror positions are Y.Text indices.
 */
import * as Y from 'yjs'

export function toBase64 (bytes) {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

export function fromBase64 (text) {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** The anchors of [from, to) in `ytext`, as the wire carries them. */
export function makeAnchor (ytext, from, to) {
  const start = Y.createRelativePositionFromTypeIndex(ytext, from, 0)
  const end = Y.createRelativePositionFromTypeIndex(ytext, to, -1)
  return { start: toBase64(Y.encodeRelativePosition(start)), end: toBase64(Y.encodeRelativePosition(end)) }
}

/**
 * Where a comment's passage stands now: {from, to, deleted}, or null when this document does not know its
 * anchors (yet) or the comment has none (a reply).
 */
export function resolveAnchor (doc, ytext, comment) {
  if (!comment || !comment.start || !comment.end) return null
  try {
    const a = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(comment.start)), doc)
    const b = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(comment.end)), doc)
    if (!a || !b || a.type !== ytext || b.type !== ytext) return null
    return { from: a.index, to: Math.max(a.index, b.index), deleted: b.index <= a.index }
  } catch {
    return null
  }
}
