/**
 * The console's commands: `facilitator:command` with an ack (docs/architecture.md, "The path of a
 * facilitator's command"), the clock's and the phases' buttons ([data-command], with data-seconds or
 * data-index), and the confirmation ([data-confirm-jump] dialog) of a jump of more than one phase and of a
 * "Next phase" that ends the workshop. A second "Next" (or "Previous") within `SETTLE_MS` of the first is
 * absorbed: two clicks 250 ms apart would otherwise move two phases (the second comes with the version the
 * first one's state brought).
 *
 * `k` is the console's controller (console.js): {root, c, socket, workshopId, state, say}.
 */
import { format } from '../strings.js'
import { unlockDone } from './groups.js'

const ACK_TIMEOUT = 8000
const SETTLE_MS = 500 // a double click's two clicks come within it (most systems' double-click time)
const STEPS = new Set(['next', 'previous', 'goto'])
/** Clock actions carry the version of the state they were issued from: a stale one does nothing. */
const CLOCK_ACTIONS = new Set(['start', 'pause', 'resume', 'extend', 'next', 'previous', 'goto'])

/** Send `command`; say `done` once it is stored, or what went wrong. */
export function send (k, command, done) {
  const { c, root, say, state } = k
  if (!k.socket.connected) {
    say(c.noConnection, 'error')
    return
  }
  if (CLOCK_ACTIONS.has(command.action) && state && typeof state.version === 'number') {
    command.version = state.version
  }
  root.setAttribute('aria-busy', 'true')
  k.socket.timeout(ACK_TIMEOUT).emit('facilitator:command', { workshop_id: k.workshopId, ...command }, (err, ack) => {
    root.removeAttribute('aria-busy')
    if (err) return say(c.noConnection, 'error')
    // Issued from a state that had already changed (a double click): nothing happened, say so quietly.
    if (ack && !ack.ok && ack.error && ack.error.code === 'stale') return say(c.stale, 'quiet')
    if (!ack || !ack.ok) return say(format(c.failed, { message: (ack && ack.error && ack.error.message) || '' }), 'error')
    // Stored, but not every participant's screen could be reached yet (the servers' message queue is away).
    if (ack.partial) return say(ack.message || c.done, 'error')
    say(done || c.done)
  })
}

/** A jump from the current phase to `index` that skips a phase (or starts past the first) asks first. */
export function isFarJump (state, index) {
  if (!state) return false
  const from = state.status === 'not_started' ? 0 : state.phase_index
  return Math.abs(index - from) > 1 || (state.status === 'not_started' && index > 0)
}

/** The command of a [data-command] button, and what to say once it is done. */
export function commandOf (button, state, c) {
  const action = button.dataset.command
  const command = { action }
  const DONE = {
    start: c.doneStart,
    pause: c.donePause,
    resume: c.doneResume,
    next: c.donePhase,
    previous: c.donePhase,
    goto: c.donePhase,
    lock: c.doneLockAll,
    unlock: unlockDone(state, c, c.doneUnlockAll)
  }
  let done = DONE[action]
  if (button.dataset.seconds) {
    command.seconds = Number(button.dataset.seconds)
    done = format(c.doneExtend, { minutes: Math.round(command.seconds / 60) })
  }
  if (button.dataset.index) command.index = Number(button.dataset.index)
  const last = state && state.phase_count - 1
  if (action === 'next' && state && state.status !== 'not_started' && state.phase_index === last) done = c.doneFinish
  return { command, done }
}

/** The clicks on the [data-command] buttons. */
/** Whether "Next phase" now ends the workshop (it is pressed on the last phase). */
export function endsWorkshop (state, action) {
  return action === 'next' && !!state && state.status !== 'not_started' && state.status !== 'finished' &&
    state.phase_index === state.phase_count - 1
}

/** Whether a step repeats the last one (`last`: {action, at} in ms) too soon to be meant: a double click.
 * Previous then Next is meant, however quick. */
export function tooSoon (action, last, now) {
  return (action === 'next' || action === 'previous') && action === last.action && now - last.at < SETTLE_MS
}

export function bindCommandButtons (k) {
  const dialog = k.root.querySelector('[data-confirm-jump]')
  let lastStep = { action: null, at: -Infinity }
  k.root.addEventListener('click', (event) => {
    const button = event.target.closest('[data-command]')
    if (!button || button.disabled) return
    const { command, done } = commandOf(button, k.state, k.c)
    if (tooSoon(command.action, lastStep, Date.now())) return
    const go = () => {
      if (STEPS.has(command.action)) lastStep = { action: command.action, at: Date.now() }
      send(k, command, done)
    }
    const { c, state } = k
    if (command.action === 'goto' && isFarJump(state, command.index)) {
      const title = state.agenda[command.index]?.title || ''
      confirm(k, dialog, button, go, [c.confirmJumpTitle, format(c.confirmJump, { number: command.index + 1, title }), c.confirmJumpGo])
    } else if (endsWorkshop(state, command.action)) {
      const title = state.agenda[state.phase_index]?.title || ''
      confirm(k, dialog, button, go, [c.confirmFinishTitle, format(c.confirmFinish, { title }), c.confirmFinishGo])
    } else {
      go()
    }
  })
}

/** Ask [title, text, go label] in the dialog; `go` once confirmed against the state it was asked from. */
function confirm (k, dialog, opener, go, [title, text, goLabel]) {
  const { c } = k
  if (!dialog || typeof dialog.showModal !== 'function') {
    if (window.confirm(text)) go()
    return
  }
  dialog.querySelector('[data-confirm-title]').textContent = title
  dialog.querySelector('[data-confirm-text]').textContent = text
  dialog.querySelector('[data-confirm-go]').textContent = goLabel
  const version = k.state.version
  const onClose = () => {
    dialog.removeEventListener('close', onClose)
    opener.focus()
    // Confirmed against the state it was asked from: a change in between makes the command stale.
    if (dialog.returnValue === 'go' && k.state.version === version) go()
    else if (dialog.returnValue === 'go') k.say(c.stale, 'quiet')
  }
  dialog.returnValue = ''
  dialog.addEventListener('close', onClose)
  dialog.showModal()
  dialog.querySelector('[value="go"]').focus()
}
