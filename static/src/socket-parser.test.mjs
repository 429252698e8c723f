// The MessagePack Socket.IO parser (socket-parser.js) against packets as python-socketio writes them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decode } from '@msgpack/msgpack'
import { Decoder, Encoder, PacketType } from './socket-parser.js'

const hex = (text) => Uint8Array.from(text.match(/../g), (pair) => parseInt(pair, 16))
// msgpack.dumps(...) in Python, as the server sends them:
const PY_YJS = hex('83a47479706502a46461746193a3796a7307c403000201a36e7370a12f') // event ["yjs", 7, b"\0\2\1"]
const PY_ACK = hex('84a47479706503a4646174619181a26f6bc3a36e7370a12fa269640c') // ack 12 [{"ok": true}]
const PY_DISCONNECT = hex('83a47479706501a464617461c0a36e7370a12f') // data: nil

const decoded = (chunk) => {
  const decoder = new Decoder()
  let out = null
  decoder.on('decoded', (packet) => { out = packet })
  decoder.add(chunk)
  return out
}

test('a binary event is one frame, and its bytes are exactly the view that was sent', () => {
  const backing = Uint8Array.from([9, 9, 0, 2, 1, 9])
  const message = backing.subarray(2, 5) // a view that does not start at its buffer's start
  const frames = new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['yjs', 7, message], id: 3 })
  assert.equal(frames.length, 1)
  const packet = decode(frames[0])
  assert.deepEqual(packet.data[2], Uint8Array.from([0, 2, 1]))
  assert.equal(packet.id, 3)
  assert.equal('id' in decode(new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['x'] })[0]), false)
})

test('the server\'s packets decode: bytes as Uint8Array, nil payloads and ids as absent', () => {
  const event = decoded(PY_YJS.buffer) // a browser hands over an ArrayBuffer
  assert.deepEqual(event.data.slice(0, 2), ['yjs', 7])
  assert.ok(event.data[2] instanceof Uint8Array)
  assert.deepEqual([...event.data[2]], [0, 2, 1])
  assert.deepEqual(decoded(Buffer.from(PY_ACK)), { type: PacketType.ACK, nsp: '/', data: [{ ok: true }], id: 12 })
  assert.deepEqual(decoded(PY_DISCONNECT), { type: PacketType.DISCONNECT, nsp: '/' })
})

test('what is not a Socket.IO packet in MessagePack is refused', () => {
  const encode = (value) => new Encoder().encode(value)[0]
  const refused = [
    '42["yjs",1]', // Socket.IO's default (JSON) encoding
    hex('c1'), // not msgpack
    hex('93010203'), // an array, not a map
    encode({ type: 9, nsp: '/', data: [] }),
    encode({ type: PacketType.EVENT, nsp: 1, data: [] }),
    encode({ type: PacketType.EVENT, nsp: '/', data: 'x' }),
    encode({ type: PacketType.EVENT, nsp: '/', data: [], id: 1.5 }),
    encode({ type: PacketType.CONNECT, nsp: '/', data: [1] }),
    encode({ type: PacketType.DISCONNECT, nsp: '/', data: 'x' })
  ]
  for (const chunk of refused) assert.throws(() => decoded(chunk), Error, String(chunk))
})
