/**
 * The countdown ([data-timer] > [data-timer-value] + [data-timer-label], copies in [data-timer-copy], the
 * last minute's [data-timer-soon]), its announcements of whole minutes, and the chime once per deadline
 * (`root.dataset.timeUp` names it, `root.dataset.chimes` counts them).
 */
import { setText } from '../dom.js'
import { format } from '../strings.js'
import { formatClock, minuteCrossing, secondsLeft } from './clock.js'
import { chime } from './chime.js'

/** After a new state, the minute that the clock starts in is not announced on its own. */
const QUIET_AFTER_STATE_MS = 3000

/** @returns {{render: (state, offset) => void, newState: (state, previous) => void}} */
export function createTimer (root, t, announce) {
  const value = root.querySelector('[data-timer-value]')
  const label = root.querySelector('[data-timer-label]')
  const timer = root.querySelector('[data-timer]')
  const copies = root.querySelectorAll('[data-timer-copy]')
  const soonNotices = root.querySelectorAll('[data-timer-soon]')
  const chimed = new Set() // "phase:version" of the deadlines already chimed
  let lastLeft = null
  let quietUntil = 0

  /** Once per deadline: the chime, and a mark that tests and styles can read. */
  function timeUp (state) {
    const key = `${state.phase_index}:${state.version}`
    if (chimed.has(key)) return
    chimed.add(key)
    root.dataset.timeUp = key
    root.dataset.chimes = String(Number(root.dataset.chimes || 0) + 1)
    chime()
  }

  function render (state, offset) {
    if (!state || !value) return
    const left = secondsLeft(state, offset)
    const running = state.status === 'running'
    const clock = running || state.status === 'paused' ? formatClock(left) : '–:––'
    setText(value, clock)
    copies.forEach((copy) => setText(copy, clock))
    let text = t.notStarted
    if (running) text = left > 0 ? t.left : t.overtime
    else if (state.status === 'paused') text = t.paused
    else if (state.status === 'finished') text = t.finished
    setText(label, text)
    const soon = running && left > 0 && left <= 60
    if (timer) {
      timer.dataset.status = state.status
      timer.dataset.overtime = String(running && left <= 0)
      timer.dataset.soon = String(soon)
    }
    soonNotices.forEach((notice) => { if (notice.hidden === soon) notice.hidden = !soon })
    if (running && left <= 0 && (state.deadline_reached || (lastLeft != null && lastLeft > 0))) timeUp(state)
    if (running && Date.now() >= quietUntil) {
      const crossing = minuteCrossing(lastLeft, left)
      if (crossing && crossing.timeUp) announce(t.overtime)
      else if (crossing) announce(format(crossing.minutes === 1 ? t.minutesLeftOne : t.minutesLeftOther, { count: crossing.minutes }))
    }
    lastLeft = left
  }

  /** A new state: a page opened after the deadline does not chime for it; a jump is not announced. */
  function newState (next, previous) {
    if (!previous && next.deadline_reached) chimed.add(`${next.phase_index}:${next.version}`)
    lastLeft = null // a new state may jump the clock (extend, goto): no minute announcement for that jump
    quietUntil = Date.now() + QUIET_AFTER_STATE_MS // the transition sentence already says the time left
  }

  return { render, newState }
}
