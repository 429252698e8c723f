/**
 * The chat's frame inside its <details data-chat>: the unread badge in the summary, the log
 * (ol.chat__log), the empty note, the form (for a facilitator, the choice of group or all) and the polite
 * live region.
 */
import { el } from '../dom.js'

const MAX = 1000

/** @returns {{badge, log, empty, announce, text, error, form, target}} (`target` null but for a facilitator) */
export function buildChat (root, { s, facilitator, groups }) {
  const badge = el('span', { class: 'chat__badge', hidden: true })
  root.querySelector('summary').append(' ', badge)
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
  return { badge, log, empty, announce, text, error, form, target }
}
