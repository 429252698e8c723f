/**
 * The board's dot counts in the current phase ([data-dots]): whether they are hidden from the participants
 * ([data-dots-state]) and the button that hides or reveals them ([data-dots-toggle], `facilitator:command`
 * `dots`). Shown only in a phase with dot-voting on a board.
 *
 * `k` is the console's controller (console.js): {root, c, state, send}.
 */

const hasVoting = (state) => Boolean(state && state.board && state.board.dots > 0 && state.phase_tool !== 'story')

export function bindDots (k) {
  const toggle = k.root.querySelector('[data-dots-toggle]')
  if (!toggle) return
  toggle.addEventListener('click', () => {
    const hidden = !(k.state && k.state.board && k.state.board.hidden)
    k.send({ action: 'dots', hidden }, hidden ? k.c.dotsHiddenDone : k.c.dotsRevealedDone)
  })
}

export function renderDots (k) {
  const { root, c, state } = k
  const box = root.querySelector('[data-dots]')
  if (!box) return
  box.hidden = !hasVoting(state)
  const hidden = Boolean(state.board && state.board.hidden)
  const pill = box.querySelector('[data-dots-state]')
  pill.textContent = hidden ? c.dotsHidden : c.dotsShown
  pill.classList.toggle('pill--muted', hidden)
  pill.classList.toggle('pill--ok', !hidden)
  const toggle = box.querySelector('[data-dots-toggle]')
  toggle.textContent = hidden ? c.revealDots : c.hideDots
  toggle.setAttribute('aria-pressed', String(hidden))
}
