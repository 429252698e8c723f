/**
 * The organiser's live overview (templates/consultations/overview.html), on its root [data-overview].
 *
 * Starts from the snapshot rendered into the page (`plume-overview`), opens the page's Socket.IO connection
 * as a facilitator without a workshop, sends `overview:join` (on every connect: the ack carries a fresh
 * snapshot, so a reconnect misses nothing), merges each `overview:workshops` push, and renders at most once
 * a frame, plus once a second for what time alone changes (time left, idle groups, lateness).
 */
import { readJSON } from '../dom.js'
import { format } from '../strings.js'
import { connect } from '../socket.js'
import { mergeRows, totals } from './model.js'
import { render } from './view.js'

const TICK_MS = 1000

export function startOverview (root) {
  const s = readJSON('plume-i18n').overview || {}
  const snapshot = readJSON('plume-overview', { workshops: [] })
  const consultationId = Number(root.dataset.consultationId)
  const limits = { idle_seconds: snapshot.idle_seconds ?? 180, late_seconds: snapshot.late_seconds ?? 300 }
  const rows = new Map()
  const cards = new Map()
  const grid = root.querySelector('[data-grid]')
  const list = root.querySelector('[data-alerts]')
  const status = root.querySelector('[data-link-status]')
  let offset = 0 // server clock − this clock, in ms
  let queued = false

  const now = () => Date.now() + offset
  const syncClock = (serverTime) => {
    const server = Date.parse(serverTime || '')
    if (!Number.isNaN(server)) offset = server - Date.now()
  }
  const draw = () => {
    queued = false
    render({ grid, list, cards, rows, now: now(), limits, s })
    const sums = totals([...rows.values()])
    for (const [key, value] of Object.entries(sums)) {
      const node = root.querySelector(`[data-total="${key}"]`)
      if (node && node.textContent !== String(value)) node.textContent = String(value)
    }
    root.dataset.updates = String(Number(root.dataset.updates || 0) + 1)
  }
  const schedule = () => {
    if (queued) return
    queued = true
    requestAnimationFrame(draw)
  }
  const showStatus = (text, ok) => {
    status.textContent = text
    status.className = `overview__status pill ${ok ? 'pill--ok' : 'pill--warn'}`
    root.dataset.live = ok ? 'true' : 'false'
  }

  syncClock(snapshot.server_time)
  mergeRows(rows, snapshot.workshops)
  draw()

  const socket = connect({ auth: { role: 'facilitator' } })
  window.plumeSocket = socket
  socket.on('connect', () => {
    socket.emit('overview:join', { consultation_id: consultationId }, (ack) => {
      if (!ack || !ack.ok) {
        showStatus(format(s.refused || 'The overview could not be followed: {message}', { message: ack?.error?.message || '' }), false)
        return
      }
      syncClock(ack.overview.server_time)
      mergeRows(rows, ack.overview.workshops)
      showStatus(s.live || 'Live', true)
      schedule()
    })
  })
  socket.on('disconnect', () => showStatus(s.offline || 'Connection lost — reconnecting…', false))
  socket.on('overview:workshops', (message) => {
    if (!message || message.consultation_id !== consultationId) return
    syncClock(message.server_time)
    if (mergeRows(rows, message.workshops)) schedule()
  })
  setInterval(schedule, TICK_MS)
}
