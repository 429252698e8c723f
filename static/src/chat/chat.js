/**
 * The group chat (docs/protocol.md, "Comments and chat"): history on (re)connect, live messages, an unread
 * badge while the chat is folded or the page hidden, and for a facilitator a choice of group (or all) and
 * a hide button on each message.
 *
 *   mountChat(root, {socket, strings, me, facilitator: false, groups: [{id, name}]})
 *
 * `root` is a <details data-chat> with a <summary>; the log, the form and the badge are built inside
 * (frame.js), each message by message.js.
 */
import { format, plural } from '../strings.js'
import { buildChat } from './frame.js'
import { messageItem } from './message.js'

export function mountChat (root, opts) {
  const { socket, strings = {}, me = null, facilitator = false, groups = [] } = opts
  const s = (key, values) => format(strings[key] || key, values)
  const { badge, log, empty, announce, text, error, form, target } = buildChat(root, { s, facilitator, groups })

  const messages = new Map()
  let unread = 0
  const seen = () => root.open && document.visibilityState !== 'hidden'
  const renderBadge = () => {
    badge.hidden = unread === 0
    badge.textContent = plural(strings.chatUnread || '{count} new', unread)
    root.dataset.unread = String(unread)
  }
  const groupName = (id) => (groups.find((g) => g.id === id) || {}).name || ''

  const hide = (message) => send('chat:hide', { message_id: message.id, hidden: !message.hidden })
  const item = (message) => messageItem(message, { s, facilitator, groupName, onHide: hide })

  function render () {
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40
    const ordered = [...messages.values()].sort((a, b) => a.id - b.id)
    log.replaceChildren(...ordered.map(item))
    empty.hidden = ordered.length > 0
    if (atBottom) log.scrollTop = log.scrollHeight
  }

  function upsert (message, live) {
    if (!message || typeof message.id !== 'number') return
    if (message.hidden && !facilitator) {
      messages.delete(message.id)
    } else {
      const fresh = !messages.has(message.id)
      messages.set(message.id, message)
      if (live && fresh && !(message.author && message.author.participant_id === me && me != null)) {
        if (!seen()) unread += 1
        announce.textContent = s('chatNew', { name: (message.author && message.author.name) || s('chatFacilitator') })
      }
    }
    render()
    renderBadge()
  }

  function send (event, payload) {
    return new Promise((resolve) => {
      socket.timeout(10000).emit(event, payload, (err, ack) => {
        if (err || !ack || !ack.ok) {
          error.textContent = (ack && ack.error && ack.error.message) || strings.errorTimeout || 'Timeout'
          error.hidden = false
          return resolve(ack || null)
        }
        error.hidden = true
        if (ack.message) upsert(ack.message, false)
        resolve(ack)
      })
    })
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (!text.value.trim()) return text.focus()
    const payload = { body: text.value }
    if (facilitator) payload.group_id = target.value ? Number(target.value) : null
    const ack = await send('chat:send', payload)
    if (ack && ack.ok) {
      text.value = ''
      log.scrollTop = log.scrollHeight
    }
  })
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault()
      form.requestSubmit()
    }
  })

  const markSeen = () => {
    if (!seen()) return
    unread = 0
    renderBadge()
  }
  root.addEventListener('toggle', () => {
    markSeen()
    if (root.open) log.scrollTop = log.scrollHeight
  })
  document.addEventListener('visibilitychange', markSeen)

  function load () {
    socket.timeout(10000).emit('chat:history', {}, (err, ack) => {
      if (err || !ack || !ack.ok) return
      messages.clear()
      for (const message of ack.messages) messages.set(message.id, message)
      render()
      log.scrollTop = log.scrollHeight
    })
  }
  socket.on('chat:message', (message) => upsert(message, true))
  socket.on('connect', load)
  if (socket.connected) load()
  renderBadge()
  return { reload: load, get messages () { return [...messages.values()] } }
}
