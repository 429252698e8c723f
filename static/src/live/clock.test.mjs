// The workshop clock on the client: server offset, time left, format, minute announcements. `npm test`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatClock, minuteCrossing, secondsLeft, serverOffset, worthAnnouncing } from './clock.js'

const SERVER_NOW = Date.parse('2040-03-14T09:00:00+00:00')

test('a device whose clock is wrong still counts down to the server deadline', () => {
  const state = { status: 'running', deadline: '2040-03-14T09:10:00+00:00', server_time: '2040-03-14T09:00:00+00:00' }
  for (const skew of [0, 3 * 3600 * 1000, -86400 * 1000, 42_000]) {
    const deviceNow = SERVER_NOW + skew // the device believes it is `skew` ms later than the server
    const offset = serverOffset(state.server_time, deviceNow)
    assert.equal(secondsLeft(state, offset, deviceNow), 600)
    assert.equal(secondsLeft(state, offset, deviceNow + 61_000), 539)
  }
})

test('after a reload the time left comes from the deadline, not from when the page opened', () => {
  const state = { status: 'running', deadline: '2040-03-14T09:10:00Z', server_time: '2040-03-14T09:04:00Z' }
  const offset = serverOffset(state.server_time, SERVER_NOW + 240_000)
  assert.equal(secondsLeft(state, offset, SERVER_NOW + 240_000), 360)
})

test('time left is frozen when paused, zero before the start, after the end and in overtime', () => {
  assert.equal(secondsLeft({ status: 'paused', remaining_seconds: 321.5 }, 9e9, 0), 321.5)
  assert.equal(secondsLeft({ status: 'not_started', remaining_seconds: 0 }), 0)
  assert.equal(secondsLeft({ status: 'finished' }), 0)
  const late = { status: 'running', deadline: '2040-03-14T09:00:00Z' }
  assert.equal(secondsLeft(late, 0, SERVER_NOW + 5000), 0)
  assert.equal(secondsLeft(null), 0)
  assert.equal(serverOffset('not a date', 5), 0)
})

test('the countdown shows minutes and seconds, hours past an hour, and rounds up', () => {
  assert.equal(formatClock(0), '0:00')
  assert.equal(formatClock(0.2), '0:01')
  assert.equal(formatClock(59.01), '1:00')
  assert.equal(formatClock(754), '12:34')
  assert.equal(formatClock(3723), '1:02:03')
  assert.equal(formatClock(-5), '0:00')
})

test('screen readers hear whole minutes worth announcing, and when time is up', () => {
  assert.deepEqual(minuteCrossing(300.2, 299.8), { minutes: 5 })
  assert.deepEqual(minuteCrossing(60.1, 59.9), { minutes: 1 })
  assert.deepEqual(minuteCrossing(600.1, 599.9), { minutes: 10 })
  assert.equal(minuteCrossing(420.1, 419.9), null) // 7 minutes: not worth a word
  assert.equal(minuteCrossing(299.5, 299.2), null) // no whole minute crossed
  assert.deepEqual(minuteCrossing(0.3, 0), { timeUp: true })
  assert.equal(minuteCrossing(0, 0), null)
  assert.equal(minuteCrossing(null, 120), null) // a fresh state: no announcement of a jump
  assert.equal(minuteCrossing(100, 400), null) // extended: the clock went up
  assert.deepEqual([1, 2, 5, 6, 15, 45].map(worthAnnouncing), [true, true, true, false, true, true])
})
