/**
 * The live part shared by the participant view and the console: phase heading, instructions, countdown,
 * broadcast banner and the polite announcements for screen readers.
 *
 * Hooks inside `root`: [data-phase-step], [data-phase-title], [data-instructions] (HTML rendered and sanitised
 * by the server), [data-waiting], [data-timer] > [data-timer-value] + [data-timer-label], [data-announce]
 * (aria-live polite), [data-broadcast] > [data-broadcast-text] with a [data-broadcast-dismiss] button.
 * Copies for sighted users only (aria-hidden, e.g. a sticky strip) use [data-phase-title-copy],
 * [data-timer-copy] and [data-broadcast-copy]. [data-timer-soon] shows in the last minute; at the deadline
 * the page chimes once (unless muted, [data-chime-toggle]) and `root.dataset.timeUp` names the phase.
 */
import { setText } from '../dom.js'
import { format } from '../strings.js'
import { formatClock, minuteCrossing, secondsLeft, serverOffset } from './clock.js'
import { bindMuteButton, chime, unlockOnGesture } from './chime.js'

/** After a new state, the minute that the clock starts in is not announced on its own. */
const QUIET_AFTER_STATE_MS = 3000

/**
 * @param {HTMLElement} root
 * @param {object} t the "live" strings of the page catalogue
 * @returns {{update: (state: object) => void, announce: (text: string) => void, state: () => object|null}}
 */
export function createLiveView (root, t) {
  const q = (selector) => root.querySelector(selector)
  const el = {
    step: q('[data-phase-step]'),
    title: q('[data-phase-title]'),
    instructions: q('[data-instructions]'),
    waiting: q('[data-waiting]'),
    timer: q('[data-timer]'),
    value: q('[data-timer-value]'),
    label: q('[data-timer-label]'),
    announcer: q('[data-announce]'),
    banner: q('[data-broadcast]'),
    bannerText: q('[data-broadcast] [data-broadcast-text]'),
    dismiss: q('[data-broadcast-dismiss]'),
    titleCopies: root.querySelectorAll('[data-phase-title-copy]'),
    timerCopies: root.querySelectorAll('[data-timer-copy]'),
    broadcastCopies: root.querySelectorAll('[data-broadcast-copy]'),
    soon: root.querySelectorAll('[data-timer-soon]')
  }
  const chimed = new Set() // "phase:version" of the deadlines already chimed
  unlockOnGesture()
  bindMuteButton(q('[data-chime-toggle]'), t)

  /** Once per deadline: the chime, and a mark that tests and styles can read. */
  function timeUp () {
    const key = `${state.phase_index}:${state.version}`
    if (chimed.has(key)) return
    chimed.add(key)
    root.dataset.timeUp = key
    root.dataset.chimes = String(Number(root.dataset.chimes || 0) + 1)
    chime()
  }
  let state = null
  let offset = 0
  let lastLeft = null
  let dismissedAt = null
  let announceTimer = null
  let quietUntil = 0

  function announce (text) {
    if (!el.announcer || !text) return
    // Clear first, so that the same sentence twice is announced twice.
    el.announcer.textContent = ''
    clearTimeout(announceTimer)
    announceTimer = setTimeout(() => { el.announcer.textContent = text }, 50)
  }

  function timeText (seconds) {
    if (seconds >= 3600) {
      const minutes = Math.round(seconds / 60)
      return format(t.hours, { hours: Math.floor(minutes / 60), minutes: minutes % 60 })
    }
    return formatClock(seconds)
  }

  function renderClock () {
    if (!state || !el.value) return
    const left = secondsLeft(state, offset)
    const live = state.status === 'running' || state.status === 'paused'
    const clock = live ? formatClock(left) : '–:––'
    setText(el.value, clock)
    el.timerCopies.forEach((copy) => setText(copy, clock))
    let label = t.notStarted
    if (state.status === 'running') label = left > 0 ? t.left : t.overtime
    else if (state.status === 'paused') label = t.paused
    else if (state.status === 'finished') label = t.finished
    setText(el.label, label)
    if (el.timer) {
      el.timer.dataset.status = state.status
      el.timer.dataset.overtime = String(state.status === 'running' && left <= 0)
      el.timer.dataset.soon = String(state.status === 'running' && left > 0 && left <= 60)
    }
    const soon = state.status === 'running' && left > 0 && left <= 60
    el.soon.forEach((notice) => { if (notice.hidden === soon) notice.hidden = !soon })
    if (state.status === 'running' && left <= 0 && (state.deadline_reached || (lastLeft != null && lastLeft > 0))) {
      timeUp()
    }
    if (state.status === 'running' && Date.now() >= quietUntil) {
      const crossing = minuteCrossing(lastLeft, left)
      if (crossing && crossing.timeUp) announce(t.overtime)
      else if (crossing) announce(format(crossing.minutes === 1 ? t.minutesLeftOne : t.minutesLeftOther, { count: crossing.minutes }))
    }
    lastLeft = left
  }

  function renderBanner (next, previous) {
    if (!el.banner) return
    const message = next.broadcast || ''
    el.broadcastCopies.forEach((copy) => {
      setText(copy, message)
      copy.hidden = !message
    })
    if (!message) {
      el.banner.hidden = true
      setText(el.bannerText, '')
      return
    }
    const isNew = !previous || previous.broadcast_at !== next.broadcast_at || previous.broadcast !== message
    if (!isNew && dismissedAt === next.broadcast_at) return
    if (isNew) dismissedAt = null
    const wasHidden = el.banner.hidden
    el.banner.hidden = false
    if (isNew && previous && wasHidden) {
      // The alert region must be in the accessibility tree before its text changes, or nothing is read.
      setText(el.bannerText, '')
      requestAnimationFrame(() => setText(el.bannerText, message))
    } else {
      setText(el.bannerText, message)
    }
  }

  function transition (next, previous) {
    if (!previous) return null
    const left = timeText(secondsLeft(next, offset))
    if (next.status === 'finished' && previous.status !== 'finished') return t.finishedNow
    if (next.status === 'paused' && previous.status !== 'paused') return t.pausedNow
    if (next.status === 'running' && (previous.status !== 'running' || previous.phase_index !== next.phase_index)) {
      if (previous.status === 'paused' && previous.phase_index === next.phase_index) return t.resumedNow
      return format(t.phaseNow, { title: next.phase_title, time: left })
    }
    return null
  }

  function update (next) {
    if (!next || typeof next !== 'object') return
    const previous = state
    offset = serverOffset(next.server_time)
    state = next
    // A page opened after the deadline does not chime for it.
    if (!previous && next.deadline_reached) chimed.add(`${next.phase_index}:${next.version}`)
    setText(el.step, format(t.phaseOf, { number: next.phase_index + 1, count: next.phase_count }))
    setText(el.title, next.phase_title)
    el.titleCopies.forEach((copy) => setText(copy, next.phase_title))
    if (el.instructions && (!previous || previous.instructions_html !== next.instructions_html)) {
      el.instructions.innerHTML = next.instructions_html // rendered and sanitised by core/rendering.py
    }
    if (el.waiting) el.waiting.hidden = next.status !== 'not_started'
    renderBanner(next, previous)
    lastLeft = null // a new state may jump the clock (extend, goto): no minute announcement for that jump
    quietUntil = Date.now() + QUIET_AFTER_STATE_MS // the transition sentence already says the time left
    renderClock()
    const sentence = transition(next, previous)
    if (sentence) announce(sentence)
  }

  if (el.dismiss) {
    el.dismiss.addEventListener('click', () => {
      if (!state) return
      dismissedAt = state.broadcast_at
      el.banner.hidden = true
    })
  }
  setInterval(renderClock, 250)

  return { update, announce, state: () => state }
}
