// A Plume story client on npm's standard MessagePack parser, `socket.io-msgpack-parser` (notepack.io), as
// a third-party integrator would write it: socket.io-client + yjs + y-protocols, binary messages as the
// plain `Uint8Array`s that lib0 makes. Run by tests/stories/test_standard_parser.py:
//   node standard_parser_client.mjs URL TOKEN STORY_ID TEXT
// Opens the story, syncs, appends TEXT, waits for the server's ack, then prints one JSON line:
// {"open": ack, "ack": ack of the update, "text": the story as this client then holds it, "disconnect": reason}.
import { io } from 'socket.io-client'
import parser from 'socket.io-msgpack-parser'
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

const [url, token, storyArg, text] = process.argv.slice(2)
const storyId = Number(storyArg)
const fail = (why) => { console.error(why); process.exit(1) }
setTimeout(() => fail('timed out'), 20000).unref()

const doc = new Y.Doc()
const body = doc.getText('body')
const socket = io(url, { parser, transports: ['websocket'], auth: { token }, reconnection: false })
let synced
const syncedPromise = new Promise((resolve) => { synced = resolve })

socket.on('connect_error', (error) => fail(`connect_error: ${error.message}`))
socket.on('yjs', (id, message) => {
  if (id !== storyId) return
  const decoder = decoding.createDecoder(new Uint8Array(message))
  if (decoding.readVarUint(decoder) !== 0) return // awareness: not used here
  const reply = encoding.createEncoder()
  encoding.writeVarUint(reply, 0)
  const kind = syncProtocol.readSyncMessage(decoder, reply, doc, 'server')
  if (kind === syncProtocol.messageYjsSyncStep1) socket.emit('yjs', storyId, encoding.toUint8Array(reply))
  if (kind === syncProtocol.messageYjsSyncStep2) synced()
})

const open = await socket.timeout(10000).emitWithAck('story:open', { story_id: storyId })
if (!open.ok) fail(`story:open refused: ${JSON.stringify(open)}`)
const step1 = encoding.createEncoder()
encoding.writeVarUint(step1, 0)
syncProtocol.writeSyncStep1(step1, doc)
socket.emit('yjs', storyId, encoding.toUint8Array(step1))
await syncedPromise

let update
doc.once('update', (change) => { update = change })
body.insert(body.length, text)
const message = encoding.createEncoder()
encoding.writeVarUint(message, 0)
syncProtocol.writeUpdate(message, update)
const ack = await socket.timeout(10000).emitWithAck('yjs', storyId, encoding.toUint8Array(message))
const disconnected = new Promise((resolve) => socket.on('disconnect', resolve))
socket.emit('story:close', { story_id: storyId })
socket.disconnect()
console.log(JSON.stringify({ open, ack, text: body.toString(), disconnect: await disconnected }))
process.exit(0)
