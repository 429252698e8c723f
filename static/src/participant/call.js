/**
 * "Call the facilitator" ([data-call]): the button ([data-call-button]) sends `group:call` for the group; the
 * state's `group.called_at` says whether the group is waiting, shown in [data-call-state] (a live region)
 * until a facilitator answers. Shown while the workshop is live only (a call is refused otherwise).
 */
import { format } from '../strings.js'
import { pageLanguage } from '../dom.js'

const ACK_TIMEOUT = 8000

export function followCall (root, socket, strings) {
  const box = root.querySelector('[data-call]')
  if (!box) return () => {}
  const button = box.querySelector('[data-call-button]')
  const line = box.querySelector('[data-call-state]')
  const say = (text, tone = 'ok') => {
    line.dataset.tone = tone
    if (line.textContent !== text) line.textContent = text
  }
  let groupId = Number(root.dataset.groupId)
  let waiting = null

  button.addEventListener('click', () => {
    if (!socket.connected) return say(strings.noConnection, 'error')
    button.disabled = true
    socket.timeout(ACK_TIMEOUT).emit('group:call', { group_id: groupId }, (err, ack) => {
      if (err) {
        button.disabled = false
        return say(strings.noConnection, 'error')
      }
      if (!ack || !ack.ok) {
        button.disabled = false
        return say(format(strings.failed, { message: (ack && ack.error && ack.error.message) || '' }), 'error')
      }
      show(ack.called_at)
    })
  })

  function show (calledAt) {
    const was = waiting
    waiting = calledAt || null
    box.dataset.called = String(!!waiting)
    button.disabled = !!waiting
    button.setAttribute('aria-pressed', String(!!waiting))
    if (waiting) {
      const time = new Date(waiting).toLocaleTimeString(pageLanguage(), { hour: '2-digit', minute: '2-digit' })
      say(format(strings.called, { time }))
    } else if (was) {
      say(strings.answered)
    }
  }

  return (state) => {
    groupId = state.group.id
    box.hidden = !(state.status === 'running' || state.status === 'paused')
    show(state.group.called_at)
  }
}
