/**
 * The group's board on the participant page ([data-board]): its columns and cards, live from the story's
 * Yjs document (./model.js), with add, edit, move, delete, dot-voting and "insert into the story".
 *
 *   const board = mountBoard(section, {editor, me, strings})
 *   board.update(state)   // each workshop:state: the phase's tool, columns, dots, read-only; the members
 *
 * Everything is a button or a form field (keyboard and screen readers); the text of a card is only ever
 * text. It may be changed when the story may be written (the editor's host says `data-writable`) and the
 * phase does not show the board read-only; a card can be inserted into the story whenever the story is
 * shown and writable.
 */
import { el, setText, swatch, hexColor } from '../dom.js'
import { format, plural } from '../strings.js'
import {
  MAX_CARD_CHARS, addCard, boardOf, deleteCard, dotsPlaced, layout, readCards, setCard, vote
} from './model.js'

export function mountBoard (section, { editor, me, strings: t }) {
  const board = boardOf(editor.doc)
  const host = editor.el
  const list = section.querySelector('[data-board-columns]')
  const status = section.querySelector('[data-board-status]')
  const dotsLeft = section.querySelector('[data-board-dots]')
  const hiddenNote = section.querySelector('[data-board-hidden]')
  const form = section.querySelector('[data-board-add]')
  const input = form.querySelector('[data-board-text]')
  const columnPick = form.querySelector('[data-board-column]')
  input.maxLength = MAX_CARD_CHARS
  let phase = { tool: 'story', columns: [], dots: 0, readonly: false, hidden: false }
  let members = new Map()
  let editing = null // {id, node}: the card whose text is being edited, its form kept across renders
  let scheduled = false

  const storyWritable = () => host.dataset.writable === 'true'
  const writable = () => storyWritable() && !phase.readonly
  const canInsert = () => phase.tool === 'both' && storyWritable()

  function render () {
    scheduled = false
    const focused = document.activeElement && section.contains(document.activeElement)
      ? document.activeElement.dataset.focusKey
      : null
    const cards = readCards(board)
    // Counts show where the phase deals dots, and where it deals none but an earlier one did (Write after
    // Signals: the winners first). While the facilitator hides them, each member sees only their own dots,
    // in the board's order.
    const counted = phase.dots > 0 || cards.some((card) => card.votes > 0)
    const shown = layout(cards, phase.columns, { byVotes: counted && !phase.hidden })
    const w = writable()
    section.dataset.writable = String(w)
    section.dataset.readonly = String(phase.readonly)
    form.hidden = !w
    const names = shown.columns.map((c) => c.name)
    if (columnPick.dataset.names !== JSON.stringify(names)) {
      columnPick.dataset.names = JSON.stringify(names)
      columnPick.replaceChildren(...names.map((name) => el('option', { value: name }, name || t.firstColumn)))
    }
    columnPick.closest('[data-board-column-field]').hidden = names.length < 2
    const placed = dotsPlaced(cards, me)
    dotsLeft.hidden = !(phase.dots > 0)
    setText(dotsLeft, plural(t.dotsLeft, Math.max(0, phase.dots - placed)))
    section.dataset.dotsHidden = String(phase.dots > 0 && phase.hidden)
    if (hiddenNote) hiddenNote.hidden = !(phase.dots > 0 && phase.hidden)
    setText(status, phase.readonly ? t.readOnly : storyWritable() ? '' : t.closed)
    const context = { names, placed, w, counted }
    const columns = shown.columns.map((column) => renderColumn(column, context))
    if (shown.other.length) {
      columns.push(renderColumn({ name: null, cards: shown.other }, context))
    }
    list.replaceChildren(...columns)
    if (editing) {
      const slot = list.querySelector(`[data-card-id="${CSS.escape(editing.id)}"] [data-edit-slot]`)
      if (slot) slot.replaceWith(editing.node)
      else editing = null
    }
    if (focused) {
      // The same control again; else (a move past the last column) the first control of the same card.
      const cardId = focused.slice(focused.indexOf(':') + 1)
      const again = list.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`) ||
        form.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`) ||
        list.querySelector(`[data-card-id="${CSS.escape(cardId)}"] button:not([disabled])`)
      if (again && again !== document.activeElement) again.focus()
    }
  }

  function schedule () {
    if (scheduled) return
    scheduled = true
    queueMicrotask(render)
  }

  function renderColumn (column, { names, placed, w, counted }) {
    const title = column.name === null ? t.other : column.name || t.firstColumn
    const heading = el('h3', { class: 'board__column-title' }, title, el('span', { class: 'board__count' }, ` ${column.cards.length}`))
    const items = column.cards.map((card) => renderCard(card, { names, placed, w, counted, apart: column.name === null }))
    return el('section', { class: 'board__column', 'aria-label': title, 'data-column': column.name ?? '' },
      heading,
      items.length ? el('ul', { class: 'board__cards' }, ...items) : el('p', { class: 'board__empty muted' }, t.empty))
  }

  function renderCard (card, { names, placed, w, counted, apart }) {
    const author = members.get(Number(card.author))
    const color = hexColor(card.color) || (author && hexColor(author.color))
    const node = el('li', { class: 'board-card', 'data-card-id': card.id, 'data-used': String(card.used) })
    if (color) node.style.setProperty('--card-color', color)
    const key = (what) => `${what}:${card.id}`
    node.append(el('p', { class: 'board-card__text' }, card.text))
    const meta = el('p', { class: 'board-card__meta' }, swatch(color), author ? author.name : t.someone)
    if (card.used) meta.append(el('span', { class: 'tag board-card__used' }, t.used))
    node.append(meta)
    if (counted) {
      const mine = card.byMember[String(me)] || 0
      const votes = el('div', { class: 'board-card__votes', role: 'group', 'aria-label': t.dotsGroup })
      if (!phase.hidden) {
        votes.append(el('span', { class: 'board-card__tally', 'data-votes': card.votes }, plural(t.votes, card.votes)))
      }
      if (mine) votes.append(el('span', { class: 'board-card__mine' }, plural(t.mine, mine)))
      if (w && phase.dots > 0) {
        votes.append(el('span', { class: 'board-card__steppers' },
          el('button', {
            type: 'button', class: 'button button--small', 'data-focus-key': key('unvote'), 'data-unvote': '',
            'aria-label': format(t.unvote, { text: short(card.text) }), disabled: mine === 0,
            onclick: () => vote(board, card.id, me, -1, phase.dots)
          }, '−'),
          el('button', {
            type: 'button', class: 'button button--small', 'data-focus-key': key('vote'), 'data-vote': '',
            'aria-label': format(t.vote, { text: short(card.text) }), disabled: placed >= phase.dots,
            onclick: () => vote(board, card.id, me, +1, phase.dots)
          }, '+')
        ))
      }
      node.append(votes)
    }
    const actions = el('div', { class: 'board-card__actions' })
    if (w) {
      const at = names.indexOf(card.column)
      const to = (target, label, sign) => el('button', {
        type: 'button', class: 'button button--small button--icon', 'data-focus-key': key(`move-${sign}`),
        'data-move': sign, 'aria-label': format(t.moveTo, { column: target || t.firstColumn }),
        title: format(t.moveTo, { column: target || t.firstColumn }),
        onclick: () => setCard(board, card.id, 'column', target)
      }, label)
      if (apart) actions.append(to(names[0], '↩', 'in'))
      else {
        if (at > 0) actions.append(to(names[at - 1], '←', 'left'))
        if (at >= 0 && at < names.length - 1) actions.append(to(names[at + 1], '→', 'right'))
      }
      actions.append(
        el('button', {
          type: 'button', class: 'button button--small', 'data-focus-key': key('edit'), 'data-edit': '',
          'aria-label': format(t.editCard, { text: short(card.text) }),
          onclick: () => startEditing(card)
        }, t.edit),
        el('button', {
          type: 'button', class: 'button button--small button--danger', 'data-delete': '',
          'aria-label': format(t.deleteCard, { text: short(card.text) }),
          onclick: () => { deleteCard(board, card.id); input.focus() }
        }, t.delete)
      )
    }
    if (canInsert()) {
      actions.append(el('button', {
        type: 'button', class: 'button button--small', 'data-focus-key': key('insert'), 'data-insert': '',
        'aria-label': format(t.insertCard, { text: short(card.text) }),
        onclick: () => insert(card)
      }, t.insert))
    }
    if (actions.childElementCount) node.append(actions)
    node.append(el('div', { 'data-edit-slot': '' }))
    return node
  }

  function startEditing (card) {
    const area = el('textarea', {
      class: 'board-card__editor', rows: 3, maxlength: MAX_CARD_CHARS, 'aria-label': t.cardText, 'data-focus-key': `text:${card.id}`
    })
    area.value = card.text
    const done = () => { editing = null; schedule() }
    const save = (event) => {
      event.preventDefault()
      setCard(board, card.id, 'text', area.value)
      done()
    }
    const node = el('form', { class: 'board-card__edit', onsubmit: save },
      area,
      el('div', { class: 'board-card__actions' },
        el('button', { type: 'submit', class: 'button button--small button--primary' }, t.save),
        el('button', { type: 'button', class: 'button button--small', onclick: done }, t.cancel)))
    area.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') done()
      if (event.key === 'Enter' && !event.shiftKey) save(event)
    })
    editing = { id: card.id, node }
    render()
    area.focus()
  }

  function insert (card) {
    const view = editor.view
    view.dispatch(view.state.replaceSelection(card.text))
    setCard(board, card.id, 'used', true)
    view.focus()
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (!writable()) return
    const author = members.get(me)
    const id = addCard(board, { text: input.value, column: columnPick.value, author: me, color: author && author.color })
    if (id) input.value = ''
    input.focus()
  })

  board.observeDeep(schedule)
  new MutationObserver(schedule).observe(host, { attributes: true, attributeFilter: ['data-writable'] })

  return {
    update (state) {
      const b = state.board || {}
      phase = {
        tool: state.phase_tool || 'story',
        columns: Array.isArray(b.columns) ? b.columns.filter((c) => typeof c === 'string') : [],
        dots: Number.isInteger(b.dots) && b.dots > 0 ? b.dots : 0,
        readonly: b.readonly === true,
        hidden: b.hidden === true
      }
      members = new Map(((state.group && state.group.members) || []).map((m) => [m.id, m]))
      schedule()
    },
    render
  }
}

/** The start of a card's text, for a button's label. */
function short (text) {
  const chars = Array.from(text)
  return chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : text
}
