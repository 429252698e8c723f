/**
 * Test double: an in-memory Socket.IO server speaking Plume's story protocol (DESIGN §4) and client sockets
 * with the parts of the socket.io-client API the provider uses (on/off/emit/timeout, connected, active, io).
 * Messages are delivered asynchronously and in order, binary as ArrayBuffer like in a browser.
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

const later = (fn) => setImmediate(fn)
const copyBuffer = (u8) => u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength)

class Emitter {
  constructor () { this._handlers = new Map() }
  on (ev, fn) {
    if (!this._handlers.has(ev)) this._handlers.set(ev, new Set())
    this._handlers.get(ev).add(fn)
    return this
  }

  off (ev, fn) {
    this._handlers.get(ev)?.delete(fn)
    return this
  }

  _fire (ev, ...args) {
    for (const fn of [...(this._handlers.get(ev) || [])]) fn(...args)
  }
}

export class FakeServer {
  constructor () {
    /** @type {Map<string, {doc: Y.Doc, log: Uint8Array[], writable: boolean, room: Set<FakeSocket>}>} */
    this.stories = new Map()
    this.received = [] // [{socket, event, args}]
    this.dropAcks = 0 // drop that many update acks (simulates a lost ack)
  }

  story (id) {
    const key = String(id)
    if (!this.stories.has(key)) this.stories.set(key, { doc: new Y.Doc(), log: [], writable: true, room: new Set() })
    return this.stories.get(key)
  }

  text (id) { return this.story(id).doc.getText('body').toString() }

  /** Server-side handling of one client event. */
  handle (socket, event, args) {
    this.received.push({ socket, event, args })
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null
    if (event === 'story:open') {
      const story = this.story(args[0].story_id)
      story.room.add(socket)
      // Like Flask-SocketIO: the handler emits its step 1 before it returns the ack value.
      const enc = encoding.createEncoder()
      encoding.writeVarUint(enc, 0)
      encoding.writeVarUint(enc, 0)
      encoding.writeVarUint8Array(enc, Y.encodeStateVector(story.doc))
      socket._deliver('yjs', args[0].story_id, encoding.toUint8Array(enc))
      ack?.({ ok: true, writable: story.writable })
    } else if (event === 'story:close') {
      this.story(args[0].story_id).room.delete(socket)
    } else if (event === 'yjs') {
      const [storyId, bytes] = args
      const story = this.story(storyId)
      if (!story.room.has(socket)) return ack?.({ ok: false, error: { code: 'forbidden', message: 'not open' } })
      const dec = decoding.createDecoder(new Uint8Array(bytes))
      const type = decoding.readVarUint(dec)
      if (type === 1) {
        for (const peer of story.room) if (peer !== socket) peer._deliver('yjs', storyId, bytes)
        return ack?.({ ok: true })
      }
      const sub = decoding.readVarUint(dec)
      if (sub === 0) {
        const sv = decoding.readVarUint8Array(dec)
        const enc = encoding.createEncoder()
        encoding.writeVarUint(enc, 0)
        encoding.writeVarUint(enc, 1)
        encoding.writeVarUint8Array(enc, Y.encodeStateAsUpdate(story.doc, sv))
        socket._deliver('yjs', storyId, encoding.toUint8Array(enc))
        return ack?.({ ok: true })
      }
      if (!story.writable) return ack?.({ ok: false, error: { code: 'locked', message: 'locked' } })
      const update = decoding.readVarUint8Array(dec)
      try {
        Y.applyUpdate(story.doc, update)
      } catch {
        return ack?.({ ok: false, error: { code: 'malformed', message: 'bad update' } })
      }
      story.log.push(update) // "durably stored", then acked and relayed as an update message
      const enc = encoding.createEncoder()
      encoding.writeVarUint(enc, 0)
      encoding.writeVarUint(enc, 2)
      encoding.writeVarUint8Array(enc, update)
      const relay = encoding.toUint8Array(enc)
      for (const peer of story.room) if (peer !== socket) peer._deliver('yjs', storyId, relay)
      if (this.dropAcks > 0) {
        this.dropAcks--
        return
      }
      ack?.() // python-socketio acks a handler that returned None with no arguments
    }
  }

  drop (socket) {
    for (const story of this.stories.values()) story.room.delete(socket)
  }
}

export class FakeSocket extends Emitter {
  constructor (server) {
    super()
    this.server = server
    this.connected = false
    this.active = false
    this.io = new Emitter()
    this.sent = [] // [event, ...args] as emitted by the client
    this._flags = {}
  }

  connect () {
    this.active = true
    later(() => {
      if (this.connected || !this.active) return
      this.connected = true
      this._fire('connect')
    })
    return this
  }

  /** A network drop: the client stays active (it would reconnect) but the server forgets the socket. */
  drop () {
    if (!this.connected) return
    this.connected = false
    this.server.drop(this)
    const acks = this._pendingAcks
    this._pendingAcks = new Set()
    for (const ack of acks) ack(new Error('socket has been disconnected'))
    this._fire('disconnect', 'transport close')
  }

  reconnect () {
    this.connected = false
    return this.connect()
  }

  disconnect () {
    this.active = false
    this.drop()
  }

  timeout (ms) {
    this._flags.timeout = ms
    return this
  }

  emit (event, ...args) {
    const timeout = this._flags.timeout
    this._flags = {}
    this.sent.push([event, ...args])
    if (!this.connected) return this // (a real client would buffer; the provider never relies on it)
    const last = args[args.length - 1]
    if (typeof last === 'function') {
      let done = false
      let timer = null
      const finish = (...res) => {
        if (done) return
        done = true
        clearTimeout(timer)
        this._pendingAcks.delete(finish)
        if (timeout !== undefined) last(...res)
        else last(...res.slice(1))
      }
      this._pendingAcks.add(finish)
      if (timeout !== undefined) {
        timer = setTimeout(() => finish(new Error('operation has timed out')), timeout)
      }
      args[args.length - 1] = (...res) => later(() => finish(null, ...res))
    }
    const wire = args.map((a) => (a instanceof Uint8Array ? new Uint8Array(a) : a))
    later(() => this.connected && this.server.handle(this, event, wire))
    return this
  }

  _deliver (event, ...args) {
    const wire = args.map((a) => (a instanceof Uint8Array ? copyBuffer(a) : a))
    later(() => this.connected && this._fire(event, ...wire))
  }

  get _pendingAcks () { return this.__acks || (this.__acks = new Set()) }
  set _pendingAcks (v) { this.__acks = v }
}

/** Resolve once cond() is true (checked after each turn of the event loop), or reject after ms. */
export const until = (cond, ms = 2000) => new Promise((resolve, reject) => {
  const start = Date.now()
  const tick = () => {
    if (cond()) return resolve()
    if (Date.now() - start > ms) return reject(new Error('condition not met in time: ' + cond))
    setTimeout(tick, 2)
  }
  tick()
})
