/**
 * A Yjs provider over Socket.IO that speaks Plume's wire protocol (DESIGN §4, docs/protocol.md).
 *
 * One `yjs` event carries one standard y-protocols message (the same bytes as y-websocket):
 *   varuint 0 (sync) + varuint 0 (step 1) + varUint8Array(state vector)
 *   varuint 0 (sync) + varuint 1 (step 2) + varUint8Array(update)
 *   varuint 0 (sync) + varuint 2 (update) + varUint8Array(update)
 *   varuint 1 (awareness) + varUint8Array(awareness update)
 *
 * Life of a connection:
 *   1. `story:open` {story_id} with an ack → {ok: true, writable} | {ok: false, error: {code, message}}.
 *   2. On ok we send our step 1; the server answers with step 2 (→ 'synced').
 *   3. The server also sends its step 1; we answer with step 2 (everything it lacks: offline edits), with an
 *      ack, like an update. We answer only once the open ack said we may write.
 *   4. Every local doc update is sent as a sync update message with an ack; the ack arrives only once the
 *      server stored it durably. An error ack (`locked`, `forbidden`, `too_large`, `malformed`) is reported
 *      through the 'error' event and never retried in a loop: the change stays in the local doc and goes
 *      out with the next re-sync (reconnect, re-open after an unlock), unless its owner drops it on
 *      'unsent' (Plume's editor does: ../editor/not-kept.js). A `forbidden` or `malformed` refusal means
 *      the doc holds a change the server will never take (dots past the member's count, placed from two
 *      tabs at once): the provider then pushes nothing more, and its next opening reports what the server
 *      lacks as 'unsent', even where it may write. `unavailable` (the server could not
 *      store it) and `rate_limited` (a burst) re-sync after 1 s, then 2, 4… up to 30 s while they last; an
 *      opening refused with either is tried again the same way.
 *
 * Events (lib0 ObservableV2: provider.on(name, fn)):
 *   'status'   (status)   'connecting' | 'connected' | 'reconnecting' | 'offline'
 *   'save'     (state)    'saved' | 'saving' | 'unsaved'
 *   'writable' (bool)     what the server allows (open ack; false after a `locked` ack)
 *   'synced'   (bool)     true once the server's step 2 has been applied
 *   'error'    ({code, message, during})  during: 'open' | 'update' | 'connect' | 'revoked' (the server
 *              took the story away: `story:revoked`, e.g. a cross-reading phase ended)
 *   'unsent'   (update, stateVector)  on (re-)opening a story the server does not let us write, this doc holds changes
 *              that the server lacks (typed as a lock fell, or offline before it): `update` carries them, and
 *              so does a deletion of text the server keeps (`update` then inserts nothing). Once per opening.
 *              Also on any (re-)opening after a `forbidden`/`malformed` refusal, as (update, stateVector,
 *              code): the refused change is among them (code null when the story may not be written now). The provider keeps them; the editor drops them and
 *              says so (../editor/not-kept.js).
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { ObservableV2 } from 'lib0/observable'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'

export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1

/** Error codes of an update ack that mean "not applied, do not resend as is". */
export const REJECTION_CODES = Object.freeze(['locked', 'forbidden', 'too_large', 'malformed'])

/** Error codes of an update ack that mean "this change will never be taken": the doc must be dropped. */
export const REFUSAL_CODES = Object.freeze(['forbidden', 'malformed'])

/** Error codes of an update ack that mean "not applied now, try again later": re-sync with a backoff. */
export const RETRY_CODES = Object.freeze(['unavailable', 'rate_limited'])
export const RETRY_FIRST_MS = 1000
export const RETRY_MAX_MS = 30000

/** @param {number} previous the last retry delay (0: none yet) @returns {number} the next one: 1 s, 2 s, … 30 s */
export const nextRetryDelay = (previous) => previous > 0 ? Math.min(previous * 2, RETRY_MAX_MS) : RETRY_FIRST_MS

/** @param {Uint8Array} update true when a (v1) update holds neither structs nor deletions. */
export const isEmptyUpdate = (update) => update.length <= 2 && update.every((b) => b === 0)

/** @param {Uint8Array} update @returns {Uint8Array} a sync "update" message (0, 2, update). */
export const encodeUpdateMessage = (update) => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeUpdate(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** @param {Y.Doc} doc @returns {Uint8Array} a sync step 1 message (0, 0, state vector). */
export const encodeSyncStep1 = (doc) => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeSyncStep1(encoder, doc)
  return encoding.toUint8Array(encoder)
}

/** @param {Y.Doc} doc @param {Uint8Array} stateVector @returns {Uint8Array} a sync step 2 message (0, 1, diff). */
export const encodeSyncStep2 = (doc, stateVector) => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeSyncStep2(encoder, doc, stateVector)
  return encoding.toUint8Array(encoder)
}

/** @param {awarenessProtocol.Awareness} awareness @param {number[]} clients */
export const encodeAwarenessMessage = (awareness, clients) => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients))
  return encoding.toUint8Array(encoder)
}

/** Socket.IO hands binary over as ArrayBuffer (browser), Buffer (Node) or a typed array view. */
export const toUint8Array = (data) => {
  if (data instanceof Uint8Array) return data
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (Array.isArray(data)) return Uint8Array.from(data)
  throw new TypeError('yjs message is not binary')
}

/**
 * @extends {ObservableV2<any>}
 */
export class SocketIOProvider extends ObservableV2 {
  /**
   * @param {import('socket.io-client').Socket} socket an io() socket (may be shared with other page code)
   * @param {Y.Doc} doc
   * @param {string|number} storyId
   * @param {awarenessProtocol.Awareness} awareness
   * @param {object} [opts]
   * @param {boolean} [opts.connect=true] start at once (else call connect())
   * @param {number} [opts.ackTimeout=30000] ms to wait for an ack before re-syncing
   * @param {number} [opts.awarenessThrottle=60] ms to coalesce local awareness changes (cursor moves)
   * @param {Iterable<any>} [opts.ignoreOrigins] transaction origins whose updates are not sent one by one
   *   (e.g. an IndexeddbPersistence: its content reaches the server through the step 2 of the next sync)
   * @param {boolean} [opts.localWritable=true] see setLocalWritable()
   * @param {any} [opts.window] the window to listen on for unload/online/offline (default: globalThis.window)
   */
  constructor (socket, doc, storyId, awareness, opts = {}) {
    super()
    const { connect = true, ackTimeout = 30000, awarenessThrottle = 60, ignoreOrigins = [] } = opts
    this.socket = socket
    this.doc = doc
    this.storyId = storyId
    this.awareness = awareness
    this.ackTimeout = ackTimeout
    this.awarenessThrottle = awarenessThrottle
    this.ignoreOrigins = new Set(ignoreOrigins)
    this._window = 'window' in opts ? opts.window : (typeof window !== 'undefined' ? window : null)

    /** @type {'connecting'|'connected'|'reconnecting'|'offline'} */
    this.status = 'connecting'
    /** @type {'saved'|'saving'|'unsaved'} */
    this.saveState = 'saved'
    /** @type {boolean|null} null until the server has said */
    this.writable = null
    this.synced = false
    /** @type {string|null} the code of a `forbidden`/`malformed` refusal: this doc holds a change the server
     * will never take, so nothing more is pushed (see 'unsent') */
    this.refused = null
    this.localWritable = opts.localWritable !== false
    this.destroyed = false
    this._started = false
    this._everConnected = false
    this._opened = false // the open ack of the current connection said ok
    this._gen = 0 // bumped on every (re-)open and disconnect: stale acks are ignored
    this._unsentGen = -1 // the opening whose 'unsent' was reported (once per opening)
    this._lastServerStateVector = null // the server's, at its last step 1 (for deletions it lacks)
    /** @type {Uint8Array|null} the server's step 1 state vector, awaiting our step 2 */
    this._serverStateVector = null
    /** @type {Map<number, {seq: number, coversAll: boolean}>} sent, not yet acknowledged */
    this._inflight = new Map()
    this._nextId = 1
    this._localSeq = 0 // counts local changes
    this._dirtySeq = 0 // > 0: the latest local change not known to be stored
    this._awarenessTimer = null
    this._resyncTimer = null
    this._retryDelay = 0 // the last backoff after `unavailable`/`rate_limited` (0: the last ack was fine)
    this._restoreTimer = null
    /** @type {Map<number, any>} the awareness session token last seen for each peer */
    this._peerSessions = new Map()

    this._onConnect = () => {
      this._everConnected = true
      this._open()
    }
    this._onDisconnect = (reason) => this._handleDisconnect(reason)
    this._onAccess = (payload) => {
      if (this.destroyed || !payload || String(payload.story_id) !== String(this.storyId)) return
      if (payload.writable === true) this.resync() // re-open: pushes what was typed while it could not
      else this._setWritable(false)
    }
    this._onRevoked = (payload) => {
      if (this.destroyed || !payload || String(payload.story_id) !== String(this.storyId)) return
      this._gen++
      this._opened = false
      this._setSynced(false)
      this._setWritable(false)
      this._setStatus('offline')
      this.emit('error', [{ code: 'forbidden', message: '', during: 'revoked' }])
    }
    this._onConnectError = (err) => {
      if (!this.socket.active) {
        this._setStatus('offline')
        this.emit('error', [{ code: 'connect_refused', message: String((err && err.message) || err), during: 'connect' }])
      } else {
        this._setStatus(this._everConnected ? 'reconnecting' : 'connecting')
      }
    }
    this._onReconnectFailed = () => this._setStatus('offline')
    this._onYjs = (storyId, data) => this._receive(storyId, data)
    this._onDocUpdate = (update, origin) => this._handleLocalUpdate(update, origin)
    this._onAwarenessUpdate = (changes, origin) => this._handleAwarenessUpdate(changes, origin)
    this._onUnload = () => {
      // Tell the others we are gone. If the page survives (a cancelled unload, the back-forward cache),
      // the timer below fires and brings our presence back; if it does not, the timer dies with the page.
      const state = this.awareness.getLocalState()
      if (state === null) return
      awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'window unload')
      clearTimeout(this._restoreTimer)
      this._restoreTimer = setTimeout(() => {
        if (!this.destroyed && this.awareness.getLocalState() === null) this.awareness.setLocalState(state)
      }, 1000)
    }
    this._onOffline = () => {
      if (!this.socket.connected) this._setStatus('offline')
    }
    this._onOnline = () => {
      if (!this.socket.connected) {
        this._setStatus(this._everConnected ? 'reconnecting' : 'connecting')
        // Socket.IO's next attempt may be seconds away (its backoff grew while offline): "connection lost"
        // would stay up that long after the network is back. Give the backoff up, and connect now.
        if (this.socket.active) this.socket.disconnect()
        this.socket.connect()
      }
    }
    if (connect) this.connect()
  }

  /** Attach to the socket and open the story (now if the socket is connected, else on its next connect). */
  connect () {
    if (this._started || this.destroyed) return
    this._started = true
    const s = this.socket
    s.on('connect', this._onConnect)
    s.on('disconnect', this._onDisconnect)
    s.on('connect_error', this._onConnectError)
    s.on('yjs', this._onYjs)
    s.on('story:access', this._onAccess)
    s.on('story:revoked', this._onRevoked)
    if (s.io && typeof s.io.on === 'function') s.io.on('reconnect_failed', this._onReconnectFailed)
    this.doc.on('update', this._onDocUpdate)
    this.awareness.on('update', this._onAwarenessUpdate)
    const w = this._window
    if (w && typeof w.addEventListener === 'function') {
      w.addEventListener('beforeunload', this._onUnload)
      w.addEventListener('pagehide', this._onUnload)
      w.addEventListener('offline', this._onOffline)
      w.addEventListener('online', this._onOnline)
    }
    if (s.connected) {
      this._everConnected = true
      this._open()
    } else {
      const nav = typeof navigator !== 'undefined' ? navigator : null
      this._setStatus(nav && nav.onLine === false ? 'offline' : 'connecting')
      if (!s.active && typeof s.connect === 'function') s.connect()
    }
  }

  /** Re-open the story and re-sync both ways (e.g. after an unlock, or when an ack timed out). */
  resync () {
    if (!this._started || this.destroyed) return
    if (this.socket.connected) this._open()
  }

  /**
   * Whether the page lets this client write (a reader's page, a facilitator's lock). While false, nothing is
   * pushed, not even the step 2 that answers the server's step 1: it goes out when this turns true again.
   * @param {boolean} writable
   */
  setLocalWritable (writable) {
    this.localWritable = !!writable
    if (this.localWritable && this._opened && this.socket.connected) this._answerServerStep1()
  }

  /** True when nothing local is waiting to be stored. */
  get saved () {
    return this.saveState === 'saved'
  }

  // ---- connection -------------------------------------------------------------------------------

  _open () {
    const gen = ++this._gen
    this._opened = false
    this._serverStateVector = null
    this._setSynced(false)
    // In-flight updates of this same connection keep their acks; a lost connection re-queued them already.
    if (this.status !== 'connected') this._setStatus(this._everConnected && this.status !== 'connecting' ? 'reconnecting' : 'connecting')
    this.socket.timeout(this.ackTimeout).emit('story:open', { story_id: this.storyId }, (err, res) => {
      if (gen !== this._gen || this.destroyed) return
      if (err) {
        // No answer in time although connected: try again a little later.
        if (this.socket.connected) this._scheduleResync(2000)
        return
      }
      if (!res || res.ok !== true) {
        const error = (res && res.error) || {}
        this._setStatus('offline')
        this._setWritable(false)
        this.emit('error', [{ code: error.code || 'open_failed', message: error.message || '', during: 'open' }])
        if (RETRY_CODES.includes(error.code)) this._scheduleRetry() // busy, not refused: open again later
        return
      }
      this._opened = true
      this._setWritable(res.writable !== false)
      this._setStatus('connected')
      this.socket.emit('yjs', this.storyId, encodeSyncStep1(this.doc))
      if (this.awareness.getLocalState() !== null) {
        // A new session token tells the peers that we (re)joined, so they answer with their own states.
        this.awareness.setLocalStateField('session', Math.random().toString(36).slice(2, 10))
        this._flushAwareness()
      }
      if (this._serverStateVector) this._answerServerStep1()
      this._updateSaveState()
    })
  }

  _handleDisconnect (reason) {
    this._gen++
    this._opened = false
    this._serverStateVector = null
    this._setSynced(false)
    this._requeueInflight()
    // Remote cursors go stale while we are away; they come back with the next awareness updates.
    const others = Array.from(this.awareness.getStates().keys()).filter((id) => id !== this.doc.clientID)
    if (others.length) awarenessProtocol.removeAwarenessStates(this.awareness, others, this)
    // Forget their clocks too: when they answer after our reconnect, their unchanged state must apply.
    for (const id of others) this.awareness.meta.delete(id)
    this._peerSessions.clear()
    this._setStatus(this.socket.active && reason !== 'io client disconnect' ? 'reconnecting' : 'offline')
    this._updateSaveState()
  }

  /** In-flight messages of a lost connection are no longer expected to be acked: their changes are dirty. */
  _requeueInflight () {
    for (const { seq } of this._inflight.values()) this._markDirty(seq)
    this._inflight.clear()
  }

  /** A re-sync after a backoff (one timer for a whole burst of refusals: the delay doubles per retry). */
  _scheduleRetry () {
    if (this._resyncTimer) return
    this._retryDelay = nextRetryDelay(this._retryDelay)
    this._scheduleResync(this._retryDelay)
  }

  _scheduleResync (ms) {
    if (this._resyncTimer) return
    this._resyncTimer = setTimeout(() => {
      this._resyncTimer = null
      this.resync()
    }, ms)
  }

  // ---- incoming ---------------------------------------------------------------------------------

  _receive (storyId, data) {
    if (this.destroyed || String(storyId) !== String(this.storyId)) return
    let decoder
    try {
      decoder = decoding.createDecoder(toUint8Array(data))
      const messageType = decoding.readVarUint(decoder)
      if (messageType === MESSAGE_SYNC) {
        const syncType = decoding.peekVarUint(decoder)
        if (syncType === syncProtocol.messageYjsSyncStep1) {
          decoding.readVarUint(decoder)
          // Answered once we know we may write (the step 1 usually arrives before the open ack).
          this._serverStateVector = decoding.readVarUint8Array(decoder)
          this._lastServerStateVector = this._serverStateVector
          if (this._opened) this._answerServerStep1()
        } else {
          if (syncType === syncProtocol.messageYjsSyncStep2 && this.writable === false) {
            const peek = decoding.clone(decoder)
            decoding.readVarUint(peek) // the step 2's type
            this._reportUnkeptDeletions(decoding.readVarUint8Array(peek))
          }
          const encoder = encoding.createEncoder()
          syncProtocol.readSyncMessage(decoder, encoder, this.doc, this, (error) => {
            this.emit('error', [{ code: 'bad_update', message: String(error), during: 'receive' }])
          })
          if (syncType === syncProtocol.messageYjsSyncStep2) this._setSynced(true)
        }
      } else if (messageType === MESSAGE_AWARENESS) {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this)
      }
    } catch (error) {
      console.warn('plume: ignored a malformed yjs message', error)
    }
  }

  _answerServerStep1 () {
    const stateVector = this._serverStateVector
    if (!stateVector) return
    // The server refuses our writes, or refused a change of ours for good: what it lacks is reported
    // ('unsent'), and kept until someone decides.
    if (this.writable === false || this.refused) return this._reportUnsent(stateVector, !!this.refused)
    // A page that keeps this client read-only: keep changes local; the step 2 waits for setLocalWritable(true).
    if (!this.localWritable) return
    this._serverStateVector = null
    const update = Y.encodeStateAsUpdate(this.doc, stateVector)
    if (isEmptyUpdate(update)) {
      // The server has everything we have.
      this._dirtySeq = 0
      this._updateSaveState()
      return
    }
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2)
    encoding.writeVarUint8Array(encoder, update)
    this._sendTracked(encoding.toUint8Array(encoder), this._localSeq, true)
  }

  /**
   * Emit 'unsent' with what this doc has that the server (at `stateVector`) lacks: content it never got.
   * (The delete set goes in every update whole, the server's deletions too: it alone says nothing.)
   */
  _reportUnsent (stateVector, force = false) {
    if (this._unsentGen === this._gen) return // once per opening: the first report is the whole story
    const update = Y.encodeStateAsUpdate(this.doc, stateVector)
    if (!force && Y.decodeUpdate(update).structs.length === 0) return
    this._unsentGen = this._gen
    // The cause: the refusal's code, unless the story may not be written now anyway (that says more).
    this.emit('unsent', [update, stateVector, this.writable === false ? null : this.refused])
  }

  /**
   * Deletions change no state vector: a text deleted here, as a lock fell or offline, would silently stay on
   * the server's screens. So, reading the server's step 2 while it refuses our writes, report as 'unsent' any
   * deletion of ours of text the server holds (below its state vector) that its delete set lacks.
   */
  _reportUnkeptDeletions (serverUpdate) {
    const stateVector = this._lastServerStateVector
    if (!stateVector) return
    const known = Y.decodeStateVector(stateVector)
    const theirs = Y.decodeUpdate(serverUpdate).ds
    const ours = Y.createDeleteSetFromStructStore(this.doc.store)
    for (const [client, ranges] of ours.clients) {
      const upto = known.get(client) || 0
      for (const { clock, len } of ranges) {
        for (let at = clock; at < Math.min(clock + len, upto); at++) {
          if (!Y.isDeleted(theirs, Y.createID(client, at))) return this._reportUnsent(stateVector, true)
        }
      }
    }
  }

  // ---- outgoing doc updates ---------------------------------------------------------------------

  _handleLocalUpdate (update, origin) {
    if (this.destroyed || origin === this || this.ignoreOrigins.has(origin)) return
    const seq = ++this._localSeq
    if (this._opened && this.writable !== false && !this.refused && this.localWritable && this.socket.connected) {
      this._sendTracked(encodeUpdateMessage(update), seq, false)
    } else {
      this._markDirty(seq)
      this._updateSaveState()
    }
  }

  /**
   * Emit one sync message whose ack says whether it was stored.
   * @param {Uint8Array} message
   * @param {number} seq the local change it carries (for a step 2: every change up to seq)
   * @param {boolean} coversAll a step 2, which carries every local change up to seq
   */
  _sendTracked (message, seq, coversAll) {
    const id = this._nextId++
    const gen = this._gen
    this._inflight.set(id, { seq, coversAll })
    this._updateSaveState()
    this.socket.timeout(this.ackTimeout).emit('yjs', this.storyId, message, (err, res) => {
      if (!this._inflight.has(id) || this.destroyed) return // its connection is gone: already dirty
      this._inflight.delete(id)
      if (err) {
        this._markDirty(seq)
        if (gen === this._gen && this.socket.connected) {
          this.emit('error', [{ code: 'timeout', message: String(err.message || err), during: 'update' }])
          this._scheduleResync(Math.min(1000, this.ackTimeout))
        }
      } else if (res && res.ok === false) {
        const error = res.error || {}
        const code = error.code || 'error'
        this._markDirty(seq)
        if (code === 'locked') this._setWritable(false)
        if (REFUSAL_CODES.includes(code) && !this.refused) this.refused = code
        if (code === 'out_of_sync') {
          // It builds on a change the server refused or never got: a re-sync sends them all, in one step 2.
          if (gen === this._gen && this.socket.connected) this._scheduleResync(0)
        } else {
          this.emit('error', [{ code, message: error.message || '', during: 'update' }])
          if (RETRY_CODES.includes(code) && gen === this._gen && this.socket.connected) this._scheduleRetry()
        }
      } else {
        this._retryDelay = 0
        if (coversAll && this._dirtySeq <= seq) this._dirtySeq = 0
      }
      this._updateSaveState()
    })
  }

  _markDirty (seq) {
    if (seq > this._dirtySeq) this._dirtySeq = seq
  }

  // ---- awareness --------------------------------------------------------------------------------

  _handleAwarenessUpdate ({ added, updated, removed }, origin) {
    if (this.destroyed) return
    const self = this.doc.clientID
    if (origin === this) {
      // A peer that (re)joined (new client, or a new session token): tell it about us now rather than at
      // the next 15 s renewal. Each side answers a given session once, so this cannot ping-pong.
      let answer = false
      for (const id of added.concat(updated)) {
        if (id === self) continue
        const state = this.awareness.getStates().get(id)
        const session = state && state.session
        if (!this._peerSessions.has(id) || this._peerSessions.get(id) !== session) {
          this._peerSessions.set(id, session)
          answer = true
        }
      }
      for (const id of removed) this._peerSessions.delete(id)
      if (answer && this.awareness.getLocalState() !== null) this._queueAwareness()
      return
    }
    const changed = added.concat(updated, removed)
    if (!changed.includes(self)) return // only ever broadcast our own state
    if (removed.includes(self)) this._flushAwareness() // leaving: no delay
    else this._queueAwareness()
  }

  _queueAwareness () {
    if (this._awarenessTimer) return
    this._awarenessTimer = setTimeout(() => this._flushAwareness(), this.awarenessThrottle)
  }

  _flushAwareness () {
    if (this._awarenessTimer) {
      clearTimeout(this._awarenessTimer)
      this._awarenessTimer = null
    }
    if (!this._opened || !this.socket.connected) return // the full state goes out on the next open
    this.socket.emit('yjs', this.storyId, encodeAwarenessMessage(this.awareness, [this.doc.clientID]))
  }

  // ---- state ------------------------------------------------------------------------------------

  _setStatus (status) {
    if (this.status === status) return
    this.status = status
    this.emit('status', [status])
  }

  _setWritable (writable) {
    if (this.writable === writable) return
    this.writable = writable
    this.emit('writable', [writable])
  }

  _setSynced (synced) {
    if (this.synced === synced) return
    this.synced = synced
    this.emit('synced', [synced])
  }

  _updateSaveState () {
    const state = this._inflight.size > 0 ? 'saving' : this._dirtySeq > 0 ? 'unsaved' : 'saved'
    if (this.saveState === state) return
    this.saveState = state
    this.emit('save', [state])
  }

  /** Close the story on the server and detach from the socket (the socket itself stays open). */
  destroy () {
    if (this.destroyed) return
    if (this._started) {
      if (this._opened && this.socket.connected) {
        awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'destroy')
        this.socket.emit('story:close', { story_id: this.storyId })
      }
      const s = this.socket
      s.off('connect', this._onConnect)
      s.off('disconnect', this._onDisconnect)
      s.off('connect_error', this._onConnectError)
      s.off('yjs', this._onYjs)
      s.off('story:access', this._onAccess)
      s.off('story:revoked', this._onRevoked)
      if (s.io && typeof s.io.off === 'function') s.io.off('reconnect_failed', this._onReconnectFailed)
      this.doc.off('update', this._onDocUpdate)
      this.awareness.off('update', this._onAwarenessUpdate)
      const w = this._window
      if (w && typeof w.removeEventListener === 'function') {
        w.removeEventListener('beforeunload', this._onUnload)
        w.removeEventListener('pagehide', this._onUnload)
        w.removeEventListener('offline', this._onOffline)
        w.removeEventListener('online', this._onOnline)
      }
    }
    clearTimeout(this._awarenessTimer)
    clearTimeout(this._resyncTimer)
    clearTimeout(this._restoreTimer)
    this._gen++
    this._opened = false
    this.destroyed = true
    super.destroy()
  }
}
