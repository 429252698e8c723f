/**
 * Joining and the broadcast: the toggle that opens or closes joining ([data-joining-toggle], its state in
 * [data-joining-state]), and the message to every participant ([data-broadcast-form], the current one in
 * [data-broadcast-current], taken down with [data-broadcast-clear]).
 *
 * `k` is the console's controller (console.js): {root, c, state, send}.
 */

export function bindJoining (k) {
  const toggle = k.root.querySelector('[data-joining-toggle]')
  if (toggle) toggle.addEventListener('click', () => k.send({ action: 'joining', open: !(k.state && k.state.joining_open) }))
  const form = k.root.querySelector('[data-broadcast-form]')
  if (!form) return
  const field = form.querySelector('textarea')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const message = field.value.trim()
    if (!message) return field.focus()
    k.send({ action: 'broadcast', message }, k.c.broadcastSent)
    field.value = ''
  })
  form.querySelector('[data-broadcast-clear]').addEventListener('click', () => {
    k.send({ action: 'broadcast', message: '' }, k.c.broadcastCleared)
  })
}

export function renderJoining (k) {
  const { root, c, state } = k
  const pill = root.querySelector('[data-joining-state]')
  if (pill) {
    pill.textContent = state.joining_open ? c.joiningOpen : c.joiningClosed
    pill.classList.toggle('pill--ok', state.joining_open)
    pill.classList.toggle('pill--muted', !state.joining_open)
  }
  const toggle = root.querySelector('[data-joining-toggle]')
  if (toggle) {
    toggle.textContent = state.joining_open ? c.closeJoining : c.openJoining
    toggle.setAttribute('aria-pressed', String(!state.joining_open))
  }
}

export function renderBroadcast (root, state) {
  const box = root.querySelector('[data-broadcast-current]')
  if (box) {
    box.hidden = !state.broadcast
    box.querySelector('[data-broadcast-text]').textContent = state.broadcast || ''
  }
  const clear = root.querySelector('[data-broadcast-clear]')
  if (clear) clear.disabled = !state.broadcast
}
