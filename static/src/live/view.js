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
import { serverOffset } from './clock.js'
import { bindMuteButton, unlockOnGesture } from './chime.js'
import { createBanner } from './banner.js'
import { transitionSentence } from './sentences.js'
import { createTimer } from './timer.js'

/**
 * @param {HTMLElement} root
 * @param {object} t the "live" strings of the page catalogue
 * @returns {{update: (state: object) => void, announce: (text: string) => void, state: () => object|null}}
 */
export function createLiveView (root, t) {
  const q = (selector) => root.querySelector(selector)
  const step = q('[data-phase-step]')
  const title = q('[data-phase-title]')
  const titleCopies = root.querySelectorAll('[data-phase-title-copy]')
  const instructions = q('[data-instructions]')
  const waiting = q('[data-waiting]')
  unlockOnGesture()
  bindMuteButton(q('[data-chime-toggle]'), t)
  let state = null
  let offset = 0
  const announce = createAnnouncer(q('[data-announce]'))
  const timer = createTimer(root, t, announce)
  const renderBanner = createBanner(root, () => state)

  function update (next) {
    if (!next || typeof next !== 'object') return
    const previous = state
    offset = serverOffset(next.server_time)
    state = next
    timer.newState(next, previous)
    setText(step, format(t.phaseOf, { number: next.phase_index + 1, count: next.phase_count }))
    setText(title, next.phase_title)
    titleCopies.forEach((copy) => setText(copy, next.phase_title))
    if (instructions && (!previous || previous.instructions_html !== next.instructions_html)) {
      instructions.innerHTML = next.instructions_html // rendered and sanitised by core/rendering.py
    }
    if (waiting) waiting.hidden = next.status !== 'not_started'
    renderBanner(next, previous)
    timer.render(state, offset)
    const sentence = transitionSentence(next, previous, t, offset)
    if (sentence) announce(sentence)
  }

  setInterval(() => timer.render(state, offset), 250)
  return { update, announce, state: () => state }
}

/** The polite live region ([data-announce]): cleared first, so that the same sentence twice is read twice. */
function createAnnouncer (announcer) {
  let timer = null
  return (text) => {
    if (!announcer || !text) return
    announcer.textContent = ''
    clearTimeout(timer)
    timer = setTimeout(() => { announcer.textContent = text }, 50)
  }
}
