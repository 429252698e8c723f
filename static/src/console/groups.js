/**
 * The group cards ([data-group-card][data-group-id]): the lock button ([data-group-lock]) and whether the
 * group may write, as its participants are told ([data-group-lock-state], data-writable, data-writing), the roster ([data-roster], each name draggable, with its presence), and how
 * many are connected ([data-group-presence]).
 *
 * `k` is the console's controller (console.js): {root, c, state, connected, send}.
 */
import { el, swatch } from '../dom.js'
import { format } from '../strings.js'

export function bindGroupLocks (k) {
  k.root.querySelectorAll('[data-group-card]').forEach((card) => {
    card.querySelector('[data-group-lock]').addEventListener('click', () => {
      // A closed editor (locked, or kept closed by the phase) opens; an open one locks.
      const opens = card.dataset.writable !== 'true'
      const group = card.querySelector('.group-card__name').textContent
      const done = opens ? unlockDone(k.state, k.c, format(k.c.doneUnlock, { group })) : format(k.c.doneLock, { group })
      k.send({ action: opens ? 'unlock' : 'lock', group_id: Number(card.dataset.groupId) }, done)
    })
  })
}

/** What an unlock does: `done` while the workshop runs (the editors open, whatever the phase), else nothing yet. */
export function unlockDone (state, c, done) {
  const live = !!state && (state.status === 'running' || state.status === 'paused')
  return live ? done : c.doneUnlockIdle
}

/** The card's word for why its group may write or not (`writing` in docs/protocol.md): what participants get. */
export function writingState (group, c) {
  const words = { phase: c.openState, facilitator: c.openedState, locked: c.lockedState, agenda: c.closedState, not_live: c.notLiveState }
  return words[group.writing] || (group.locked ? c.lockedState : c.openState)
}

function memberItem (k, member) {
  const online = k.connected.has(member.id)
  return el('li', { class: 'roster__member', 'data-member-id': String(member.id), draggable: 'true', 'data-connected': String(online) },
    swatch(member.color),
    el('span', { class: 'roster__name' }, member.name),
    el('span', { class: 'roster__dot', 'aria-hidden': 'true' }),
    el('span', { class: 'visually-hidden' }, online ? k.c.connected : k.c.away),
    el('button', { type: 'button', class: 'roster__rejoin', 'data-rejoin-member': String(member.id), 'aria-label': format(k.c.rejoinFor, { name: member.name }), title: k.c.rejoinLink }, '⤴'))
}

/** Each card as the state has it (its activity noted with `noteActivity`). */
export function renderGroups (k, noteActivity) {
  const { root, c } = k
  for (const group of k.state.groups) {
    const card = root.querySelector(`[data-group-card][data-group-id="${group.id}"]`)
    if (!card) continue
    // The card shows what the group's participants get (`writable`, `writing`), not only the lock.
    const writable = group.writable !== undefined ? !!group.writable : !group.locked
    card.dataset.locked = String(group.locked)
    card.dataset.writable = String(writable)
    card.dataset.writing = group.writing || ''
    const lock = card.querySelector('[data-group-lock]')
    lock.setAttribute('aria-pressed', String(!writable))
    lock.firstChild.textContent = writable ? c.lock : c.unlock
    const pill = card.querySelector('[data-group-lock-state]')
    pill.textContent = writingState(group, c)
    pill.classList.toggle('pill--warn', !writable)
    pill.classList.toggle('pill--ok', writable)
    const roster = card.querySelector('[data-roster]')
    if (group.members.length) roster.replaceChildren(...group.members.map((m) => memberItem(k, m)))
    else roster.replaceChildren(el('li', { class: 'roster__empty muted' }, c.noMembers))
    const online = group.members.filter((m) => k.connected.has(m.id)).length
    const presenceLine = card.querySelector('[data-group-presence]')
    presenceLine.textContent = group.members.length ? format(c.connectedCount, { count: online, total: group.members.length }) : ''
    presenceLine.hidden = !group.members.length
    noteActivity(group.id, group.length, group.last_activity_at)
  }
}
