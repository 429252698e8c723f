/**
 * One group's board projected on the wall ([data-wall-board] in templates/workshops/wall.html): its columns
 * and cards in big type, most voted first, live from the group's story document (which the wall's hidden,
 * read-only editor syncs). The columns are the current phase's (every column that holds cards when it lists
 * none); while the facilitator hides the dot counts, the wall hides them too and keeps the board's order.
 *
 *   const wall = mountWallBoard(node, editor, strings)
 *   wall.update(state)   // each workshop:state
 */
import { el } from '../dom.js'
import { plural } from '../strings.js'
import { boardOf, layout, readCards } from './model.js'

export function mountWallBoard (node, editor, t) {
  const board = boardOf(editor.doc)
  const list = node.querySelector('[data-wall-board-columns]')
  let phase = { columns: [], dots: 0, hidden: false, tool: 'story' }
  let scheduled = false

  function render () {
    scheduled = false
    const cards = readCards(board)
    const columns = phase.tool === 'story' ? [] : phase.columns
    const hidden = phase.hidden
    const shown = layout(cards, columns, { byVotes: !hidden })
    node.dataset.cards = String(cards.length)
    node.dataset.dotsHidden = String(hidden)
    const all = shown.other.length ? [...shown.columns, { name: null, cards: shown.other }] : shown.columns
    list.replaceChildren(...all.map((column) => {
      const title = column.name === null ? t.other : column.name || t.firstColumn
      return el('section', { class: 'wall-board__column', 'aria-label': title, 'data-column': column.name ?? '' },
        el('h2', { class: 'wall-board__column-title' }, title),
        column.cards.length
          ? el('ol', { class: 'wall-board__cards' }, ...column.cards.map((card) => el('li', {
            class: 'wall-board__card', 'data-card-id': card.id, 'data-used': String(card.used)
          },
          el('span', { class: 'wall-board__text' }, card.text),
          hidden ? null : el('span', { class: 'wall-board__votes', 'data-votes': card.votes }, plural(t.votes, card.votes)),
          card.used ? el('span', { class: 'wall-board__used' }, t.used) : null)))
          : el('p', { class: 'wall-board__empty' }, t.empty))
    }))
  }

  function schedule () {
    if (scheduled) return
    scheduled = true
    queueMicrotask(render)
  }

  board.observeDeep(schedule)
  render()
  return {
    update (state) {
      const b = (state && state.board) || {}
      phase = {
        tool: state.phase_tool || 'story',
        columns: Array.isArray(b.columns) ? b.columns.filter((c) => typeof c === 'string') : [],
        dots: Number.isInteger(b.dots) ? b.dots : 0,
        hidden: b.hidden === true
      }
      schedule()
    }
  }
}
