// Run with `npm test` (node --test). Two or three Y.Docs talk through the real provider and an in-memory
// server that speaks DESIGN §4; every test checks convergence or the exact bytes on the wire.
import { test, afterEach } from 'node:test'

import assert from 'node:assert/strict'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { Awareness } from 'y-protocols/awareness'
import {
  SocketIOProvider, encodeUpdateMessage, encodeSyncStep1, encodeAwarenessMessage, isEmptyUpdate, toUint8Array,
  nextRetryDelay
} from './provider.js'
import { FakeServer, FakeSocket, until } from './fake-socket.mjs'

const STORY = 7
const live = []
afterEach(() => close(...live.splice(0)))

function client (server, { name = 'x', storyId = STORY, connect = true, ...opts } = {}) {
  const socket = new FakeSocket(server)
  const doc = new Y.Doc()
  const awareness = new Awareness(doc)
  awareness.setLocalStateField('user', { name, color: '#9a3412' })
  const provider = new SocketIOProvider(socket, doc, storyId, awareness, { window: null, ...opts })
  const errors = []
  const statuses = []
  const saves = []
  provider.on('error', (e) => errors.push(e))
  provider.on('status', (s) => statuses.push(s))
  provider.on('save', (s) => saves.push(s))
  if (connect) socket.connect()
  const text = doc.getText('body')
  const handle = { socket, doc, awareness, provider, text, errors, statuses, saves, str: () => text.toString() }
  live.push(handle)
  return handle
}

function close (...clients) {
  for (const c of clients) {
    if (c.closed) continue
    c.closed = true
    c.provider.destroy()
    c.awareness.destroy()
    c.doc.destroy()
  }
}

const sentYjs = (c, type) => c.socket.sent.filter(([ev, , bytes]) => ev === 'yjs' && (type === undefined || toUint8Array(bytes)[0] === type))

test('message encoding follows y-protocols (y-websocket bytes)', () => {
  const doc = new Y.Doc()
  doc.getText('body').insert(0, 'hi')
  const step1 = encodeSyncStep1(doc)
  let d = decoding.createDecoder(step1)
  assert.equal(decoding.readVarUint(d), 0)
  assert.equal(decoding.readVarUint(d), 0)
  assert.deepEqual(decoding.readVarUint8Array(d), Y.encodeStateVector(doc))

  const update = Y.encodeStateAsUpdate(doc)
  d = decoding.createDecoder(encodeUpdateMessage(update))
  assert.equal(decoding.readVarUint(d), 0)
  assert.equal(decoding.readVarUint(d), 2)
  assert.deepEqual(decoding.readVarUint8Array(d), update)

  const awareness = new Awareness(doc)
  awareness.setLocalState({ user: { name: 'A' } })
  d = decoding.createDecoder(encodeAwarenessMessage(awareness, [doc.clientID]))
  assert.equal(decoding.readVarUint(d), 1)
  assert.ok(decoding.readVarUint8Array(d).length > 0)
  awareness.destroy()

  assert.ok(isEmptyUpdate(Y.encodeStateAsUpdate(new Y.Doc())))
  assert.ok(!isEmptyUpdate(update))
  assert.deepEqual(toUint8Array(new Uint8Array([1, 2]).buffer), new Uint8Array([1, 2]))
})

test('two clients converge through the provider, updates are acked and saved', async () => {
  const server = new FakeServer()
  const a = client(server, { name: 'A' })
  const b = client(server, { name: 'B' })
  await until(() => a.provider.synced && b.provider.synced)
  assert.equal(a.provider.status, 'connected')
  assert.equal(a.provider.writable, true)

  a.text.insert(0, 'Hello')
  b.text.insert(0, 'World ')
  assert.equal(a.provider.saveState, 'saving')
  await until(() => a.str() === b.str() && a.str().length === 11 && a.provider.saved && b.provider.saved)
  assert.equal(server.text(STORY), a.str())

  // Concurrent typing from both sides, many small updates.
  for (let i = 0; i < 20; i++) {
    a.text.insert(a.text.length, 'a')
    b.text.insert(0, 'b')
  }
  await until(() => a.str() === b.str() && a.str().length === 51 && a.provider.saved && b.provider.saved)
  assert.equal(server.text(STORY), a.str())

  // Each local update went out as one sync update message (0, 2, ...).
  const updates = sentYjs(a, 0).map(([, , bytes]) => toUint8Array(bytes)).filter((u) => u[1] === 2)
  assert.equal(updates.length, 21)
  assert.deepEqual(a.saves.slice(0, 2), ['saving', 'saved'])
  close(a, b)
})

test('the client opens with story:open, then sends step 1 and answers the server step 1 with step 2', async () => {
  const server = new FakeServer()
  const seed = server.story(STORY).doc
  seed.getText('body').insert(0, 'Once upon a time')
  const c = client(server)
  await until(() => c.provider.synced)
  assert.equal(c.str(), 'Once upon a time')
  const [first, second] = c.socket.sent
  assert.equal(first[0], 'story:open')
  assert.deepEqual(first[1], { story_id: STORY })
  assert.equal(second[0], 'yjs')
  assert.equal(second[1], STORY)
  assert.deepEqual([...toUint8Array(second[2]).slice(0, 2)], [0, 0])
  // A fresh client has nothing the server lacks: no step 2 is sent back.
  assert.equal(sentYjs(c, 0).filter(([, , b]) => toUint8Array(b)[1] === 1).length, 0)
  assert.equal(c.provider.saveState, 'saved')
  close(c)
})

test('edits made while offline are kept and merge on reconnect', async () => {
  const server = new FakeServer()
  const a = client(server, { name: 'A' })
  const b = client(server, { name: 'B' })
  await until(() => a.provider.synced && b.provider.synced)
  a.text.insert(0, 'shared. ')
  await until(() => b.str() === 'shared. ' && a.provider.saved)

  a.socket.drop()
  assert.equal(a.provider.status, 'reconnecting')
  a.text.insert(a.text.length, 'offline A. ')
  a.text.delete(0, 1)
  assert.equal(a.provider.saveState, 'unsaved')
  b.text.insert(b.text.length, 'online B. ')
  await until(() => b.provider.saved)
  assert.ok(!b.str().includes('offline A'))

  a.socket.reconnect()
  await until(() => a.provider.status === 'connected' && a.provider.saved && a.str() === b.str() && b.str().includes('offline A'))
  assert.equal(server.text(STORY), a.str())
  assert.ok(a.str().includes('online B'))
  assert.ok(a.str().startsWith('hared.'))
  // The offline edits went up as one step 2 (0, 1, ...), answered with an ack.
  assert.ok(sentYjs(a, 0).some(([, , bytes]) => toUint8Array(bytes)[1] === 1))
  assert.ok(a.statuses.includes('reconnecting'))
  close(a, b)
})

test('an update sent before the drop and never acked is re-sent through the step 2 on reconnect', async () => {
  const server = new FakeServer()
  const a = client(server)
  const b = client(server)
  await until(() => a.provider.synced && b.provider.synced)
  a.text.insert(0, 'lost in flight')
  a.socket.drop() // before the emit reached the server
  assert.equal(a.provider.saveState, 'unsaved')
  a.socket.reconnect()
  await until(() => a.provider.saved && a.provider.status === 'connected' && b.str() === 'lost in flight')
  assert.equal(server.text(STORY), 'lost in flight')
  close(a, b)
})

test('a locked story: the error ack is surfaced once, nothing loops, the edit goes out after unlock', async () => {
  const server = new FakeServer()
  const a = client(server)
  await until(() => a.provider.synced)
  server.story(STORY).writable = false
  const writableEvents = []
  a.provider.on('writable', (w) => writableEvents.push(w))

  a.text.insert(0, 'typed as the lock fell')
  await until(() => a.errors.length > 0)
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.deepEqual(a.errors.map((e) => e.code), ['locked'])
  assert.equal(a.errors[0].during, 'update')
  assert.deepEqual(writableEvents, [false])
  assert.equal(a.provider.writable, false)
  assert.equal(a.provider.saveState, 'unsaved')
  const before = a.socket.sent.length
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(a.socket.sent.length, before, 'no retry loop')

  // A re-open while still locked does not push the change either.
  a.provider.resync()
  await until(() => a.provider.synced)
  assert.equal(server.text(STORY), '')
  assert.equal(a.provider.saveState, 'unsaved')

  server.story(STORY).writable = true
  a.provider.resync()
  await until(() => a.provider.saved && a.provider.writable === true)
  assert.equal(server.text(STORY), 'typed as the lock fell')
  close(a)
})

test('a lost ack times out, is reported, and the change is stored by the re-sync', async () => {
  const server = new FakeServer()
  server.dropAcks = 1
  const a = client(server, { ackTimeout: 40 })
  await until(() => a.provider.synced)
  a.text.insert(0, 'x')
  await until(() => a.errors.some((e) => e.code === 'timeout'))
  await until(() => a.provider.saved, 3000)
  assert.equal(server.text(STORY), 'x')
  close(a)
})

test('updates from ignored origins (IndexedDB) are not sent one by one but reach the server via step 2', async () => {
  const server = new FakeServer()
  server.story(STORY).doc.getText('body').insert(0, 'server ')
  const idbOrigin = { name: 'idb' }
  const a = client(server, { connect: false, ignoreOrigins: [idbOrigin] })
  // What a previous session typed offline, loaded from IndexedDB before connecting.
  const offline = new Y.Doc()
  offline.getText('body').insert(0, 'kept offline')
  Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(offline), idbOrigin)
  a.socket.connect()
  await until(() => a.provider.synced && a.provider.saved && server.text(STORY).includes('kept offline'))
  assert.equal(a.str(), server.text(STORY))
  assert.equal(sentYjs(a, 0).filter(([, , b]) => toUint8Array(b)[1] === 2).length, 0)
  close(a)
})

test('awareness: states are relayed, a newcomer learns about peers, removal on drop and on destroy', async () => {
  const server = new FakeServer()
  const a = client(server, { name: 'Ada' })
  await until(() => a.provider.synced)
  const b = client(server, { name: 'Bo' })
  await until(() => b.provider.synced)
  // b announced itself on open; a answered at once with its own state, so b sees a without waiting 15 s.
  await until(() => b.awareness.getStates().get(a.doc.clientID)?.user?.name === 'Ada')
  await until(() => a.awareness.getStates().get(b.doc.clientID)?.user?.name === 'Bo')

  a.awareness.setLocalStateField('cursor', { anchor: 1, head: 2 })
  a.awareness.setLocalStateField('cursor', { anchor: 2, head: 3 })
  await until(() => b.awareness.getStates().get(a.doc.clientID)?.cursor?.head === 3)

  b.socket.drop()
  assert.equal(b.awareness.getStates().has(a.doc.clientID), false, 'remote states are removed while away')
  b.socket.reconnect()
  await until(() => b.awareness.getStates().get(a.doc.clientID)?.user?.name === 'Ada')

  a.provider.destroy()
  await until(() => !b.awareness.getStates().has(a.doc.clientID))
  assert.deepEqual(a.socket.sent.at(-1), ['story:close', { story_id: STORY }])
  close(a, b)
})

/** A window whose listeners the test calls itself: `listeners.online()`, `listeners.beforeunload()`. */
function fakeWindow () {
  const listeners = {}
  return {
    listeners,
    window: {
      addEventListener: (ev, fn) => { listeners[ev] = fn },
      removeEventListener: (ev) => { delete listeners[ev] }
    }
  }
}

test('unload sends the awareness removal at once', async () => {
  const server = new FakeServer()
  const { listeners, window } = fakeWindow()
  const a = client(server, { window })
  const b = client(server)
  await until(() => a.provider.synced && b.awareness.getStates().has(a.doc.clientID))
  listeners.beforeunload()
  await until(() => !b.awareness.getStates().has(a.doc.clientID))
  close(a, b)
})

test('back online, it connects at once instead of waiting for the backoff (issue 28, item 2)', async () => {
  const server = new FakeServer()
  const { listeners, window } = fakeWindow()
  const a = client(server, { window })
  await until(() => a.provider.synced)
  a.socket.drop() // still active: Socket.IO would retry after its backoff, which the fake never does
  listeners.offline()
  assert.equal(a.provider.status, 'offline')
  listeners.online()
  await until(() => a.provider.status === 'connected' && a.provider.synced)
  close(a)
})

test('status: connecting, then offline when the connection is refused', async () => {
  const server = new FakeServer()
  const a = client(server, { connect: false })
  assert.equal(a.provider.status, 'connecting')
  a.socket.active = false
  a.socket._fire('connect_error', new Error('unauthorized'))
  assert.equal(a.provider.status, 'offline')
  assert.equal(a.errors[0].code, 'connect_refused')
  close(a)
})

test('messages for another story are ignored', async () => {
  const server = new FakeServer()
  const a = client(server)
  await until(() => a.provider.synced)
  const other = new Y.Doc()
  other.getText('body').insert(0, 'elsewhere')
  a.socket._deliver('yjs', 8, encodeUpdateMessage(Y.encodeStateAsUpdate(other)))
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(a.str(), '')
  close(a)
})

test('a client the page keeps read-only pushes nothing, not even its step 2, until allowed', async () => {
  const server = new FakeServer()
  const seed = client(server)
  await until(() => seed.provider.synced)
  seed.text.insert(0, 'abcdef')
  seed.text.delete(0, 2) // the doc now has a delete set: every step 2 would carry it
  await until(() => seed.provider.saved)

  const reader = client(server, { localWritable: false })
  await until(() => reader.provider.synced && reader.str() === 'cdef')
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(sentYjs(reader, 0).filter(([, , b]) => toUint8Array(b)[1] !== 0).length, 0, 'no step 2, no update')
  assert.deepEqual(reader.errors, [])

  // Offline-made content reaches the server once the page lets this client write.
  const idbOrigin = {}
  const extra = new Y.Doc()
  extra.getText('body').insert(0, 'Z')
  Y.applyUpdate(reader.doc, Y.encodeStateAsUpdate(extra), idbOrigin)
  reader.provider.setLocalWritable(true)
  await until(() => server.text(STORY).includes('Z') && reader.provider.saved)
})

test('story:access turns writing off and back on; what was typed meanwhile goes out when it returns', async () => {
  const server = new FakeServer()
  const a = client(server)
  await until(() => a.provider.synced && a.provider.writable === true)
  server.story(STORY).writable = false
  a.socket._deliver('story:access', { story_id: STORY, writable: false })
  await until(() => a.provider.writable === false)
  a.socket._deliver('story:access', { story_id: STORY + 1, writable: true }) // another story's: ignored
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(a.provider.writable, false)
  server.story(STORY).writable = true
  a.socket._deliver('story:access', { story_id: STORY, writable: true })
  await until(() => a.provider.writable === true && a.provider.synced)
  a.text.insert(0, 'back')
  await until(() => server.text(STORY) === 'back')
})

test('story:revoked: the story is closed for this client, reported once, and nothing more is sent', async () => {
  const server = new FakeServer()
  const a = client(server)
  await until(() => a.provider.synced)
  a.socket._deliver('story:revoked', { story_id: STORY + 1 }) // not ours
  await new Promise((resolve) => setTimeout(resolve, 20))
  assert.equal(a.errors.length, 0)
  a.socket._deliver('story:revoked', { story_id: STORY })
  await until(() => a.errors.length === 1)
  assert.deepEqual([a.errors[0].code, a.errors[0].during], ['forbidden', 'revoked'])
  assert.equal(a.provider.writable, false)
  assert.equal(a.provider.status, 'offline')
  const before = sentYjs(a).length
  a.text.insert(0, 'not sent')
  await new Promise((resolve) => setTimeout(resolve, 30))
  assert.equal(sentYjs(a).length, before)
})

test('an out_of_sync refusal re-syncs at once, and the change reaches the server through the step 2', async () => {
  const server = new FakeServer()
  const a = client(server)
  await until(() => a.provider.synced)
  const realHandle = server.handle.bind(server)
  let refuseNext = true
  server.handle = (socket, event, args) => {
    const bytes = event === 'yjs' ? toUint8Array(args[1]) : null
    if (refuseNext && bytes && bytes[0] === 0 && bytes[1] === 2) {
      refuseNext = false
      const ack = args[args.length - 1]
      return ack({ ok: false, error: { code: 'out_of_sync', message: 'builds on what the story lacks' } })
    }
    return realHandle(socket, event, args)
  }
  a.text.insert(0, 'healed')
  await until(() => server.text(STORY) === 'healed' && a.provider.saved)
  assert.equal(refuseNext, false, 'the first update was refused')
  assert.deepEqual(a.errors, [], 'a re-sync, not an error for people')
})

test('the retry delay doubles from 1 s up to 30 s', () => {
  const delays = []
  let delay = 0
  for (let i = 0; i < 8; i++) delays.push(delay = nextRetryDelay(delay))
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
})

for (const code of ['rate_limited', 'unavailable']) {
  test(`a ${code} refusal is reported, then re-synced after a backoff: the change reaches the server`, async () => {
    const server = new FakeServer()
    const a = client(server)
    await until(() => a.provider.synced)
    const realHandle = server.handle.bind(server)
    let refused = 0
    server.handle = (socket, event, args) => {
      const bytes = event === 'yjs' ? toUint8Array(args[1]) : null
      if (refused < 3 && bytes && bytes[0] === 0 && bytes[1] === 2) {
        refused++
        return args[args.length - 1]({ ok: false, error: { code, message: 'later' } })
      }
      return realHandle(socket, event, args)
    }
    const opens = () => a.socket.sent.filter(([ev]) => ev === 'story:open').length
    const before = opens()
    const delays = [] // the backoffs scheduled (read when scheduled: a slow machine may run the retry before we look)
    const schedule = a.provider._scheduleResync.bind(a.provider)
    a.provider._scheduleResync = (ms) => { if (!a.provider._resyncTimer) delays.push(ms); schedule(ms) }
    a.text.insert(0, 'a')
    a.text.insert(1, 'b')
    a.text.insert(2, 'c') // three refusals in one burst: one re-sync, after 1 s
    await until(() => a.errors.length === 3) // the acks reached the provider (not only the server)
    assert.deepEqual(delays, [1000])
    await until(() => server.text(STORY) === 'abc' && a.provider.saved, 3000)
    assert.equal(opens(), before + 1, 'one re-open for the whole burst')
    assert.equal(a.errors.length, 3)
    assert.ok(a.errors.every((e) => e.code === code && e.during === 'update'))
    assert.equal(a.provider._retryDelay, 0, 'a stored change resets the backoff')
  })
}

for (const code of ['rate_limited', 'unavailable']) {
  test(`an opening refused ${code} is reported, then tried again after a backoff, and syncs`, async () => {
    const server = new FakeServer()
    const realHandle = server.handle.bind(server)
    let refused = 0
    server.handle = (socket, event, args) => {
      if (event === 'story:open' && refused < 2) {
        refused++
        return args[args.length - 1]({ ok: false, error: { code, message: 'later' } })
      }
      return realHandle(socket, event, args)
    }
    const a = client(server)
    const delays = []
    const schedule = a.provider._scheduleResync.bind(a.provider)
    a.provider._scheduleResync = (ms) => { if (!a.provider._resyncTimer) delays.push(ms); schedule(ms) }
    await until(() => a.provider.synced, 5000)
    assert.deepEqual(delays, [1000, 2000])
    assert.deepEqual(a.errors.map((e) => [e.code, e.during]), [[code, 'open'], [code, 'open']])
    a.text.insert(0, 'in')
    await until(() => server.text(STORY) === 'in' && a.provider.saved, 3000)
  })
}

test('an opening refused forbidden is not tried again', async () => {
  const server = new FakeServer()
  const realHandle = server.handle.bind(server)
  server.handle = (socket, event, args) => {
    if (event === 'story:open') return args[args.length - 1]({ ok: false, error: { code: 'forbidden', message: 'no' } })
    return realHandle(socket, event, args)
  }
  const a = client(server)
  await until(() => a.errors.length === 1)
  await new Promise((resolve) => setTimeout(resolve, 1200))
  assert.equal(a.socket.sent.filter(([ev]) => ev === 'story:open').length, 1)
  assert.equal(a.provider._resyncTimer, null)
})

test('a story the server does not let us write: what this doc holds and it lacks is reported as unsent (issue 28)', async () => {
  const server = new FakeServer()
  const a = client(server)
  await until(() => a.provider.synced)
  a.text.insert(0, 'kept. ')
  a.text.delete(0, 1) // a delete set that the server has: nothing unsent because of it
  await until(() => a.provider.saved)
  const unsent = []
  a.provider.on('unsent', (update) => unsent.push(update))
  a.provider.resync()
  await until(() => a.provider.synced)
  assert.equal(unsent.length, 0, 'the server has everything')

  server.story(STORY).writable = false
  a.text.insert(a.text.length, 'typed as the lock fell')
  await until(() => a.errors.length > 0)
  assert.equal(unsent.length, 0, 'a refused update alone re-opens nothing')
  a.provider.resync()
  await until(() => unsent.length === 1)
  assert.match(JSON.stringify(Y.decodeUpdate(unsent[0]).structs.map((s) => s.content.str)), /typed as the lock fell/)
  assert.equal(server.text(STORY), 'ept. ')
  close(a)
})

test('a deletion the server refused is reported as unsent too, though it changes no state vector (issue 28)', async () => {
  const server = new FakeServer()
  const a = client(server)
  await until(() => a.provider.synced)
  a.text.insert(0, 'kept words')
  await until(() => a.provider.saved)
  const unsent = []
  a.provider.on('unsent', (update) => unsent.push(update))

  server.story(STORY).writable = false
  a.text.delete(0, 5) // only a delete set: the server's state vector still equals ours
  await until(() => a.errors.length > 0)
  a.provider.resync()
  await until(() => unsent.length === 1).catch((error) => { throw new Error(`${error.message}; errors ${JSON.stringify(a.errors)}, writable ${a.provider.writable}`) })
  assert.equal(Y.decodeUpdate(unsent[0]).structs.length, 0, 'nothing inserted: a deletion only')
  assert.equal(server.text(STORY), 'kept words', 'the server kept the text')
  a.provider.resync()
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(unsent.length, 2, 'each opening reports it again while it lasts')
  close(a)
})

for (const code of ['forbidden', 'malformed']) {
  test(`a ${code} refusal: nothing more is pushed, and the next opening reports the refused change as unsent, with its code`, async () => {
    const server = new FakeServer()
    const a = client(server)
    await until(() => a.provider.synced)
    a.text.insert(0, 'kept. ')
    await until(() => a.provider.saved)
    const realHandle = server.handle.bind(server)
    let refuse = true
    const pushed = []
    server.handle = (socket, event, args) => {
      const bytes = event === 'yjs' ? toUint8Array(args[1]) : null
      if (bytes && bytes[0] === 0 && bytes[1] !== 0) pushed.push(bytes[1])
      if (refuse && bytes && bytes[0] === 0 && bytes[1] === 2) {
        refuse = false // the server refuses this one change; it would take the next ones, were they sent
        return args[args.length - 1]({ ok: false, error: { code, message: 'no' } })
      }
      return realHandle(socket, event, args)
    }
    const unsent = []
    a.provider.on('unsent', (...args) => unsent.push(args))
    a.doc.getArray('board').push([new Y.Map([['id', 'c1']])]) // stands for the refused dots
    await until(() => a.errors.length === 1)
    assert.equal(a.provider.refused, code)
    assert.notEqual(a.provider.writable, false, 'the story may still be written: only this copy is refused')
    a.text.insert(a.text.length, 'typed after')
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(pushed, [2], 'the later change is not pushed: it builds on the refused one')
    assert.equal(a.provider.saveState, 'unsaved')

    a.provider.resync()
    await until(() => unsent.length === 1)
    const [update, stateVector, refused] = unsent[0]
    assert.equal(refused, code)
    assert.deepEqual(pushed, [2], 'the re-open sends no step 2 either')
    assert.ok(Y.decodeUpdate(update).structs.length > 0)
    assert.deepEqual(Y.decodeStateVector(stateVector), Y.decodeStateVector(Y.encodeStateVector(server.story(STORY).doc)))
    assert.equal(server.text(STORY), 'kept. ')
    close(a)
  })
}

test('a lock does not mark the copy refused: it is not the copy the server refuses', async () => {
  const server = new FakeServer()
  const a = client(server)
  await until(() => a.provider.synced)
  server.story(STORY).writable = false
  a.text.insert(0, 'x')
  await until(() => a.errors.length === 1)
  assert.equal(a.errors[0].code, 'locked')
  assert.equal(a.provider.refused, null)
  close(a)
})

test('a forbidden refusal, then a re-open that may not write: unsent without a code (the lock says more)', async () => {
  const server = new FakeServer()
  const a = client(server)
  await until(() => a.provider.synced)
  const realHandle = server.handle.bind(server)
  server.handle = (socket, event, args) => {
    const bytes = event === 'yjs' ? toUint8Array(args[1]) : null
    if (bytes && bytes[0] === 0 && bytes[1] === 2) return args[args.length - 1]({ ok: false, error: { code: 'forbidden', message: 'no' } })
    return realHandle(socket, event, args)
  }
  const unsent = []
  a.provider.on('unsent', (...args) => unsent.push(args))
  a.text.insert(0, 'refused')
  await until(() => a.provider.refused === 'forbidden')
  server.story(STORY).writable = false
  a.provider.resync()
  await until(() => unsent.length === 1)
  assert.equal(unsent[0][2], null)
  assert.equal(a.provider.writable, false)
  close(a)
})
