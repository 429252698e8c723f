import { test } from 'node:test'
import assert from 'node:assert/strict'
import { nextPosition, phaseOf } from './timeline.js'

test('playing moves on by the speed and stops at the end', () => {
  assert.equal(nextPosition(10, 4, 100), 14)
  assert.equal(nextPosition(98, 4, 100), 100)
  assert.equal(nextPosition(0, 'x', 5), 1)
})

test('an update belongs to the phase whose end is the first at or after it (issue 28)', () => {
  const boundaries = [{ seq: 10 }, { seq: 10 }, { seq: 20 }] // the second phase wrote nothing
  assert.equal(phaseOf(boundaries, 5), 0) // written during the first phase, not before it
  assert.equal(phaseOf(boundaries, 10), 0) // the first phase's last update
  assert.equal(phaseOf(boundaries, 11), 2) // after the first two ends: the third phase
  assert.equal(phaseOf(boundaries, 20), 2)
  assert.equal(phaseOf(boundaries, 25), -1) // a phase that has not ended yet
})
