/**
 * The editor's copies of the story: IndexedDB on this device (`plume-story-<storyId>`, for offline edits)
 * and the server's, over Socket.IO (../sync/provider.js). When the workshop ends, the device's copy is
 * deleted (`forgetStory`).
 */
import { IndexeddbPersistence } from 'y-indexeddb'

/** How long the story waits for IndexedDB before it opens anyway. */
const INDEXEDDB_WAIT_MS = 1500

/** The name of the story's IndexedDB database on this device. */
export const databaseOf = (storyId) => `plume-story-${storyId}`

/**
 * The document's IndexedDB copy, or null (not wanted, or not available). Another tab of this browser that
 * deletes the database (its copy was refused: ./not-kept.js) closes this tab's connection to it: this tab
 * then stops writing there (else each change would throw in the doc's update handlers, and the board and
 * the editor would miss it) and goes on online.
 */
export function openPersistence (persist, storyId, doc) {
  if (!persist || typeof indexedDB === 'undefined') return null
  try {
    const persistence = new IndexeddbPersistence(databaseOf(storyId), doc)
    persistence._db.then((db) => db.addEventListener('versionchange', () => persistence.destroy()), () => {})
    return persistence
  } catch (error) {
    console.warn('plume: no offline storage', error)
    return null
  }
}

/**
 * Load what IndexedDB holds first (offline edits of an earlier visit), then open the story: its step 2
 * carries those edits to the server. IndexedDB that answers late (or never) does not block.
 */
export function openStory (provider, persistence, { isDestroyed, onLoaded }) {
  let connected = false
  const start = () => {
    if (connected || isDestroyed()) return
    connected = true
    provider.connect()
  }
  if (!persistence) return start()
  persistence.whenSynced.then(() => {
    if (isDestroyed()) return
    onLoaded()
    if (connected) provider.resync() // IndexedDB was late: push what it brought
    else start()
  })
  setTimeout(start, INDEXEDDB_WAIT_MS)
}

/**
 * Delete the story's IndexedDB database on this device: through its open persistence when there is one
 * (closed, then deleted), else directly. Resolves true once it is gone (or never was), false when the
 * browser refused.
 */
export function forgetStory (storyId, persistence = null) {
  if (typeof indexedDB === 'undefined') return Promise.resolve(true)
  if (persistence) return persistence.clearData().then(() => true, () => false)
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(databaseOf(storyId))
    request.onsuccess = () => resolve(true)
    request.onerror = () => resolve(false)
    // onblocked: another tab still has it open; it gets the same state and lets go, then onsuccess fires.
  })
}
