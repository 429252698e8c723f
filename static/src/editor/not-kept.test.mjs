// What a writer is told was not kept: the words of the update the server lacked.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { wordsOf } from './not-kept.js'

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
