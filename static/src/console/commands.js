/**
 * The console's commands: `facilitator:command` with an ack (docs/architecture.md, "The path of a
 * facilitator's command"), the clock's and the phases' buttons ([data-command], with data-seconds or
 * data-index), and the confirmation of a jump of more than one phase ([data-confirm-jump] dialog).
 *
 * `k` is the console's controller (console.js): {root, c, socket, workshopId, state, say}.
 */
import { format } from '../strings.js'

const ACK_TIMEOUT = 8000
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
    unlock: c.doneUnlockAll
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
export function bindCommandButtons (k) {
  const jumpDialog = k.root.querySelector('[data-confirm-jump]')
  k.root.addEventListener('click', (event) => {
    const button = event.target.closest('[data-command]')
    if (!button || button.disabled) return
    const { command, done } = commandOf(button, k.state, k.c)
    if (command.action === 'goto' && isFarJump(k.state, command.index)) {
      confirmJump(k, jumpDialog, command.index, button, () => send(k, command, done))
      return
    }
    send(k, command, done)
  })
}

function confirmJump (k, dialog, index, opener, go) {
  const { c } = k
  if (!dialog || typeof dialog.showModal !== 'function') {
    if (window.confirm(format(c.confirmJump, { number: index + 1, title: k.state.agenda[index]?.title || '' }))) go()
    return
  }
  const phase = k.state.agenda[index] || { title: '' }
  dialog.querySelector('[data-confirm-text]').textContent = format(c.confirmJump, { number: index + 1, title: phase.title })
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
