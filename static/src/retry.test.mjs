// A connection refused as `unavailable` is tried again, later and later; other refusals are not.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { retryWhenUnavailable } from './retry.js'

function fakeSocket () {
  const handlers = {}
  return {
    active: false,
    connected: false,
    connects: 0,
    on (event, handler) { handlers[event] = handler },
    connect () { this.connects += 1 },
    fire (event, arg) { handlers[event](arg) }
  }
}

test('an unavailable server is tried again after 1 s, then 2, 4… up to 30 s, and from 1 s once connected', () => {
  const socket = fakeSocket()
  const waits = []
  const timers = []
  retryWhenUnavailable(socket, { later: (fn, ms) => { waits.push(ms); timers.push(fn) }, random: () => 0.5 })
  for (let n = 0; n < 7; n++) {
    socket.fire('connect_error', new Error('unavailable'))
    socket.fire('connect_error', new Error('unavailable')) // a second error while one retry waits: no second timer
    timers.shift()()
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 30000, 30000])
  assert.equal(socket.connects, 7)
  socket.fire('connect')
  socket.fire('connect_error', new Error('unavailable'))
  assert.equal(waits.at(-1), 1000)
})

test('other refusals, and errors Socket.IO retries itself, are left alone', () => {
  const socket = fakeSocket()
  const waits = []
  retryWhenUnavailable(socket, { later: (fn, ms) => waits.push(ms) })
  socket.fire('connect_error', new Error('unauthorized'))
  socket.fire('connect_error', new Error('too_many_sockets'))
  socket.active = true // a lost connection: Socket.IO's own reconnection is on it
  socket.fire('connect_error', new Error('unavailable'))
  assert.deepEqual(waits, [])
})
