/**
 * The facilitator's console (templates/workshops/console.html), on its root [data-console].
 *
 * Opens the page's Socket.IO connection as the facilitator of this workshop (`window.plumeSocket`, reused by
 * the editor entry that shows every group's draft read-only), follows `workshop:state`, `presence` and
 * `story:activity`, and sends the controls as `facilitator:command` with an ack.
 *
 * The parts share one controller, `k`: {root, c (the console's strings), t (the live ones), socket,
 * workshopId, lang, state, connected, say, send, findMember}. commands.js (the clock and the phases),
 * controls.js, joining.js (joining and the broadcast), dots.js (the board's dot counts), groups.js, calls.js, group-time.js, move.js, rejoin.js,
 * activity.js, say.js.
 */
import { readJSON } from '../dom.js'
import { connect } from '../socket.js'
import { createLiveView } from '../live/view.js'
import { noteActivity, relativeFormat, renderActivity } from './activity.js'
import { bindCommandButtons, send } from './commands.js'
import { renderAgenda, renderControls } from './controls.js'
import { bindGroupLocks, renderGroups } from './groups.js'
import { bindJoining, renderBroadcast, renderJoining } from './joining.js'
import { bindDots, renderDots } from './dots.js'
import { bindDragAndDrop, bindMoveForm, renderMoveForm } from './move.js'
import { bindCalls, renderCalls } from './calls.js'
import { bindGroupTime, renderGroupTime } from './group-time.js'
import { bindRejoin } from './rejoin.js'
import { createSay } from './say.js'

const ACTIVITY_REFRESH_MS = 15000

export function startConsole (root) {
  const catalogue = readJSON('plume-i18n')
  const t = catalogue.live || {}
  const c = catalogue.console || {}
  const workshopId = Number(root.dataset.workshopId)
  const socket = connect({ auth: { role: 'facilitator', workshop_id: workshopId } })
  window.plumeSocket = socket

  // The console's own closing sentence (the participants' one thanks them).
  const view = createLiveView(root, { ...t, finishedNow: c.doneFinish || t.finishedNow })
  const lang = document.documentElement.lang || undefined
  const k = {
    root,
    c,
    t,
    socket,
    workshopId,
    lang,
    state: readJSON('plume-state', null),
    connected: new Set(readJSON('plume-presence', { connected: [] }).connected || []),
    say: createSay(root.querySelector('[data-feedback]'))
  }
  k.send = (command, done) => send(k, command, done)
  k.findMember = (id) => findMember(k.state, id)
  const activity = new Map() // group id → {length, at}
  const note = (groupId, length, at) => noteActivity(activity, groupId, length, at)
  const clock = { c, lang, relative: relativeFormat(lang) }
  const showActivity = () => renderActivity(root, activity, clock)
  const showGroups = () => {
    renderGroups(k, note)
    showActivity()
  }

  bindCommandButtons(k)
  bindJoining(k)
  bindDots(k)
  bindMoveForm(k)
  bindDragAndDrop(k)
  bindGroupLocks(k)
  bindRejoin(k)
  bindCalls(k)
  bindGroupTime(k)
  const calls = new Map() // group id → called_at, as last shown

  function apply (next) {
    if (!next || next.role !== 'facilitator' || next.workshop_id !== workshopId) return
    k.state = next
    view.update(next)
    renderControls(root, next)
    renderAgenda(root, next)
    renderJoining(k)
    renderDots(k)
    renderBroadcast(root, next)
    showGroups()
    renderCalls(k, calls)
    renderGroupTime(k)
    renderMoveForm(k)
  }
  socket.on('workshop:state', apply)
  socket.on('presence', (payload) => {
    if (!payload || payload.workshop_id !== workshopId) return
    k.connected = new Set(payload.connected || [])
    if (k.state) showGroups()
  })
  socket.on('story:activity', (payload) => {
    if (!payload || typeof payload.group_id !== 'number') return
    note(payload.group_id, payload.length, payload.last_activity_at)
    showActivity()
  })
  followConnection(k)
  setInterval(showActivity, ACTIVITY_REFRESH_MS)
  if (k.state) apply(k.state)
}

function findMember (state, id) {
  for (const group of (state && state.groups) || []) {
    const member = group.members.find((m) => m.id === id)
    if (member) return member
  }
  return null
}

/** data-connection on the root, and a word when the connection is lost and when it is back. */
function followConnection ({ root, socket, say, t }) {
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
}
