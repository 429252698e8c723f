// Who is writing: this writer's awareness state, and peers' made harmless before they are drawn.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { createAwareness, sanitizeUser } from './awareness.js'

test('a peer\'s state: a trimmed, bounded name (or the fallback) and an accessible hex colour', () => {
  const state = { user: { name: `  ${'x'.repeat(80)}  `, color: 'red; background:url(x)' } }
  sanitizeUser(state, 7, 'Anonymous')
  assert.equal(state.user.name, 'x'.repeat(60))
  assert.match(state.user.color, /^#[0-9a-f]{6}$/)
  assert.equal(state.user.colorLight, `${state.user.color}33`)
  const nameless = { user: 'not an object' }
  sanitizeUser(nameless, 7, 'Anonymous')
  assert.equal(nameless.user.name, 'Anonymous')
  sanitizeUser(null, 7, 'Anonymous') // nothing to clean
})

test('this writer\'s awareness, and a peer\'s cleaned as it arrives', () => {
  const doc = new Y.Doc()
  const awareness = createAwareness(doc, { name: ' Ada ', color: '#fff' }, 'Anonymous')
  const mine = awareness.getLocalState().user
  assert.equal(mine.name, 'Ada')
  assert.notEqual(mine.color, '#ffffff') // darkened for white labels
  const peer = new Y.Doc()
  const theirs = createAwareness(peer, {}, 'Anonymous')
  theirs.setLocalStateField('user', { name: '', color: 'javascript:1' })
  const { encodeAwarenessUpdate, applyAwarenessUpdate } = awarenessProtocol
  applyAwarenessUpdate(awareness, encodeAwarenessUpdate(theirs, [peer.clientID]), 'test')
  const seen = awareness.getStates().get(peer.clientID).user
  assert.equal(seen.name, 'Anonymous')
  assert.match(seen.color, /^#[0-9a-f]{6}$/)
  awareness.destroy()
  theirs.destroy()
})
