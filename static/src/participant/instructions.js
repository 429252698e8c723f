/**
 * The phase's instructions (details.instructions): they open on each new phase; once folded (a phone needs
 * the room to write), they stay folded for that phase, across reloads (sessionStorage).
 */

/** @returns {(state: object, previous: object|null) => void} what to call on each state */
export function followInstructions (root, current) {
  const instructions = root.querySelector('details.instructions')
  const foldKey = (state) => `plume:folded:${root.dataset.workshopId}:${state.phase_index}`
  instructions?.addEventListener('toggle', () => {
    const state = current()
    if (!state) return
    try {
      if (instructions.open) sessionStorage.removeItem(foldKey(state))
      else sessionStorage.setItem(foldKey(state), '1')
    } catch { /* no storage: nothing to remember */ }
  })
  return (state, previous) => {
    if (!instructions || (previous && previous !== state && previous.phase_index === state.phase_index)) return
    let folded = false
    try { folded = sessionStorage.getItem(foldKey(state)) === '1' } catch { /* no storage: open */ }
    instructions.open = !folded
  }
}
