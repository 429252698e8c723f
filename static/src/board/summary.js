/**
 * A group's board in the facilitator's console, compact and live ([data-group-board] in a group card): each
 * column that holds cards, its cards most voted first (their text cut short, their dots, whether used in
 * the story). Read from the group's story document, which the console's read-only editor syncs.
 */
import { el } from '../dom.js'
import { plural } from '../strings.js'
import { boardOf, layout, readCards } from './model.js'

const SHOWN = 6 // cards shown per column; the others counted

export function mountBoardSummary (node, editor, t) {
  const board = boardOf(editor.doc)
  const list = node.querySelector('[data-group-board-list]')
  let scheduled = false

  function render () {
    scheduled = false
    const cards = readCards(board)
    node.hidden = cards.length === 0
    const shown = layout(cards, [], { byVotes: true })
    list.replaceChildren(...shown.columns.map((column) => {
      const items = column.cards.slice(0, SHOWN).map((card) => el('li', { class: 'board-summary__card', 'data-used': String(card.used) },
        el('span', { class: 'board-summary__text' }, cut(card.text)),
        card.votes ? el('span', { class: 'board-summary__votes' }, ` · ${plural(t.votes, card.votes)}`) : null,
        card.used ? el('span', { class: 'board-summary__used' }, ` · ${t.used}`) : null))
      if (column.cards.length > SHOWN) items.push(el('li', { class: 'muted' }, plural(t.more, column.cards.length - SHOWN)))
      return el('li', { class: 'board-summary__column' },
        el('span', { class: 'board-summary__name' }, `${column.name || t.firstColumn} (${column.cards.length})`),
        el('ul', {}, ...items))
    }))
  }

  board.observeDeep(() => {
    if (scheduled) return
    scheduled = true
    queueMicrotask(render)
  })
  render()
}

function cut (text) {
  const chars = Array.from(text.replace(/\s+/g, ' '))
  return chars.length > 80 ? `${chars.slice(0, 80).join('')}…` : chars.join('')
}
