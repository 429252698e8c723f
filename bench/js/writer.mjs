/**
 * A simulated writer: its own Y.Doc and Awareness, typing one character at a random position, and moving
 * its cursor with nearly every keystroke as y-codemirror.next does in a browser (the local awareness state
 * `{user: {name, color}, cursor: {anchor, head}}`, relative positions as JSON, sent at most every 60 ms like
 * the browser's provider). Keystrokes are timed from the insert to each peer's receipt, and to the ack.
 */
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { updateKey, writeAwareness } from './wire.mjs'

export const AWARENESS_THROTTLE_MS = 60
const LETTERS = 'abcdefghijklmnopqrstuvwxyz      \n'

/** What one worker measured; arrays are milliseconds. */
export function newFigures () {
  return {
    relay: [], ack: [], sent: 0, acked: 0, ackedAll: 0, refused: 0, refusedCodes: {},
    delivered: 0, awarenessSent: 0, awarenessReceived: 0, dropped: 0, dropReasons: {}, skipped: 0
  }
}

/** A group: its writers, and the keystrokes in flight to its members (key → {t, measured, sender, remaining}). */
export class Group {
  constructor (index, figures) {
    this.index = index
    this.figures = figures
    this.writers = []
    this.inFlight = new Map()
  }

  /** Deliveries of measured keystrokes still missing (to writers that are still connected or not). */
  missingDeliveries () {
    let missing = 0
    for (const entry of this.inFlight.values()) if (entry.measured) missing += entry.remaining
    return missing
  }
}

export class Writer {
  /**
   * @param {Group} group
   * @param {string} name
   * @param {(on: object) => object} makeLink builds the link to the server with this writer's handlers
   * @param {{awareness: boolean, applyAwareness: boolean, cursorChance: number}} options
   */
  constructor (group, name, makeLink, options) {
    this.group = group
    this.options = options
    this.doc = new Y.Doc()
    this.text = this.doc.getText('body')
    this.awareness = new awarenessProtocol.Awareness(this.doc)
    this.awareness.setLocalState({ user: { name, color: `hsl(${(group.index * 47) % 360} 70% 40%)` } })
    this.current = null // the keystroke being sent: {t, measured}
    this.awarenessTimer = null
    this.link = makeLink({
      onUpdate: (update, at) => this.receive(update, at),
      onAwareness: (update) => {
        // Applying peers' cursors is the browser's cost, not the server's: only on request (--apply-awareness).
        if (options.applyAwareness) awarenessProtocol.applyAwarenessUpdate(this.awareness, update, 'remote')
        group.figures.awarenessReceived++
      },
      onDrop: (reason) => {
        group.figures.dropped++
        group.figures.dropReasons[reason] = (group.figures.dropReasons[reason] ?? 0) + 1
      }
    })
    this.doc.on('update', (update, origin) => {
      if (origin !== 'remote' && this.current) this.send(update, this.current)
    })
    this.awareness.on('update', (_changes, origin) => {
      if (origin === 'local' && options.awareness) this.queueAwareness()
    })
  }

  async open () {
    await this.link.open(this.doc)
    if (this.options.awareness) this.flushAwareness()
  }

  get connected () { return this.link.connected }

  /** Insert one character at a random place, then (usually) move the cursor after it. */
  keystroke (random, measured) {
    if (!this.connected) return
    const at = Math.floor(random() * (this.text.length + 1))
    this.current = { t: performance.now(), measured }
    this.text.insert(at, LETTERS[Math.floor(random() * LETTERS.length)])
    this.current = null
    if (this.options.awareness && random() < this.options.cursorChance) {
      const position = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(this.text, at + 1))
      this.awareness.setLocalStateField('cursor', { anchor: position, head: position })
    }
  }

  send (update, { t, measured }) {
    const { figures, inFlight, writers } = this.group
    const key = updateKey(update)
    if (key !== null) inFlight.set(key, { t, measured, sender: this, remaining: writers.length - 1 })
    if (measured) figures.sent++
    this.link.sendUpdate(update, (ok, code) => {
      if (ok) figures.ackedAll++ // warm-up included: what /metrics counts (bench/driver.py)
      if (!measured) return
      figures.ack.push(performance.now() - t)
      if (ok) figures.acked++
      else {
        figures.refused++
        figures.refusedCodes[code] = (figures.refusedCodes[code] ?? 0) + 1
      }
    })
  }

  receive (update, at) {
    const key = updateKey(update)
    const entry = key === null ? undefined : this.group.inFlight.get(key)
    if (entry?.sender === this) return // Hocuspocus echoes updates to their sender
    if (entry) {
      if (entry.measured) {
        this.group.figures.relay.push(at - entry.t)
        this.group.figures.delivered++
      }
      if (--entry.remaining <= 0) this.group.inFlight.delete(key)
    }
    Y.applyUpdate(this.doc, update, 'remote')
  }

  queueAwareness () {
    if (this.awarenessTimer) return
    this.awarenessTimer = setTimeout(() => this.flushAwareness(), AWARENESS_THROTTLE_MS)
  }

  flushAwareness () {
    clearTimeout(this.awarenessTimer)
    this.awarenessTimer = null
    if (!this.connected) return
    this.link.sendAwareness(writeAwareness(this.awareness, [this.doc.clientID]))
    this.group.figures.awarenessSent++
  }

  close () {
    clearTimeout(this.awarenessTimer)
    this.awareness.destroy()
    this.link.close()
  }
}
