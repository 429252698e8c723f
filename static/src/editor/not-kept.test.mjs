// What a writer is told was not kept: the words of the update the server lacked.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { notKeptSentences, wordsOf } from './not-kept.js'
import { DEFAULT_STRINGS } from '../strings.js'

test('the words not kept are the text the server lacks, in the order of the text, separate runs apart (issue 28)', () => {
  const server = new Y.Doc()
  server.getText('body').insert(0, 'The square has a garden.')
  const mine = new Y.Doc()
  Y.applyUpdate(mine, Y.encodeStateAsUpdate(server))
  const body = mine.getText('body')
  body.insert(body.length, ' And a bench')
  body.insert(0, 'Ah. ')
  body.insert(body.length, '.')
  body.delete(body.length - 5, 1) // "bench" → "bnch": typed, then taken back
  assert.equal(wordsOf(body, Y.encodeStateVector(server)), 'Ah. … And a bnch.')
  assert.equal(wordsOf(body, Y.encodeStateVector(mine)), '')
})

test('the notice: a lock says the words; a board refusal says what happened to the board, then the words refused with it', () => {
  const t = DEFAULT_STRINGS
  assert.deepEqual(notKeptSentences({ words: 'Ah', refused: null }, t), [t.notKept.replace('{text}', 'Ah')])
  assert.deepEqual(notKeptSentences({ words: '' }, t), [t.notKeptNothing])
  assert.deepEqual(notKeptSentences({ words: '', refused: 'forbidden' }, t), [t.notKeptDots])
  assert.deepEqual(notKeptSentences({ words: 'a bench', refused: 'forbidden' }, t),
    [t.notKeptDots, t.notKeptWordsToo.replace('{text}', 'a bench')])
  assert.deepEqual(notKeptSentences({ words: '', refused: 'malformed' }, t), [t.notKeptBoard])
  assert.match(t.notKeptDots, /dots/)
})
