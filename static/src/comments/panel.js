/**
 * The comments panel's frame: the wrapper around the editor's host (`.commented`, data-comments), the
 * margin panel (`aside.comments`: title and count, Comment and Close buttons, hint, error, the compose form,
 * the empty note, the thread list), the toggle that opens it as a bottom sheet on a phone, and the polite
 * live region, kept outside the sheet that a phone folds.
 */
import { el, sendOnChord } from '../dom.js'

export const MAX_BODY = 2000
const PHONE = '(max-width: 40rem)'

/**
 * @param {HTMLElement} host the editor's element, moved into the wrapper
 * @param {{id: string, s: Function, groupName: string, onCancel: Function}} opts
 */
export function buildPanel (host, { id, s, groupName, onCancel }) {
  const wrapper = el('div', { class: 'commented', 'data-comments': '0' })
  host.before(wrapper)
  wrapper.append(host)
  const titleId = `${id}-title`
  const count = el('span', { class: 'comments__count' })
  const title = el('h3', { class: 'comments__title', id: titleId }, s(groupName ? 'commentsOn' : 'commentsTitle', { group: groupName }), ' ', count)
  const addButton = el('button', { type: 'button', class: 'button button--small comments__add', 'aria-keyshortcuts': 'Control+Alt+M' }, s('commentAdd'))
  const closeButton = el('button', { type: 'button', class: 'button button--small comments__close' }, s('close'))
  const hint = el('p', { class: 'comments__hint muted' }, s('commentAddHint'))
  const status = el('p', { class: 'visually-hidden', 'aria-live': 'polite', 'data-comments-status': '' })
  const error = el('p', { class: 'comments__error', role: 'alert', hidden: true })
  const quoteBox = el('blockquote', { class: 'comments__quote' })
  const composeLabel = el('label', { for: `${id}-compose` })
  const composeText = sendOnChord(el('textarea', { id: `${id}-compose`, rows: 3, maxlength: MAX_BODY, required: true }))
  const compose = el('form', { class: 'comments__compose', hidden: true },
    quoteBox, composeLabel, composeText,
    el('div', { class: 'comments__actions' },
      el('button', { type: 'submit', class: 'button button--primary button--small' }, s('commentSubmit')),
      el('button', { type: 'button', class: 'button button--small', onclick: onCancel }, s('cancel'))))
  const list = el('ol', { class: 'comments__list', 'aria-labelledby': titleId })
  const empty = el('p', { class: 'comments__empty muted' }, s('noComments'))
  const panel = el('aside', { class: 'comments', id, 'aria-labelledby': titleId, hidden: true },
    el('div', { class: 'comments__head' }, title, addButton, closeButton), hint, error, compose, empty, list)
  const toggle = el('button', { type: 'button', class: 'button comments__toggle', 'aria-controls': id, 'aria-expanded': 'false', hidden: true })
  wrapper.append(panel, toggle, status)
  return { wrapper, count, addButton, closeButton, hint, status, error, quoteBox, composeLabel, composeText, compose, list, empty, panel, toggle }
}

/** The bottom sheet of a phone: `set(open)`, `isOpen()`, and `phone.matches` when the screen is one. */
export function createSheet ({ panel, toggle }) {
  const phone = window.matchMedia ? window.matchMedia(PHONE) : { matches: false, addEventListener () {} }
  const set = (open) => {
    panel.dataset.open = String(open)
    toggle.setAttribute('aria-expanded', String(open))
  }
  set(false)
  return { phone, set, isOpen: () => panel.dataset.open === 'true' }
}

/** Show a refusal in the panel's alert, or clear it. */
export function showError ({ error }, message) {
  error.textContent = message
  error.hidden = false
}
export function hideError ({ error }) {
  error.hidden = true
  error.textContent = ''
}
