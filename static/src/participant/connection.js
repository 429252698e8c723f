/**
 * The participant's connection and notices: data-connection on the root (connected, disconnected, error,
 * removed), the notice ([data-notice]) when the facilitator removes them or deletes the workshop, and after a
 * move to another group
 * (the page reloads on the new group's story; the name of the group waits in sessionStorage).
 */
import { format } from '../strings.js'

const MOVED_KEY = 'plume:moved'

/** Show `text` in the page's notice and announce it. */
function notify (root, view, text) {
  const notice = root.querySelector('[data-notice]')
  if (notice) {
    notice.textContent = text
    notice.hidden = false
  }
  view.announce(text)
}

export function followConnection (root, socket, view, t) {
  // Removed by the facilitator, or the workshop deleted: the server says why (in the workshop's language,
  // the page's), closes the connection, and the token opens nothing any more.
  socket.on('participant:removed', (event) => {
    socket.disconnect()
    root.setAttribute('data-connection', 'removed')
    const said = event && typeof event.message === 'string' ? event.message.trim() : ''
    notify(root, view, said || t.removed)
  })
  socket.on('connect_error', () => {
    if (root.getAttribute('data-connection') !== 'removed') root.setAttribute('data-connection', 'error')
  })
  socket.on('connect', () => root.setAttribute('data-connection', 'connected'))
  socket.on('disconnect', () => {
    if (root.getAttribute('data-connection') !== 'removed') root.setAttribute('data-connection', 'disconnected')
  })
}

/** Moved to another group: remember its name for the notice after the reload, and reload. */
export function reloadMoved (groupName) {
  try { sessionStorage.setItem(MOVED_KEY, groupName) } catch { /* private mode: no notice */ }
  window.location.reload()
}

/** After the reload of a move: say which group the participant is in now. */
export function noticeMoved (root, view, t) {
  let moved = null
  try {
    moved = sessionStorage.getItem(MOVED_KEY)
    sessionStorage.removeItem(MOVED_KEY)
  } catch { /* no storage */ }
  if (moved) notify(root, view, format(t.movedTo, { group: moved }))
}
