/**
 * y-protocols framing shared by both targets, and the identity of a keystroke on the wire.
 *
 * A keystroke inserts one character, so its Yjs update holds one struct: (client id, clock) names it, on
 * the sender and on every receiver, whichever server relayed it and however the server re-encoded it.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const SYNC_STEP1 = 0
export const SYNC_STEP2 = 1
export const SYNC_UPDATE = 2

/** The key of the first struct of a v1 update, or null for a delete-only or empty update. */
export function updateKey (update) {
  const decoder = decoding.createDecoder(update)
  if (decoding.readVarUint(decoder) === 0) return null
  decoding.readVarUint(decoder) // number of structs of this client
  const client = decoding.readVarUint(decoder)
  const clock = decoding.readVarUint(decoder)
  return `${client}:${clock}`
}

/** Write a sync or awareness message after an optional prefix (Hocuspocus puts the document name first). */
export function frame (prefix, write) {
  const encoder = encoding.createEncoder()
  if (prefix !== null) encoding.writeVarString(encoder, prefix)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

export const writeStep1 = (doc) => (encoder) => {
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeSyncStep1(encoder, doc)
}

export const writeStep2 = (doc, stateVector) => (encoder) => {
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeSyncStep2(encoder, doc, stateVector)
}

export const writeUpdate = (update) => (encoder) => {
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeUpdate(encoder, update)
}

export const writeAwareness = (awareness, clients) => (encoder) => {
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients))
}

/**
 * Read one message (after its prefix) into {type, sub, payload}: for sync, `sub` is the step and `payload`
 * the state vector or update; for awareness, `payload` is the awareness update.
 */
export function readMessage (decoder) {
  const type = decoding.readVarUint(decoder)
  if (type === MESSAGE_SYNC) {
    const sub = decoding.readVarUint(decoder)
    return { type, sub, payload: decoding.readVarUint8Array(decoder) }
  }
  if (type === MESSAGE_AWARENESS) return { type, sub: null, payload: decoding.readVarUint8Array(decoder) }
  return { type, sub: null, payload: null, decoder }
}

/** Socket.IO hands binary over as a Buffer in Node. */
export const bytes = (data) =>
  data instanceof Uint8Array ? data : new Uint8Array(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength)
