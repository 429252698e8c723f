/**
 * The participant's connection and notices: data-connection on the root (connected, disconnected, error,
 * removed), the notice ([data-notice]) when the facilitator removes them or deletes the workshop, and after a
 * move to another group (the page reloads on the new group's story; the name of the group waits in
 * sessionStorage). When they were erased, this browser's copies of the drafts (IndexedDB `plume-story-*`) are
 * deleted, not only closed, and the root says so (data-drafts="forgotten").
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
  // Removed or erased by the facilitator, or the workshop deleted: the server says why (in the workshop's
  // language, the page's), closes the connection, and the token opens nothing any more.
  socket.on('participant:removed', (removed) => {
    socket.disconnect()
    root.setAttribute('data-connection', 'removed')
    const said = removed && typeof removed.message === 'string' ? removed.message.trim() : ''
    notify(root, view, said || (removed && removed.erased ? (t.erased || t.removed) : t.removed))
    if (!removed || !removed.erased) return
    // Nothing typed here is kept or sent any more: the editor's status and the right to write go.
    for (const stale of root.querySelectorAll('[data-editor-status], [data-writing-state]')) stale.remove()
    forgetDrafts(document).then(() => root.setAttribute('data-drafts', 'forgotten'))
  })
  socket.on('connect_error', () => {
    if (root.getAttribute('data-connection') !== 'removed') root.setAttribute('data-connection', 'error')
  })
  socket.on('connect', () => root.setAttribute('data-connection', 'connected'))
  socket.on('disconnect', () => {
    if (root.getAttribute('data-connection') !== 'removed') root.setAttribute('data-connection', 'disconnected')
  })
}

const DRAFTS = 'plume-story-'

/**
 * Stop every editor of the page and delete its IndexedDB copy, then any other copy of a story that this
 * browser keeps (`indexedDB.databases()`, where the browser has it). Never throws.
 */
export async function forgetDrafts (page) {
  for (const host of page.querySelectorAll('*')) {
    const editor = host.plumeEditor
    if (!editor) continue
    const persistence = editor.persistence
    editor.destroy()
    try {
      if (persistence) await persistence.clearData()
    } catch (error) {
      console.warn('plume: a draft could not be deleted', error)
    }
  }
  try {
    const known = typeof indexedDB !== 'undefined' && indexedDB.databases ? await indexedDB.databases() : []
    await Promise.all(known.filter((d) => d.name && d.name.startsWith(DRAFTS)).map((d) => deleted(d.name)))
  } catch (error) {
    console.warn('plume: the drafts could not be listed', error)
  }
  try { sessionStorage.clear() } catch { /* no storage */ }
}

function deleted (name) {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = request.onerror = request.onblocked = () => resolve()
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
