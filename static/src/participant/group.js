/**
 * The participant's group on the page: its members ([data-members], "(you)" after one's own name), whether
 * it may write ([data-writing-state]), its own time ([data-own-time]), and after the end the word of thanks
 * and the gallery ([data-the-end], [data-gallery]).
 */
import { el, setText, swatch } from '../dom.js'
import { format } from '../strings.js'

export function renderMembers (list, group, me, t) {
  if (!list) return
  list.replaceChildren(...group.members.map((member) => {
    const li = el('li', {}, swatch(member.color), member.name)
    if (member.id === me) li.append(' ', el('span', { class: 'muted' }, ` (${t.you})`))
    return li
  }))
}

export function renderWriting (node, state, t) {
  if (!node) return
  const opened = state.writing === 'facilitator' && t.writingOpened
  setText(node, state.writable ? opened || t.writingOpen : state.locked ? t.writingLocked : t.writingClosed)
  node.dataset.writable = String(!!state.writable)
  node.dataset.writing = state.writing || ''
}

/** "Your group has 2 min more than the others": the group's own time (`group.extra_seconds`), if any. */
export function renderOwnTime (node, state, strings) {
  if (!node) return
  const extra = (state.group && state.group.extra_seconds) || 0
  setText(node, extra > 0 ? format(strings.ownTime || '', { minutes: Math.ceil(extra / 60) }) : '')
}

export function renderEnd (theEnd, state) {
  if (!theEnd) return
  theEnd.hidden = !state.ended
  const gallery = theEnd.querySelector('[data-gallery]')
  if (gallery) gallery.hidden = !state.stories_published
}
