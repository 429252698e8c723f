/**
 * The editor's status ({connection, save, writable, locked, synced, error}), reported to `onStatus` and on
 * the host as data-connection, data-save, data-synced, data-writable; and whether the text may be written:
 * what the page allows and what the server says (a lock, a refusal).
 */
import { editabilityFor } from './extensions.js'

/** @returns {{status: object, report: () => void}} */
export function createStatus (el, onStatus, isDestroyed) {
  const status = {
    connection: 'connecting', save: 'saved', writable: false, locked: false, synced: false, error: null
  }
  const report = () => {
    if (isDestroyed()) return
    el.dataset.connection = status.connection
    el.dataset.save = status.save
    el.dataset.synced = String(status.synced)
    el.dataset.writable = String(status.writable)
    if (onStatus) onStatus({ ...status })
  }
  return { status, report }
}

/**
 * Follow the provider's news into the status, and keep the view's editability to what the page and the
 * server allow. `onSynced` runs when the story has synced.
 * @returns {{setPage: (writable: boolean, locked: boolean) => void, apply: () => void}}
 */
export function followWritability ({ provider, view, editability, status, report, writable, onSynced }) {
  let pageWritable = !!writable
  let pageLocked = false
  let serverLocked = false
  const apply = () => {
    const w = pageWritable && provider.writable !== false
    status.writable = w
    status.locked = !w && (pageLocked || serverLocked)
    provider.setLocalWritable(pageWritable)
    if (view.state.readOnly === w) view.dispatch({ effects: editability.reconfigure(editabilityFor(w)) })
    report()
  }
  provider.on('status', (s) => {
    status.connection = s
    report()
  })
  provider.on('save', (s) => {
    status.save = s
    if (s === 'saved') status.error = null
    report()
  })
  provider.on('synced', (s) => {
    status.synced = s
    if (s) onSynced()
    report()
  })
  provider.on('writable', (w) => {
    if (w) serverLocked = false
    apply()
  })
  provider.on('error', (error) => {
    if (error.code === 'locked') serverLocked = true
    status.error = { code: error.code, message: error.message || '' }
    apply()
  })
  const setPage = (w, locked) => {
    pageWritable = !!w
    pageLocked = !pageWritable && !!locked
    // The server said no earlier (locked ack, or the open ack): ask again, and push pending edits.
    if (pageWritable && provider.writable === false) provider.resync()
    apply()
  }
  return { setPage, apply, get pageWritable () { return pageWritable } }
}
