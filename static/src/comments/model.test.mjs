// What the comments panel knows, without the DOM: who sees which threads, their order, what a live change
// or a list answer does to them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { makeAnchor } from './anchors.js'
import { anchoredRanges, createModel, openCount, orderedThreads, remember, repliesOf, replaceAll, threadsOf } from './model.js'

const story = () => {
  const doc = new Y.Doc()
  const ytext = doc.getText('body')
  ytext.insert(0, 'One two three four five.')
  return { doc, ytext }
}
const thread = (ytext, id, from, to, extra = {}) => ({ id, parent_id: null, ...makeAnchor(ytext, from, to), ...extra })

test('a hidden comment is shown to a moderator only; replies come oldest first', () => {
  const model = createModel()
  for (const c of [{ id: 1, parent_id: null }, { id: 2, parent_id: null, hidden: true }, { id: 5, parent_id: 1 }, { id: 3, parent_id: 1 }, { id: 4, parent_id: 1, hidden: true }]) model.comments.set(c.id, c)
  assert.deepEqual(threadsOf(model).map((c) => c.id), [1])
  assert.deepEqual(repliesOf(model, 1).map((c) => c.id), [3, 5])
  model.can.moderate = true
  assert.deepEqual(threadsOf(model).map((c) => c.id), [1, 2])
  assert.deepEqual(repliesOf(model, 1).map((c) => c.id), [3, 4, 5])
})

test('highlighted ranges: in text order, without deleted passages or hidden threads', () => {
  const { doc, ytext } = story()
  const model = createModel()
  model.can.moderate = true
  for (const t of [thread(ytext, 1, 8, 13), thread(ytext, 2, 0, 3), thread(ytext, 3, 4, 7, { hidden: true }), thread(ytext, 4, 14, 18)]) model.comments.set(t.id, t)
  ytext.delete(14, 5) // "four " gone: thread 4's passage is deleted
  const ranges = anchoredRanges(model, doc, ytext)
  assert.deepEqual(ranges.map((r) => [r.thread.id, r.where.from, r.where.to]), [[2, 0, 3], [1, 8, 13]])
  assert.equal(model.comments.get(4)._where.deleted, true)
})

test('the list: open threads first, then in text order, then by id; the open ones counted', () => {
  const { doc, ytext } = story()
  const model = createModel()
  const open = { resolved: false }
  for (const t of [thread(ytext, 1, 8, 13, { resolved: true }), thread(ytext, 2, 4, 7, open), thread(ytext, 3, 0, 3, open), { id: 4, parent_id: null, ...open }]) model.comments.set(t.id, t)
  const ordered = orderedThreads(model, doc, ytext)
  assert.deepEqual(ordered.map((t) => t.id), [3, 2, 4, 1])
  assert.equal(openCount(ordered), 3)
})

test('a change is kept, noted for the lists in flight, and a list answer replays them on top', () => {
  const model = createModel()
  model.active = 7
  const since = new Map()
  model.inFlight.add(since)
  remember(model, { id: 7, parent_id: null, body: 'new' })
  remember(model, { id: 8, parent_id: null })
  remember(model, { id: 7, parent_id: null, hidden: true }) // hidden from a participant: dropped, folded
  assert.equal(model.comments.has(7), false)
  assert.equal(model.active, null)
  assert.deepEqual([...since.keys()], [7, 8])
  replaceAll(model, [{ id: 7, parent_id: null }, { id: 9, parent_id: null }], since) // read before the changes
  assert.deepEqual([...model.comments.keys()].sort(), [8, 9])
})
