import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'

import { addCard, boardOf, deleteCard, dotsPlaced, layout, MAX_CARD_CHARS, readCards, setCard, vote } from './model.js'

function pair () {
  const a = new Y.Doc()
  const b = new Y.Doc()
  a.on('update', (u) => Y.applyUpdate(b, u))
  b.on('update', (u) => Y.applyUpdate(a, u))
  return [a, b]
}

test('a card added on one copy shows on the other, moves and is deleted', () => {
  const [a, b] = pair()
  const id = addCard(boardOf(a), { text: '  Rooftop gardens ', column: 'Signals', author: 1, color: '#123456' })
  const [card] = readCards(boardOf(b))
  assert.equal(card.id, id)
  assert.equal(card.text, 'Rooftop gardens')
  assert.equal(card.column, 'Signals')
  assert.equal(card.author, 1)
  assert.ok(setCard(boardOf(b), id, 'column', 'Promising'))
  assert.equal(readCards(boardOf(a))[0].column, 'Promising')
  assert.ok(deleteCard(boardOf(a), id))
  assert.deepEqual(readCards(boardOf(b)), [])
  assert.equal(a.getText('body').toString(), '') // the story's text is untouched
})

test('a card text is bounded and an empty one is not added', () => {
  const doc = new Y.Doc()
  assert.equal(addCard(boardOf(doc), { text: '   ', column: 'x', author: 1 }), null)
  addCard(boardOf(doc), { text: '😀'.repeat(MAX_CARD_CHARS + 20), column: 'x', author: 1 })
  assert.equal(Array.from(readCards(boardOf(doc))[0].text).length, MAX_CARD_CHARS)
})

test('dots: each member places up to N, concurrent votes merge, cards sort by votes', () => {
  const [a, b] = pair()
  const first = addCard(boardOf(a), { text: 'one', column: 'S', author: 1 })
  const second = addCard(boardOf(a), { text: 'two', column: 'S', author: 1 })
  assert.ok(vote(boardOf(a), second, 1, +1, 2))
  assert.ok(vote(boardOf(b), second, 2, +1, 2))
  assert.ok(vote(boardOf(a), first, 1, +1, 2))
  assert.equal(vote(boardOf(a), first, 1, +1, 2), false) // no dot left
  assert.equal(vote(boardOf(b), first, 2, -1, 2), false) // none placed there
  const cards = readCards(boardOf(b))
  assert.equal(dotsPlaced(cards, 1), 2)
  assert.deepEqual(cards.map((c) => c.votes), [1, 2])
  const { columns } = layout(cards, ['S'], { byVotes: true })
  assert.deepEqual(columns[0].cards.map((c) => c.text), ['two', 'one'])
  assert.ok(vote(boardOf(a), second, 1, -1, 2))
  assert.deepEqual(readCards(boardOf(b)).map((c) => c.byMember), [{ 1: 1 }, { 2: 1 }])
})

test('the layout sets apart the cards of columns the phase does not list', () => {
  const doc = new Y.Doc()
  addCard(boardOf(doc), { text: 'a', column: 'Signals', author: 1 })
  addCard(boardOf(doc), { text: 'b', column: 'Promising', author: 1 })
  const shown = layout(readCards(boardOf(doc)), ['Promising', 'World'])
  assert.deepEqual(shown.columns.map((c) => [c.name, c.cards.length]), [['Promising', 1], ['World', 0]])
  assert.deepEqual(shown.other.map((c) => c.text), ['a'])
  const every = layout(readCards(boardOf(doc)), [])
  assert.deepEqual(every.columns.map((c) => c.name), ['Signals', 'Promising'])
  assert.deepEqual(layout([], []).columns.map((c) => c.name), [''])
})
