/**
 * The workshop clock on the client, as pure functions (unit-tested with `npm test`).
 *
 * The server sends `deadline` and `server_time` (ISO 8601 UTC) with every `workshop:state`. The client keeps
 * the offset between the server's clock and its own at receipt, and counts down to the deadline on the
 * server's time: right after a reload, and right on a device whose clock is wrong.
 */

/** Milliseconds to add to this device's clock to read the server's. */
export function serverOffset (serverTime, receivedAt = Date.now()) {
  const server = Date.parse(serverTime)
  return Number.isFinite(server) ? server - receivedAt : 0
}

/** Seconds left in the phase (never negative): counted from the deadline when running, frozen when paused. */
export function secondsLeft (state, offset = 0, now = Date.now()) {
  if (!state) return 0
  if (state.status === 'running' && state.deadline) {
    const deadline = Date.parse(state.deadline)
    if (Number.isFinite(deadline)) return Math.max(0, (deadline - (now + offset)) / 1000)
  }
  if (state.status === 'paused' && typeof state.remaining_seconds === 'number') {
    return Math.max(0, state.remaining_seconds)
  }
  return 0
}

/** "12:34", or "1:02:03" past an hour; seconds are rounded up (0.2 s left still shows 0:01). */
export function formatClock (seconds) {
  const total = Math.max(0, Math.ceil(seconds - 1e-9))
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const secs = String(total % 60).padStart(2, '0')
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`
}

/** Whole minutes worth announcing: every minute of the last five, then every five minutes. */
export const worthAnnouncing = (minutes) => minutes > 0 && (minutes <= 5 || minutes % 5 === 0)

/**
 * What a screen reader should hear between two ticks of a running clock: `{minutes}` when the time left
 * crossed a whole minute worth announcing, `{timeUp: true}` when it reached zero, else null.
 */
export function minuteCrossing (before, after) {
  if (before == null || after >= before) return null
  if (before > 0 && after <= 0) return { timeUp: true }
  const crossed = Math.floor(before / 60)
  if (Math.floor(after / 60) < crossed && worthAnnouncing(crossed)) return { minutes: crossed }
  return null
}
