/**
 * The group cards ([data-group-card][data-group-id]): the lock button ([data-group-lock]) and its state
 * ([data-group-lock-state]), the roster ([data-roster], each name draggable, with its presence), and how
 * many are connected ([data-group-presence]).
 *
 * `k` is the console's controller (console.js): {root, c, state, connected, send}.
 */
import { el, swatch } from '../dom.js'
import { format } from '../strings.js'

export function bindGroupLocks (k) {
  k.root.querySelectorAll('[data-group-card]').forEach((card) => {
    card.querySelector('[data-group-lock]').addEventListener('click', () => {
      const locked = card.dataset.locked === 'true'
      const group = card.querySelector('.group-card__name').textContent
      k.send({ action: locked ? 'unlock' : 'lock', group_id: Number(card.dataset.groupId) }, format(locked ? k.c.doneUnlock : k.c.doneLock, { group }))
    })
  })
}

function memberItem (k, member) {
  const online = k.connected.has(member.id)
  return el('li', { class: 'roster__member', 'data-member-id': String(member.id), draggable: 'true', 'data-connected': String(online) },
    swatch(member.color),
    el('span', { class: 'roster__name' }, member.name),
    el('span', { class: 'roster__dot', 'aria-hidden': 'true' }),
    el('span', { class: 'visually-hidden' }, online ? k.c.connected : k.c.away))
}

/** Each card as the state has it (its activity noted with `noteActivity`). */
export function renderGroups (k, noteActivity) {
  const { root, c } = k
  for (const group of k.state.groups) {
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
    if (group.members.length) roster.replaceChildren(...group.members.map((m) => memberItem(k, m)))
    else roster.replaceChildren(el('li', { class: 'roster__empty muted' }, c.noMembers))
    const online = group.members.filter((m) => k.connected.has(m.id)).length
    const presenceLine = card.querySelector('[data-group-presence]')
    presenceLine.textContent = group.members.length ? format(c.connectedCount, { count: online, total: group.members.length }) : ''
    presenceLine.hidden = !group.members.length
    noteActivity(group.id, group.length, group.last_activity_at)
  }
}
