/**
 * The group's board in its Yjs document (docs/protocol.md, "The board"): the Y.Array "board" of Y.Map
 * cards {id, text, column, author, color, votes: Y.Map(member → dots), used}. Plain functions over the
 * document, no DOM: what the board view reads and the changes it makes, each one transaction.
 */
import * as Y from 'yjs'

export const MAX_CARD_CHARS = 500 // the server refuses a longer value (`malformed`)
export const MAX_CARDS = 500

export const boardOf = (doc) => doc.getArray('board')

function newId () {
  const bytes = new Uint8Array(8)
  globalThis.crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** A card's text as it may be stored: trimmed, at most MAX_CARD_CHARS characters (code points). */
export function cleanText (text) {
  return Array.from(String(text ?? '').trim()).slice(0, MAX_CARD_CHARS).join('')
}

/** A plain reading of one card. */
export function readCard (card, index) {
  const votes = card.get('votes')
  const byMember = {}
  let total = 0
  if (votes instanceof Y.Map) {
    for (const [member, count] of votes.entries()) {
      const n = Number.isInteger(count) && count > 0 ? count : 0
      if (n) byMember[member] = n
      total += n
    }
  }
  return {
    index,
    id: String(card.get('id') ?? index),
    text: typeof card.get('text') === 'string' ? card.get('text') : '',
    column: typeof card.get('column') === 'string' ? card.get('column') : '',
    author: card.get('author'),
    color: typeof card.get('color') === 'string' ? card.get('color') : null,
    used: card.get('used') === true,
    votes: total,
    byMember
  }
}

export function readCards (board) {
  return board.toArray().map((card, index) => (card instanceof Y.Map ? readCard(card, index) : null)).filter(Boolean)
}

/**
 * The columns to show and the cards in each: `columns` as the phase lists them (none: every column that
 * holds cards, in order of appearance, or one unnamed column); cards of other columns under `other`.
 * Sorted by votes (most first) when `byVotes`, else in the board's order.
 */
export function layout (cards, columns, { byVotes = false } = {}) {
  let names = columns.length ? [...columns] : [...new Set(cards.map((c) => c.column))]
  if (!names.length) names = ['']
  const order = (list) => (byVotes ? [...list].sort((a, b) => b.votes - a.votes || a.index - b.index) : list)
  const shown = new Set(names)
  return {
    columns: names.map((name) => ({ name, cards: order(cards.filter((c) => c.column === name)) })),
    other: order(cards.filter((c) => !shown.has(c.column)))
  }
}

function findCard (board, id) {
  const index = board.toArray().findIndex((card) => card instanceof Y.Map && String(card.get('id')) === id)
  return index < 0 ? null : { index, card: board.get(index) }
}

/** Add a card; its id, or null (empty text, a full board). */
export function addCard (board, { text, column, author, color }) {
  const clean = cleanText(text)
  if (!clean || board.length >= MAX_CARDS) return null
  const card = new Y.Map()
  const id = newId()
  board.doc.transact(() => {
    card.set('id', id)
    card.set('text', clean)
    card.set('column', String(column ?? ''))
    card.set('author', author)
    if (color) card.set('color', color)
    card.set('votes', new Y.Map())
    card.set('used', false)
    board.push([card])
  })
  return id
}

/** Set a key of a card (its text, column, used); false if the card is gone. */
export function setCard (board, id, key, value) {
  const found = findCard(board, id)
  if (!found) return false
  board.doc.transact(() => found.card.set(key, key === 'text' ? cleanText(value) : value))
  return true
}

export function deleteCard (board, id) {
  const found = findCard(board, id)
  if (!found) return false
  board.doc.transact(() => board.delete(found.index, 1))
  return true
}

/** The dots `member` placed on the whole board. */
export function dotsPlaced (cards, member) {
  return cards.reduce((sum, card) => sum + (card.byMember[String(member)] || 0), 0)
}

/**
 * Place (+1) or take back (-1) one of `member`'s dots on a card, within `maxDots` over the board; true when
 * it changed. Only the member's own entry of the card's `votes` is written, so votes merge.
 */
export function vote (board, id, member, delta, maxDots) {
  const found = findCard(board, id)
  if (!found) return false
  const key = String(member)
  const mine = readCard(found.card, found.index).byMember[key] || 0
  const placed = dotsPlaced(readCards(board), member)
  if (delta > 0 && placed >= maxDots) return false
  if (delta < 0 && mine <= 0) return false
  board.doc.transact(() => {
    let votes = found.card.get('votes')
    if (!(votes instanceof Y.Map)) {
      votes = new Y.Map()
      found.card.set('votes', votes)
    }
    const next = mine + (delta > 0 ? 1 : -1)
    if (next > 0) votes.set(key, next)
    else votes.delete(key)
  })
  return true
}
