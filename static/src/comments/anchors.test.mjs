// Anchors made in the browser follow their passage through edits, and say when it is deleted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { makeAnchor, resolveAnchor, toBase64, fromBase64 } from './anchors.js'

const docWith = (text) => {
  const doc = new Y.Doc()
  doc.getText('body').insert(0, text)
  return doc
}

test('base64 round trip', () => {
  const bytes = Uint8Array.from([0, 7, 13, 65, 255])
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes)
})

test('an anchor keeps its passage while text is typed before, inside and after it', () => {
  const doc = docWith('Before. 😀 Passage. After.')
  const body = doc.getText('body')
  const from = body.toString().indexOf('Passage')
  const anchor = makeAnchor(body, from, from + 'Passage.'.length)
  body.insert(from, '>>') // at its start: stays out
  body.insert(from + 2 + 'Passage.'.length, '<<') // at its end: stays out
  body.insert(from + 4, '++') // inside: joins
  body.insert(0, 'Intro. ')
  const where = resolveAnchor(doc, body, anchor)
  assert.equal(body.toString().slice(where.from, where.to), 'Pa++ssage.')
  assert.equal(where.deleted, false)
})

test('a deleted passage is said so, and a peer resolves the same anchor', () => {
  const doc = docWith('Keep this. Drop this. Keep that.')
  const body = doc.getText('body')
  const anchor = makeAnchor(body, 11, 21)
  const peer = new Y.Doc()
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc))
  assert.equal(peer.getText('body').toString().slice(11, 21), 'Drop this.')
  body.delete(11, 10)
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc))
  const here = resolveAnchor(doc, body, anchor)
  const there = resolveAnchor(peer, peer.getText('body'), anchor)
  assert.deepEqual(here, there)
  assert.equal(here.deleted, true)
})

test('anchors this document does not know, or garbage, resolve to null', () => {
  const doc = docWith('Short.')
  const other = docWith('Somewhere else entirely.')
  const anchor = makeAnchor(other.getText('body'), 0, 9)
  assert.equal(resolveAnchor(doc, doc.getText('body'), anchor), null)
  assert.equal(resolveAnchor(doc, doc.getText('body'), { start: '!!', end: 'AA==' }), null)
  assert.equal(resolveAnchor(doc, doc.getText('body'), { start: null, end: null }), null)
})
