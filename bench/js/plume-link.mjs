/**
 * One writer's connection to Plume, as docs/protocol.md describes it: Socket.IO over WebSocket with
 * `auth: {token}`, `story:open`, then y-protocols messages in `yjs` events (story_id, bytes); the server
 * acks each update once stored.
 */
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { io } from 'socket.io-client'
import * as parser from '../../static/src/socket-parser.js'
import { MESSAGE_AWARENESS, MESSAGE_SYNC, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE, bytes, frame, readMessage, writeStep1, writeStep2, writeUpdate } from './wire.mjs'

/**
 * A Socket.IO connection to Plume with a participant's token, as the browser makes it (WebSocket, Plume's
 * MessagePack parser), not yet connected to anything in particular; no automatic reconnection.
 * @param {{url: string, token: string, affinity?: string, deflate?: boolean}} where
 */
export function connect ({ url, token, affinity, deflate = true }, timeoutMs = 20000) {
  return io(url, {
    transports: ['websocket'],
    auth: { token },
    query: affinity ? { affinity } : {},
    reconnection: false,
    forceNew: true,
    parser,
    timeout: timeoutMs,
    // Like a browser, offer permessage-deflate (the server decides); --no-deflate offers nothing.
    perMessageDeflate: deflate ? { threshold: 1024 } : false
  })
}

export class PlumeLink {
  /**
   * @param {{url: string, token: string, storyId: number, affinity?: string, deflate?: boolean}} where
   * @param {{onUpdate: Function, onAwareness: Function, onDrop: Function, onStep2Ack?: Function}} on
   *   `onStep2Ack(ack)`: the server's answer to the step 2 that carried what it lacked (offline edits)
   */
  constructor (where, on) {
    this.where = where
    this.on = on
    this.connected = false
    this.socket = null
  }

  /**
   * Connect, open the story and sync both ways; resolves once the server's step 2 is applied. A refused
   * `story:open` rejects with an error whose `ack` is the server's answer.
   */
  open (doc, timeoutMs = 20000) {
    const { storyId } = this.where
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('open timed out')), timeoutMs)
      const fail = (error) => { clearTimeout(timer); this.close(); reject(error) }
      let writable = null
      let serverVector = null
      const answerStep1 = () => {
        if (writable && serverVector) {
          this.socket.emit('yjs', storyId, frame(null, writeStep2(doc, serverVector)), (ack) => this.on.onStep2Ack?.(ack))
          serverVector = null
        }
      }
      const socket = connect(this.where, timeoutMs)
      this.socket = socket
      socket.on('connect_error', (error) => fail(error))
      socket.on('connect', () => {
        this.connected = true
        socket.emit('story:open', { story_id: storyId }, (ack) => {
          if (!ack?.ok) return fail(Object.assign(new Error(`story:open refused: ${JSON.stringify(ack)}`), { ack }))
          writable = ack.writable
          socket.emit('yjs', storyId, frame(null, writeStep1(doc)))
          answerStep1()
        })
      })
      socket.on('disconnect', (reason) => {
        const was = this.connected
        this.connected = false
        if (was) this.on.onDrop(reason)
      })
      socket.on('yjs', (id, data) => {
        const at = performance.now()
        if (id !== storyId) return
        const message = readMessage(decoding.createDecoder(bytes(data)))
        if (message.type === MESSAGE_SYNC) {
          if (message.sub === SYNC_STEP1) {
            serverVector = message.payload
            answerStep1()
          } else if (message.sub === SYNC_STEP2) {
            Y.applyUpdate(doc, message.payload, 'remote')
            clearTimeout(timer)
            resolve()
          } else if (message.sub === SYNC_UPDATE) {
            this.on.onUpdate(message.payload, at)
          }
        } else if (message.type === MESSAGE_AWARENESS) {
          this.on.onAwareness(message.payload)
        }
      })
    })
  }

  /** Send one update; `acked(ok, code)` runs when the server answers (stored, or refused). */
  sendUpdate (update, acked) {
    this.socket.emit('yjs', this.where.storyId, frame(null, writeUpdate(update)), (ack) => acked(!!ack?.ok, ack?.error?.code))
  }

  sendAwareness (write) {
    if (this.connected) this.socket.emit('yjs', this.where.storyId, frame(null, write))
  }

  close () {
    this.connected = false
    this.socket?.disconnect()
  }
}
