/**
 * One message of the chat's log (li.chat__message, data-message): its author (a facilitator said so), to
 * whom (every group; for a facilitator, the group), when, its body, and for a facilitator the Hide/Show
 * button.
 */
import { el, hexColor, postedAt, swatch } from '../dom.js'

/** @param {{s: Function, facilitator: boolean, groupName: (id: number) => string, onHide: Function}} opts */
export function messageItem (message, { s, facilitator, groupName, onHide }) {
  const li = el('li', { class: `chat__message${message.hidden ? ' chat__message--hidden' : ''}`, 'data-message': String(message.id) })
  const author = message.author || {}
  li.append(el('p', { class: 'comment__author' }, swatch(hexColor(author.color)),
    el('strong', {}, author.facilitator ? (author.name ? `${author.name} (${s('chatFacilitator')})` : s('chatFacilitator')) : author.name || ''),
    message.group_id == null ? el('span', { class: 'muted' }, ` · ${s('chatEveryone')}`) : facilitator ? el('span', { class: 'muted' }, ` · ${groupName(message.group_id)}`) : null,
    postedAt(message.created_at)))
  const body = el('div', { class: 'comment__body' })
  body.innerHTML = message.html || '' // rendered by the server's one sanitiser (core.rendering)
  li.append(body)
  if (facilitator) {
    const button = el('button', { type: 'button', class: 'button button--small button--link' }, s(message.hidden ? 'show' : 'hide'))
    button.addEventListener('click', () => onHide(message))
    li.append(button)
    if (message.hidden) li.append(el('span', { class: 'muted' }, ` ${s('chatHidden')}`))
  }
  return li
}
