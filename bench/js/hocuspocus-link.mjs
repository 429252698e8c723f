/**
 * One writer's connection to Hocuspocus: a raw WebSocket speaking its framing (document name, then the
 * message type: 0 sync, 1 awareness, 2 auth, 4 sync reply, 8 sync status). Every update and step 2 is
 * answered by a sync status (applied in memory): that is the ack we time.
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import WebSocket from 'ws'
import { MESSAGE_AWARENESS, MESSAGE_SYNC, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE, frame, readMessage, writeStep1, writeStep2, writeUpdate } from './wire.mjs'

const MESSAGE_AUTH = 2
const MESSAGE_SYNC_REPLY = 4
const MESSAGE_SYNC_STATUS = 8
const AUTH_TOKEN = 0
const AUTH_PERMISSION_DENIED = 1

export class HocuspocusLink {
  /**
   * @param {{url: string, document: string}} where
   * @param {{onUpdate: Function, onAwareness: Function, onDrop: Function}} on
   */
  constructor (where, on) {
    this.where = where
    this.on = on
    this.connected = false
    this.ws = null
    /** @type {Array<Function|null>} ack callbacks, in the order the messages were sent */
    this.pendingAcks = []
  }

  open (doc, timeoutMs = 20000) {
    const name = this.where.document
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('open timed out')), timeoutMs)
      const fail = (error) => { clearTimeout(timer); this.close(); reject(error) }
      const ws = new WebSocket(this.where.url, { perMessageDeflate: this.where.deflate !== false })
      ws.binaryType = 'nodebuffer'
      this.ws = ws
      ws.on('error', (error) => fail(error))
      ws.on('open', () => {
        this.connected = true
        this.send((encoder) => {
          encoding.writeVarUint(encoder, MESSAGE_AUTH)
          encoding.writeVarUint(encoder, AUTH_TOKEN)
          encoding.writeVarString(encoder, 'bench')
        })
        this.send(writeStep1(doc))
      })
      ws.on('close', () => {
        const was = this.connected
        this.connected = false
        if (was) this.on.onDrop('closed')
      })
      ws.on('message', (data) => {
        const at = performance.now()
        const decoder = decoding.createDecoder(data)
        if (decoding.readVarString(decoder) !== name) return
        const message = readMessage(decoder)
        if (message.type === MESSAGE_SYNC || message.type === MESSAGE_SYNC_REPLY) {
          if (message.sub === SYNC_STEP1) {
            this.pendingAcks.push(null)
            this.send(writeStep2(doc, message.payload))
          } else if (message.sub === SYNC_STEP2) {
            Y.applyUpdate(doc, message.payload, 'remote')
            clearTimeout(timer)
            resolve()
          } else if (message.sub === SYNC_UPDATE) {
            this.on.onUpdate(message.payload, at)
          }
        } else if (message.type === MESSAGE_AWARENESS) {
          this.on.onAwareness(message.payload)
        } else if (message.type === MESSAGE_SYNC_STATUS) {
          const saved = decoding.readVarUint(message.decoder) === 1
          this.pendingAcks.shift()?.(saved, saved ? null : 'refused')
        } else if (message.type === MESSAGE_AUTH && decoding.readVarUint(message.decoder) === AUTH_PERMISSION_DENIED) {
          fail(new Error('permission denied'))
        }
      })
    })
  }

  send (write) {
    if (this.connected) this.ws.send(frame(this.where.document, write))
  }

  sendUpdate (update, acked) {
    this.pendingAcks.push(acked)
    this.send(writeUpdate(update))
  }

  sendAwareness (write) {
    this.send(write)
  }

  close () {
    this.connected = false
    this.ws?.close()
  }
}
