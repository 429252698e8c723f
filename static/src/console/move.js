/**
 * Moving and removing a participant: the move form ([data-move-form]: [data-move-search], the person
 * [data-move-participant] as "Ada — Group 1", the group [data-move-group] or the smallest one,
 * [data-move-count], [data-remove-participant], [data-erase-participant] opening [data-erase-dialog]), and a name dragged from one group card to another.
 *
 * `k` is the console's controller (console.js): {root, c, lang, state, send, findMember}.
 */
import { format } from '../strings.js'

const DRAG_TYPE = 'application/x-plume-participant'

/** Every member with their group's name, sorted by name, those that `query` names (or their group). */
export function peopleFor (state, query, lang) {
  const people = state.groups.flatMap((group) => group.members.map((m) => ({ ...m, group: group.name })))
  people.sort((a, b) => a.name.localeCompare(b.name, lang))
  return people.filter((p) => !query || p.name.toLocaleLowerCase(lang).includes(query) || p.group.toLocaleLowerCase(lang).includes(query))
}

export function bindMoveForm (k) {
  const { root, c } = k
  const form = root.querySelector('[data-move-form]')
  if (!form) return
  const chosen = () => Number(form.querySelector('[data-move-participant]').value)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const participant = chosen()
    const groupSelect = form.querySelector('[data-move-group]')
    if (!participant || !groupSelect.value) return
    const name = k.findMember(participant)?.name || ''
    if (groupSelect.value === 'smallest') {
      k.send({ action: 'move', participant_id: participant, smallest: true }, format(c.movedSmallest, { name }))
      return
    }
    const groupName = groupSelect.selectedOptions[0]?.textContent || ''
    k.send({ action: 'move', participant_id: participant, group_id: Number(groupSelect.value) }, format(c.movedDone, { name, group: groupName }))
  })
  form.querySelector('[data-remove-participant]')?.addEventListener('click', () => {
    const participant = chosen()
    if (!participant) return
    const name = k.findMember(participant)?.name || ''
    if (!window.confirm(format(c.removeConfirm, { name }))) return
    k.send({ action: 'remove', participant_id: participant }, format(c.removedDone, { name }))
  })
  form.querySelector('[data-erase-participant]')?.addEventListener('click', () => {
    const participant = chosen()
    const dialog = root.querySelector('[data-erase-dialog]')
    if (!participant || !dialog) return
    dialog.querySelector('[data-erase-id]').value = String(participant)
    dialog.querySelector('[data-erase-name]').textContent = form.querySelector('[data-move-participant]').selectedOptions[0]?.textContent || ''
    if (typeof dialog.showModal === 'function') dialog.showModal()
    else if (window.confirm(dialog.querySelector('h2').textContent)) dialog.querySelector('form').submit()
  })
  root.querySelector('[data-move-search]')?.addEventListener('input', () => renderMoveForm(k))
}

/** The move form's choices, as the state has them; what was chosen stays chosen. */
export function renderMoveForm (k) {
  const { root, c, lang, state } = k
  const select = root.querySelector('[data-move-participant]')
  const groupSelect = root.querySelector('[data-move-group]')
  if (!select) return
  const form = root.querySelector('[data-move-form]')
  const chosen = select.value
  const query = (root.querySelector('[data-move-search]')?.value || '').trim().toLocaleLowerCase(lang)
  const shown = peopleFor(state, query, lang)
  select.replaceChildren(...shown.map((p) => new Option(format(c.memberInGroup, { name: p.name, group: p.group }), String(p.id))))
  if (chosen && select.querySelector(`option[value="${chosen}"]`)) select.value = chosen
  const count = root.querySelector('[data-move-count]')
  if (count) count.textContent = query ? format(shown.length === 1 ? c.foundOne : c.foundOther, { count: shown.length }) : ''
  const chosenGroup = groupSelect.value
  const smallest = groupSelect.querySelector('option[value="smallest"]')
  groupSelect.replaceChildren(...(smallest ? [smallest] : []), ...state.groups.map((g) => new Option(g.name, String(g.id))))
  if (chosenGroup && groupSelect.querySelector(`option[value="${chosenGroup}"]`)) groupSelect.value = chosenGroup
  form.querySelector('button[type="submit"]').disabled = !select.options.length
  for (const button of form.querySelectorAll('[data-remove-participant], [data-erase-participant], [data-rejoin-participant]')) {
    button.disabled = !select.options.length
  }
}

/** A name ([data-member-id]) dragged onto another group card moves its participant there. */
export function bindDragAndDrop (k) {
  const { root, c } = k
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
      const member = k.findMember(id)
      const from = k.state.groups.find((g) => g.members.some((m) => m.id === id))
      if (!member || !from || from.id === groupId) return
      const group = card.querySelector('.group-card__name').textContent
      k.send({ action: 'move', participant_id: id, group_id: groupId }, format(c.movedDone, { name: member.name, group }))
    })
  })
}
