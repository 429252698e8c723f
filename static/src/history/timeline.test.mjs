import { test } from 'node:test'
import assert from 'node:assert/strict'
import { nextPosition, phaseAt } from './timeline.js'

test('playing moves on by the speed and stops at the end', () => {
  assert.equal(nextPosition(10, 4, 100), 14)
  assert.equal(nextPosition(98, 4, 100), 100)
  assert.equal(nextPosition(0, 'x', 5), 1)
})

test('the phase of a position is the last boundary at or before it', () => {
  const boundaries = [{ seq: 10 }, { seq: 20 }]
  assert.equal(phaseAt(boundaries, 5), -1)
  assert.equal(phaseAt(boundaries, 10), 0)
  assert.equal(phaseAt(boundaries, 25), 1)
})
