/**
 * A simulated writer: its own Y.Doc and Awareness, typing one character at a random position, and moving
 * its cursor with nearly every keystroke as y-codemirror.next does in a browser (the local awareness state
 * `{user: {name, color}, cursor: {anchor, head}}`, relative positions as JSON, sent at most every 60 ms like
 * the browser's provider). Keystrokes are timed from the insert to each peer's receipt, and to the ack.
 *
 * With a board (`--board-moves`), the writer also adds a card of its own to the group's board (the `board`
 * Y.Array of Y.Map cards, docs/protocol.md "The board") before typing starts, and moves it to another column
 * now and then, as a member dragging a card does: `card.set('column', …)`, one update. Those moves are
 * timed apart (`figures.board`), so that the story's relay figures stay the keystrokes' alone.
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
    delivered: 0, awarenessSent: 0, awarenessReceived: 0, dropped: 0, dropReasons: {}, skipped: 0,
    board: newBoardFigures()
  }
}

/** The board's moves, measured like keystrokes but apart from them. */
function newBoardFigures () {
  return { relay: [], ack: [], sent: 0, acked: 0, refused: 0, refusedCodes: {}, delivered: 0, skipped: 0 }
}

/** What a group's copies must agree on: the story's text and, in board order, each card's id and column. */
export function docState (doc) {
  const cards = doc.getArray('board').toArray()
  const board = cards.map((card) => card instanceof Y.Map ? `${card.get('id')}@${card.get('column')}` : '?')
  return `${doc.getText('body').toString()}\u0000${board.join('\u0001')}`
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
    this.board = this.doc.getArray('board')
    this.name = name
    this.card = null // this writer's card on the board (a Y.Map), once added
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

  /** Add this writer's card to the board, in `column`; resolves once the server stored it (or refused it). */
  addCard (id, column) {
    if (!this.connected) return Promise.resolve(false)
    return new Promise((resolve) => {
      this.current = { t: performance.now(), measured: false, board: true, acked: resolve }
      const card = new Y.Map()
      card.set('id', id)
      card.set('text', `A signal of ${this.name}`)
      card.set('column', column)
      card.set('color', '#9a3412')
      card.set('votes', new Y.Map())
      this.board.push([card])
      this.current = null
      this.card = card
    })
  }

  /** Move this writer's card to the next of `columns`: one real Yjs change of the card's `column`. */
  moveCard (columns, measured) {
    if (!this.connected || !this.card) return
    const at = columns.indexOf(this.card.get('column'))
    this.current = { t: performance.now(), measured, board: true }
    this.card.set('column', columns[(at + 1) % columns.length])
    this.current = null
  }

  send (update, { t, measured, board = false, acked = null }) {
    const { figures: all, inFlight, writers } = this.group
    const figures = board ? all.board : all
    const key = updateKey(update)
    if (key !== null) inFlight.set(key, { t, measured, board, sender: this, remaining: writers.length - 1 })
    if (measured) figures.sent++
    this.link.sendUpdate(update, (ok, code) => {
      if (ok) all.ackedAll++ // warm-up included, the board's too: what /metrics counts (bench/driver.py)
      acked?.(ok)
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
        const figures = entry.board ? this.group.figures.board : this.group.figures
        figures.relay.push(at - entry.t)
        figures.delivered++
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
