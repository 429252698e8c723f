/**
 * The broadcast banner ([data-broadcast] > [data-broadcast-text], an alert) with its dismiss button
 * ([data-broadcast-dismiss]) and its copies for sighted users ([data-broadcast-copy]). A dismissed message
 * stays dismissed until a new one arrives.
 */
import { setText } from '../dom.js'

/** @returns {(next: object, previous: object|null) => void} what to call on each state */
export function createBanner (root, current) {
  const banner = root.querySelector('[data-broadcast]')
  const text = root.querySelector('[data-broadcast] [data-broadcast-text]')
  const dismiss = root.querySelector('[data-broadcast-dismiss]')
  const copies = root.querySelectorAll('[data-broadcast-copy]')
  let dismissedAt = null
  if (dismiss) {
    dismiss.addEventListener('click', () => {
      const state = current()
      if (!state) return
      dismissedAt = state.broadcast_at
      banner.hidden = true
    })
  }
  return (next, previous) => {
    if (!banner) return
    const message = next.broadcast || ''
    copies.forEach((copy) => {
      setText(copy, message)
      copy.hidden = !message
    })
    if (!message) {
      banner.hidden = true
      setText(text, '')
      return
    }
    const isNew = !previous || previous.broadcast_at !== next.broadcast_at || previous.broadcast !== message
    if (!isNew && dismissedAt === next.broadcast_at) return
    if (isNew) dismissedAt = null
    const wasHidden = banner.hidden
    banner.hidden = false
    if (isNew && previous && wasHidden) {
      // The alert region must be in the accessibility tree before its text changes, or nothing is read.
      setText(text, '')
      requestAnimationFrame(() => setText(text, message))
    } else {
      setText(text, message)
    }
  }
}
