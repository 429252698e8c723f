/**
 * What the organiser's overview shows of each workshop, computed from its row (consultations/overview.py)
 * and the server's clock: time left, how far behind its agenda, each group's state, the alerts and the
 * totals. Pure functions: the page calls them every second, the tests in Node.
 */

const LIVE = new Set(['running', 'paused'])

const at = (iso) => (iso ? Date.parse(iso) : NaN)

/** Whether the workshop is under way (started, not finished). */
export const isLive = (row) => LIVE.has(row.status) && !row.ended

/** Seconds left in the current phase (negative once past its deadline), or null when no clock runs. */
export function secondsLeft (row, now) {
  if (row.ended) return null
  if (row.status === 'running' && row.deadline) return (at(row.deadline) - now) / 1000
  if (row.status === 'paused') return row.remaining_seconds ?? null
  return null
}

/** Seconds the running workshop is past its current phase's deadline (0 when on time). */
export function lateSeconds (row, now) {
  const left = secondsLeft(row, now)
  return row.status === 'running' && left != null && left < 0 ? -left : 0
}

/**
 * A group's state: `calling` (it called the facilitator), `empty` (a live workshop, members, nobody
 * connected), `quiet` (nothing written yet), `idle` (no change for `idleSeconds`), else `writing`.
 */
export function groupState (group, row, now, idleSeconds) {
  if (group.called_at && !row.ended) return 'calling'
  if (isLive(row) && group.joined > 0 && group.connected === 0) return 'empty'
  const last = at(group.last_activity_at)
  if (Number.isNaN(last)) return 'quiet'
  return (now - last) / 1000 >= idleSeconds ? 'idle' : 'writing'
}

/** The workshop's alerts: behind its agenda, a group with nobody connected, a group calling. */
export function alertsOf (row, now, limits) {
  const alerts = []
  if (row.ended) return alerts
  const late = lateSeconds(row, now)
  if (late > limits.late_seconds) alerts.push({ kind: 'late', minutes: Math.floor(late / 60) })
  for (const group of row.groups || []) {
    const state = groupState(group, row, now, limits.idle_seconds)
    if (state === 'calling' || state === 'empty') alerts.push({ kind: state, group })
  }
  return alerts
}

/** Merge pushed rows into `rows` (id → row): a row older than the one held is dropped (two workers may push
 * the same workshop; each row carries when it was read, `as_of`), and fields only the first snapshot
 * carries (`console_url`) are kept. Returns whether anything changed. */
export function mergeRows (rows, incoming) {
  let changed = false
  for (const row of incoming || []) {
    if (!row || typeof row.id !== 'number') continue
    const held = rows.get(row.id)
    if (held && at(held.as_of) > at(row.as_of)) continue
    rows.set(row.id, held ? { ...held, ...row } : row)
    changed = true
  }
  return changed
}

/** Totals over the workshops: how many run, participants connected and joined. */
export function totals (rows) {
  let running = 0
  let connected = 0
  let joined = 0
  for (const row of rows) {
    if (isLive(row)) running++
    connected += row.connected || 0
    joined += row.joined || 0
  }
  return { workshops: rows.length, running, connected, joined }
}

/** "12:34" (hours when needed: "1:02:03"), as the console's countdown shows it. */
export function countdown (seconds) {
  const total = Math.max(0, Math.ceil(seconds))
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const secs = String(total % 60).padStart(2, '0')
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`
}
