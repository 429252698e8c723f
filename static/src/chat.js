/**
 * The group chat (docs/protocol.md, "Comments and chat"): history on (re)connect, live messages, an unread
 * badge while the chat is folded or the page hidden, and for a facilitator a choice of group (or all) and
 * a hide button on each message.
 *
 *   mountChat(root, {socket, strings, me, facilitator: false, groups: [{id, name}]})
 *
 * `root` is a <details data-chat> with a <summary>; the log, the form and the badge are built inside.
 */
import { el, hexColor, swatch } from './dom.js'
import { format } from './strings.js'

const MAX = 1000

export function mountChat (root, opts) {
  const { socket, strings = {}, me = null, facilitator = false, groups = [] } = opts
  const s = (key, values) => format(strings[key] || key, values)
  const summary = root.querySelector('summary')
  const badge = el('span', { class: 'chat__badge', hidden: true })
  summary.append(' ', badge)
  const log = el('ol', { class: 'chat__log', 'aria-label': s('chatTitle'), tabindex: '0' })
  const empty = el('p', { class: 'muted chat__empty' }, s('chatEmpty'))
  const announce = el('p', { class: 'visually-hidden', 'aria-live': 'polite' })
  const textId = `chat-text-${Math.random().toString(36).slice(2, 8)}`
  const text = el('textarea', { id: textId, rows: 2, maxlength: MAX, required: true })
  const error = el('p', { class: 'comments__error', role: 'alert', hidden: true })
  const form = el('form', { class: 'chat__form' })
  let target = null
  if (facilitator) {
    const selectId = `${textId}-to`
    target = el('select', { id: selectId },
      el('option', { value: '' }, s('chatAll')),
      ...groups.map((g) => el('option', { value: String(g.id) }, g.name)))
    form.append(el('label', { for: selectId }, s('chatTo')), target)
  }
  form.append(el('label', { for: textId }, s(facilitator ? 'chatLabelFacilitator' : 'chatLabel')), text, error,
    el('div', { class: 'comments__actions' }, el('button', { type: 'submit', class: 'button button--primary button--small' }, s('chatSend'))))
  root.append(el('div', { class: 'chat__body' }, empty, log, form, announce))

  const messages = new Map()
  let unread = 0
  const seen = () => root.open && document.visibilityState !== 'hidden'
  const renderBadge = () => {
    badge.hidden = unread === 0
    badge.textContent = s('chatUnread', { count: unread })
    root.dataset.unread = String(unread)
  }
  const groupName = (id) => (groups.find((g) => g.id === id) || {}).name || ''

  function item (message) {
    const li = el('li', { class: `chat__message${message.hidden ? ' chat__message--hidden' : ''}`, 'data-message': String(message.id) })
    const author = message.author || {}
    const when = message.created_at ? new Date(message.created_at) : null
    li.append(el('p', { class: 'comment__author' }, swatch(hexColor(author.color)),
      el('strong', {}, author.facilitator ? (author.name ? `${author.name} (${s('chatFacilitator')})` : s('chatFacilitator')) : author.name || ''),
      message.group_id == null ? el('span', { class: 'muted' }, ` · ${s('chatEveryone')}`) : facilitator ? el('span', { class: 'muted' }, ` · ${groupName(message.group_id)}`) : null,
      when ? el('time', { class: 'muted', datetime: message.created_at }, ` · ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`) : null))
    const body = el('div', { class: 'comment__body' })
    body.innerHTML = message.html || '' // rendered by the server's one sanitiser (core.rendering)
    li.append(body)
    if (facilitator) {
      const button = el('button', { type: 'button', class: 'button button--small button--link' }, s(message.hidden ? 'show' : 'hide'))
      button.addEventListener('click', () => send('chat:hide', { message_id: message.id, hidden: !message.hidden }))
      li.append(button)
      if (message.hidden) li.append(el('span', { class: 'muted' }, ` ${s('chatHidden')}`))
    }
    return li
  }

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
