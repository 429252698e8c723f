/**
 * A group's own time: the card's "+2 min" ([data-group-extend], data-seconds) sends `extend_group` for that
 * group only; [data-group-time] says until when the group writes when it has time of its own
 * (`extra_seconds`, `own_deadline` in the state), and the card gets data-own-time.
 *
 * `k` is the console's controller (console.js): {root, c, lang, state, send}.
 */
import { format } from '../strings.js'
import { callTime } from './calls.js'

export function bindGroupTime (k) {
  k.root.querySelectorAll('[data-group-card]').forEach((card) => {
    card.querySelector('[data-group-extend]')?.addEventListener('click', (event) => {
      const seconds = Number(event.currentTarget.dataset.seconds)
      const group = card.querySelector('.group-card__name').textContent
      const done = format(k.c.doneGroupExtend, { group, minutes: Math.round(seconds / 60) })
      k.send({ action: 'extend_group', group_id: Number(card.dataset.groupId), seconds }, done)
    })
  })
}

/** What a card says of its group's own time: until when (running), or how much more (paused). */
export function ownTimeText (group, c, lang) {
  const extra = group.extra_seconds || 0
  if (extra <= 0) return ''
  const minutes = Math.ceil(extra / 60)
  if (group.own_deadline) return format(c.ownTimeUntil, { time: callTime(group.own_deadline, lang), minutes })
  return format(c.ownTimeMore, { minutes })
}

export function renderGroupTime (k) {
  const live = k.state.status === 'running' || k.state.status === 'paused'
  const advances = k.state.at_deadline === 'advance'
  for (const group of k.state.groups) {
    const card = k.root.querySelector(`[data-group-card][data-group-id="${group.id}"]`)
    if (!card) continue
    const text = ownTimeText(group, k.c, k.lang)
    card.dataset.ownTime = String(!!text)
    const line = card.querySelector('[data-group-time]')
    if (line && line.textContent !== text) line.textContent = text
    const button = card.querySelector('[data-group-extend]')
    if (button) {
      button.disabled = !live || advances
      button.title = advances ? k.c.groupExtendAdvances : ''
    }
  }
}
