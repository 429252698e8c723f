/**
 * The clock's controls (.controls [data-command]) and the agenda ([data-agenda] [data-phase-index]), as the
 * workshop's state has them: which buttons show, which are enabled, which phase is current and done.
 */

/** The replacement that takes the keyboard focus when a control hides (Pause ↔ Resume, Start → Pause). */
const FOCUS_NEXT = { pause: 'resume', resume: 'pause', start: 'pause' }

/** {action: {hidden, disabled}} of the clock's controls in `state`. */
export function controlStates (state) {
  const status = state.status
  const started = status === 'running' || status === 'paused'
  return {
    start: { hidden: status !== 'not_started', disabled: false },
    pause: { hidden: status === 'paused', disabled: status !== 'running' },
    resume: { hidden: status !== 'paused', disabled: false },
    extend: { hidden: false, disabled: !started },
    previous: { hidden: false, disabled: status === 'not_started' || (status !== 'finished' && state.phase_index === 0) },
    next: { hidden: false, disabled: status === 'finished' }
  }
}

export function renderControls (root, state) {
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('.controls [data-command]')
  for (const [action, { hidden, disabled }] of Object.entries(controlStates(state))) {
    root.querySelectorAll(`.controls [data-command="${action}"]`).forEach((b) => {
      b.hidden = hidden
      b.disabled = disabled
    })
  }
  // The control that had the focus hid: the one that replaces it takes the focus (Pause ↔ Resume).
  if (focused && (focused.hidden || focused.disabled)) {
    const replacement = root.querySelector(`.controls [data-command="${FOCUS_NEXT[focused.dataset.command] || 'next'}"]`)
    if (replacement && !replacement.hidden && !replacement.disabled) replacement.focus()
  }
  const finishedNote = root.querySelector('[data-finished-note]')
  if (finishedNote) finishedNote.hidden = state.status !== 'finished'
}

export function renderAgenda (root, state) {
  root.querySelectorAll('[data-agenda] [data-phase-index]').forEach((item) => {
    const index = Number(item.dataset.phaseIndex)
    const isCurrent = index === state.phase_index && state.status !== 'not_started'
    if (isCurrent) item.setAttribute('aria-current', 'step')
    else item.removeAttribute('aria-current')
    item.dataset.done = String(state.status === 'finished' || (state.status !== 'not_started' && index < state.phase_index))
  })
}
