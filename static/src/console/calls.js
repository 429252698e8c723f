/**
 * Calls to the facilitator (`group:call` from a group's participants): a calling group's card is highlighted
 * (data-called) with who calls and since when ([data-group-call], [data-group-call-text]); its "Answer"
 * button ([data-group-answer]) sends `answer`, which clears the call on every console. A new call is said in
 * the feedback line (a live region).
 *
 * `k` is the console's controller (console.js): {root, c, lang, state, say, send}.
 */
import { format } from '../strings.js'

/** "10:42": the time of a call, in the page's language. */
export function callTime (iso, lang) {
  return new Date(iso).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })
}

export function bindCalls (k) {
  k.root.querySelectorAll('[data-group-card]').forEach((card) => {
    card.querySelector('[data-group-answer]')?.addEventListener('click', () => {
      const group = card.querySelector('.group-card__name').textContent
      k.send({ action: 'answer', group_id: Number(card.dataset.groupId) }, format(k.c.callAnswered, { group }))
    })
  })
}

/** Each card's call as the state has it; `known` (group id → called_at) remembers what was already said. */
export function renderCalls (k, known) {
  for (const group of k.state.groups) {
    const card = k.root.querySelector(`[data-group-card][data-group-id="${group.id}"]`)
    if (!card) continue
    const called = group.called_at || null
    card.dataset.called = String(!!called)
    const box = card.querySelector('[data-group-call]')
    if (box) box.hidden = !called
    if (called) {
      const text = format(k.c.callSince, { group: group.name, time: callTime(called, k.lang) })
      const line = card.querySelector('[data-group-call-text]')
      if (line && line.textContent !== text) line.textContent = text
      if (known.has(group.id) && known.get(group.id) !== called) k.say(format(k.c.callRaised, { group: group.name }), 'error')
    }
    known.set(group.id, called)
  }
}
