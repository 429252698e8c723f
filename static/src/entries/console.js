/**
 * Page entry of the facilitator's console (templates/workshops/console.html).
 *
 * Opens the page's Socket.IO connection as the facilitator of this workshop (`window.plumeSocket`, reused by
 * the editor entry that shows every group's draft read-only), follows `workshop:state`, `presence` and
 * `story:activity`, and sends the controls as `facilitator:command` with an ack.
 */
import { connect } from '../socket.js'
import { format } from '../strings.js'
import { readJSON } from '../dom.js'
import { createLiveView } from '../live/view.js'

const ACK_TIMEOUT = 8000
/** Clock actions carry the version of the state they were issued from: a stale one does nothing. */
const CLOCK_ACTIONS = new Set(['start', 'pause', 'resume', 'extend', 'next', 'previous', 'goto'])
/** The replacement that takes the keyboard focus when a control hides (Pause ↔ Resume, Start → Pause). */
const FOCUS_NEXT = { pause: 'resume', resume: 'pause', start: 'pause' }

function start (root) {
  const catalogue = readJSON('plume-i18n')
  const t = catalogue.live || {}
  const c = catalogue.console || {}
  const workshopId = Number(root.dataset.workshopId)
  const socket = connect({
    auth: { role: 'facilitator', workshop_id: workshopId }
  })
  window.plumeSocket = socket

  // The console's own closing sentence (the participants' one thanks them).
  const view = createLiveView(root, { ...t, finishedNow: c.doneFinish || t.finishedNow })
  const feedback = root.querySelector('[data-feedback]')
  const lang = document.documentElement.lang || undefined
  const relative = typeof Intl !== 'undefined' && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })
    : null
  let state = readJSON('plume-state', null)
  let connected = new Set(readJSON('plume-presence', { connected: [] }).connected || [])
  const activity = new Map() // group id → {length, at}

  let sayTimer = null
  const say = (text, tone = 'ok') => {
    if (!feedback) return
    feedback.dataset.tone = tone
    feedback.textContent = ''
    clearTimeout(sayTimer)
    sayTimer = setTimeout(() => {
      feedback.textContent = text
      // A success fades after a while; an error stays until the next command.
      if (tone !== 'error') sayTimer = setTimeout(() => { feedback.textContent = '' }, 8000)
    }, 30)
  }

  // ---- commands ----------------------------------------------------------------------------------
  function send (command, done) {
    if (!socket.connected) {
      say(c.noConnection, 'error')
      return
    }
    if (CLOCK_ACTIONS.has(command.action) && state && typeof state.version === 'number') {
      command.version = state.version
    }
    root.setAttribute('aria-busy', 'true')
    socket.timeout(ACK_TIMEOUT).emit('facilitator:command', { workshop_id: workshopId, ...command }, (err, ack) => {
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

  root.addEventListener('click', (event) => {
    const button = event.target.closest('[data-command]')
    if (!button || button.disabled) return
    const action = button.dataset.command
    const command = { action }
    let done = DONE[action]
    if (button.dataset.seconds) {
      command.seconds = Number(button.dataset.seconds)
      done = format(c.doneExtend, { minutes: Math.round(command.seconds / 60) })
    }
    if (button.dataset.index) command.index = Number(button.dataset.index)
    const last = state && state.phase_count - 1
    if (action === 'next' && state && state.status !== 'not_started' && state.phase_index === last) done = c.doneFinish
    if (action === 'goto' && isFarJump(command.index)) {
      confirmJump(command.index, button, () => send(command, done))
      return
    }
    send(command, done)
  })

  // ---- a jump of more than one phase asks first -------------------------------------------------
  const jumpDialog = root.querySelector('[data-confirm-jump]')
  const isFarJump = (index) => {
    if (!state) return false
    const from = state.status === 'not_started' ? 0 : state.phase_index
    return Math.abs(index - from) > 1 || (state.status === 'not_started' && index > 0)
  }
  function confirmJump (index, opener, go) {
    if (!jumpDialog || typeof jumpDialog.showModal !== 'function') {
      if (window.confirm(format(c.confirmJump, { number: index + 1, title: state.agenda[index]?.title || '' }))) go()
      return
    }
    const phase = state.agenda[index] || { title: '' }
    jumpDialog.querySelector('[data-confirm-text]').textContent = format(c.confirmJump, { number: index + 1, title: phase.title })
    const version = state.version
    const onClose = () => {
      jumpDialog.removeEventListener('close', onClose)
      opener.focus()
      // Confirmed against the state it was asked from: a change in between makes the command stale.
      if (jumpDialog.returnValue === 'go' && state.version === version) go()
      else if (jumpDialog.returnValue === 'go') say(c.stale, 'quiet')
    }
    jumpDialog.returnValue = ''
    jumpDialog.addEventListener('close', onClose)
    jumpDialog.showModal()
    jumpDialog.querySelector('[value="go"]').focus()
  }

  const joiningToggle = root.querySelector('[data-joining-toggle]')
  if (joiningToggle) {
    joiningToggle.addEventListener('click', () => send({ action: 'joining', open: !(state && state.joining_open) }))
  }

  const broadcastForm = root.querySelector('[data-broadcast-form]')
  if (broadcastForm) {
    const field = broadcastForm.querySelector('textarea')
    broadcastForm.addEventListener('submit', (event) => {
      event.preventDefault()
      const message = field.value.trim()
      if (!message) return field.focus()
      send({ action: 'broadcast', message }, c.broadcastSent)
      field.value = ''
    })
    broadcastForm.querySelector('[data-broadcast-clear]').addEventListener('click', () => {
      send({ action: 'broadcast', message: '' }, c.broadcastCleared)
    })
  }

  const moveForm = root.querySelector('[data-move-form]')
  const moveSearch = root.querySelector('[data-move-search]')
  if (moveForm) {
    moveForm.addEventListener('submit', (event) => {
      event.preventDefault()
      const participant = Number(moveForm.querySelector('[data-move-participant]').value)
      const groupSelect = moveForm.querySelector('[data-move-group]')
      if (!participant || !groupSelect.value) return
      const name = findMember(participant)?.name || ''
      if (groupSelect.value === 'smallest') {
        send({ action: 'move', participant_id: participant, smallest: true }, format(c.movedSmallest, { name }))
        return
      }
      const groupName = groupSelect.selectedOptions[0]?.textContent || ''
      send({ action: 'move', participant_id: participant, group_id: Number(groupSelect.value) }, format(c.movedDone, { name, group: groupName }))
    })
    moveForm.querySelector('[data-remove-participant]')?.addEventListener('click', () => {
      const participant = Number(moveForm.querySelector('[data-move-participant]').value)
      if (!participant) return
      const name = findMember(participant)?.name || ''
      if (!window.confirm(format(c.removeConfirm, { name }))) return
      send({ action: 'remove', participant_id: participant }, format(c.removedDone, { name }))
    })
    moveSearch?.addEventListener('input', () => renderMoveForm())
  }

  // ---- drag a name from one group card to another ------------------------------------------------
  const DRAG_TYPE = 'application/x-plume-participant'
  root.addEventListener('dragstart', (event) => {
    const item = event.target.closest && event.target.closest('[data-member-id]')
    if (!item) return
    event.dataTransfer.setData(DRAG_TYPE, item.dataset.memberId)
    event.dataTransfer.setData('text/plain', item.querySelector('.roster__name')?.textContent || '')
    event.dataTransfer.effectAllowed = 'move'
    root.dataset.dragging = 'true'
  })
  root.addEventListener('dragend', () => {
    delete root.dataset.dragging
    root.querySelectorAll('[data-drop-target]').forEach((card) => delete card.dataset.dropTarget)
  })
  root.querySelectorAll('[data-group-card]').forEach((card) => {
    card.addEventListener('dragover', (event) => {
      if (!event.dataTransfer.types.includes(DRAG_TYPE)) return
      event.preventDefault()
      event.dataTransfer.dropEffect = 'move'
      card.dataset.dropTarget = 'true'
    })
    card.addEventListener('dragleave', (event) => {
      if (!card.contains(event.relatedTarget)) delete card.dataset.dropTarget
    })
    card.addEventListener('drop', (event) => {
      const id = Number(event.dataTransfer.getData(DRAG_TYPE))
      delete card.dataset.dropTarget
      if (!id) return
      event.preventDefault()
      const groupId = Number(card.dataset.groupId)
      const member = findMember(id)
      const from = state.groups.find((g) => g.members.some((m) => m.id === id))
      if (!member || !from || from.id === groupId) return
      const group = card.querySelector('.group-card__name').textContent
      send({ action: 'move', participant_id: id, group_id: groupId }, format(c.movedDone, { name: member.name, group }))
    })
  })

  root.querySelectorAll('[data-group-card]').forEach((card) => {
    card.querySelector('[data-group-lock]').addEventListener('click', () => {
      const locked = card.dataset.locked === 'true'
      const group = card.querySelector('.group-card__name').textContent
      send({ action: locked ? 'unlock' : 'lock', group_id: Number(card.dataset.groupId) }, format(locked ? c.doneUnlock : c.doneLock, { group }))
    })
  })

  // ---- rendering ---------------------------------------------------------------------------------
  const findMember = (id) => {
    for (const group of (state && state.groups) || []) {
      const member = group.members.find((m) => m.id === id)
      if (member) return member
    }
    return null
  }

  function renderControls () {
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('.controls [data-command]')
    const status = state.status
    const started = status === 'running' || status === 'paused'
    const buttons = (action) => root.querySelectorAll(`.controls [data-command="${action}"]`)
    const set = (action, { hidden = false, disabled = false }) => buttons(action).forEach((b) => {
      b.hidden = hidden
      b.disabled = disabled
    })
    set('start', { hidden: status !== 'not_started' })
    set('pause', { hidden: status === 'paused', disabled: status !== 'running' })
    set('resume', { hidden: status !== 'paused' })
    set('extend', { disabled: !started })
    set('previous', { disabled: status === 'not_started' || (status !== 'finished' && state.phase_index === 0) })
    set('next', { disabled: status === 'finished' })
    // The control that had the focus hid: the one that replaces it takes the focus (Pause ↔ Resume).
    if (focused && (focused.hidden || focused.disabled)) {
      const replacement = root.querySelector(`.controls [data-command="${FOCUS_NEXT[focused.dataset.command] || 'next'}"]`)
      if (replacement && !replacement.hidden && !replacement.disabled) replacement.focus()
    }
    const finishedNote = root.querySelector('[data-finished-note]')
    if (finishedNote) finishedNote.hidden = status !== 'finished'
  }

  function renderAgenda () {
    root.querySelectorAll('[data-agenda] [data-phase-index]').forEach((item) => {
      const index = Number(item.dataset.phaseIndex)
      const isCurrent = index === state.phase_index && state.status !== 'not_started'
      if (isCurrent) item.setAttribute('aria-current', 'step')
      else item.removeAttribute('aria-current')
      item.dataset.done = String(state.status === 'finished' || (state.status !== 'not_started' && index < state.phase_index))
    })
  }

  function renderJoining () {
    const pill = root.querySelector('[data-joining-state]')
    if (pill) {
      pill.textContent = state.joining_open ? c.joiningOpen : c.joiningClosed
      pill.classList.toggle('pill--ok', state.joining_open)
      pill.classList.toggle('pill--muted', !state.joining_open)
    }
    if (joiningToggle) {
      joiningToggle.textContent = state.joining_open ? c.closeJoining : c.openJoining
      joiningToggle.setAttribute('aria-pressed', String(!state.joining_open))
    }
  }

  function renderBroadcast () {
    const box = root.querySelector('[data-broadcast-current]')
    if (box) {
      box.hidden = !state.broadcast
      box.querySelector('[data-broadcast-text]').textContent = state.broadcast || ''
    }
    const clear = root.querySelector('[data-broadcast-clear]')
    if (clear) clear.disabled = !state.broadcast
  }

  function memberItem (member) {
    const li = document.createElement('li')
    li.className = 'roster__member'
    li.dataset.memberId = String(member.id)
    li.draggable = true
    const online = connected.has(member.id)
    li.dataset.connected = String(online)
    const swatch = document.createElement('span')
    swatch.className = 'swatch'
    swatch.setAttribute('aria-hidden', 'true')
    swatch.style.setProperty('--swatch', member.color)
    const name = document.createElement('span')
    name.className = 'roster__name'
    name.textContent = member.name
    const dot = document.createElement('span')
    dot.className = 'roster__dot'
    dot.setAttribute('aria-hidden', 'true')
    const status = document.createElement('span')
    status.className = 'visually-hidden'
    status.textContent = online ? c.connected : c.away
    li.append(swatch, name, dot, status)
    return li
  }

  function renderGroups () {
    for (const group of state.groups) {
      const card = root.querySelector(`[data-group-card][data-group-id="${group.id}"]`)
      if (!card) continue
      card.dataset.locked = String(group.locked)
      const lock = card.querySelector('[data-group-lock]')
      lock.setAttribute('aria-pressed', String(group.locked))
      lock.firstChild.textContent = group.locked ? c.unlock : c.lock
      const pill = card.querySelector('[data-group-lock-state]')
      pill.textContent = group.locked ? c.lockedState : c.openState
      pill.classList.toggle('pill--warn', group.locked)
      pill.classList.toggle('pill--ok', !group.locked)
      const roster = card.querySelector('[data-roster]')
      if (group.members.length) {
        roster.replaceChildren(...group.members.map(memberItem))
      } else {
        const empty = document.createElement('li')
        empty.className = 'roster__empty muted'
        empty.textContent = c.noMembers
        roster.replaceChildren(empty)
      }
      const online = group.members.filter((m) => connected.has(m.id)).length
      const presenceLine = card.querySelector('[data-group-presence]')
      presenceLine.textContent = group.members.length ? format(c.connectedCount, { count: online, total: group.members.length }) : ''
      presenceLine.hidden = !group.members.length
      noteActivity(group.id, group.length, group.last_activity_at)
    }
    renderActivity()
  }

  /** Keep the latest of what the state and `story:activity` said about a group's draft. */
  function noteActivity (groupId, length, at) {
    const known = activity.get(groupId)
    const time = (iso) => Date.parse(iso || '') || 0
    if (!known || time(at) >= time(known.at)) activity.set(groupId, { length: length || 0, at: at || null })
  }

  function ago (iso) {
    const when = Date.parse(iso)
    if (!Number.isFinite(when)) return ''
    const seconds = Math.round((when - Date.now()) / 1000)
    if (!relative) return new Date(when).toLocaleTimeString(lang)
    if (Math.abs(seconds) < 60) return relative.format(Math.min(0, seconds), 'second')
    if (Math.abs(seconds) < 3600) return relative.format(Math.round(seconds / 60), 'minute')
    return relative.format(Math.round(seconds / 3600), 'hour')
  }

  function renderActivity () {
    for (const [groupId, info] of activity) {
      const card = root.querySelector(`[data-group-card][data-group-id="${groupId}"]`)
      if (!card) continue
      const length = card.querySelector('[data-story-length]')
      const at = card.querySelector('[data-story-activity]')
      const lengthText = format(c.characters, { count: new Intl.NumberFormat(lang).format(info.length || 0) })
      if (length.textContent !== lengthText) length.textContent = lengthText
      const atText = info.at ? format(c.lastActivity, { time: ago(info.at) }) : c.noActivity
      if (at.textContent !== atText) at.textContent = atText
      const idle = info.at ? (Date.now() - Date.parse(info.at)) / 1000 : Infinity
      card.dataset.idle = String(idle > 300)
    }
  }

  /** Every name with its group ("Ada — Group 1"), sorted by name, filtered by the search field. */
  function renderMoveForm () {
    const select = root.querySelector('[data-move-participant]')
    const groupSelect = root.querySelector('[data-move-group]')
    if (!select) return
    const chosen = select.value
    const query = (moveSearch?.value || '').trim().toLocaleLowerCase(lang)
    const people = state.groups.flatMap((group) => group.members.map((m) => ({ ...m, group: group.name })))
    people.sort((a, b) => a.name.localeCompare(b.name, lang))
    const shown = people.filter((p) => !query || p.name.toLocaleLowerCase(lang).includes(query) || p.group.toLocaleLowerCase(lang).includes(query))
    select.replaceChildren(...shown.map((p) => new Option(format(c.memberInGroup, { name: p.name, group: p.group }), String(p.id))))
    if (chosen && select.querySelector(`option[value="${chosen}"]`)) select.value = chosen
    const count = root.querySelector('[data-move-count]')
    if (count) count.textContent = query ? format(shown.length === 1 ? c.foundOne : c.foundOther, { count: shown.length }) : ''
    const chosenGroup = groupSelect.value
    const smallest = groupSelect.querySelector('option[value="smallest"]')
    groupSelect.replaceChildren(...(smallest ? [smallest] : []), ...state.groups.map((g) => new Option(g.name, String(g.id))))
    if (chosenGroup && groupSelect.querySelector(`option[value="${chosenGroup}"]`)) groupSelect.value = chosenGroup
    moveForm.querySelector('button[type="submit"]').disabled = !select.options.length
    const remove = moveForm.querySelector('[data-remove-participant]')
    if (remove) remove.disabled = !select.options.length
  }

  function apply (next) {
    if (!next || next.role !== 'facilitator' || next.workshop_id !== workshopId) return
    state = next
    view.update(state)
    renderControls()
    renderAgenda()
    renderJoining()
    renderBroadcast()
    renderGroups()
    renderMoveForm()
  }

  socket.on('workshop:state', apply)
  socket.on('presence', (payload) => {
    if (!payload || payload.workshop_id !== workshopId) return
    connected = new Set(payload.connected || [])
    if (state) renderGroups()
  })
  socket.on('story:activity', (payload) => {
    if (!payload || typeof payload.group_id !== 'number') return
    noteActivity(payload.group_id, payload.length, payload.last_activity_at)
    renderActivity()
  })
  let lost = false
  socket.on('connect', () => {
    root.setAttribute('data-connection', 'connected')
    if (lost) say(t.reconnected)
    lost = false
  })
  socket.on('disconnect', () => {
    root.setAttribute('data-connection', 'disconnected')
    lost = true
    say(t.connectionLost, 'error')
  })
  setInterval(renderActivity, 15000)

  if (state) apply(state)
}

const root = document.querySelector('[data-console]')
if (root) start(root)
