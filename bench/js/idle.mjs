/**
 * Idle sockets: half of them participants' Socket.IO connections (token, story opened, one awareness
 * state, then silence, like a tab left open), half raw Engine.IO WebSockets that answer pings but never
 * connect to a namespace (whatever a scanner or a broken client leaves open). Counts what the server closed.
 */
import { io } from 'socket.io-client'
import * as parser from '../../static/src/socket-parser.js'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { frame, writeAwareness } from './wire.mjs'

function participant (url, token, storyId, tally, timeoutMs) {
  return new Promise((resolve) => {
    const socket = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true, timeout: timeoutMs, parser })
    const timer = setTimeout(() => { tally.failed++; resolve(socket) }, timeoutMs)
    socket.on('connect_error', () => { clearTimeout(timer); tally.failed++; resolve(socket) })
    socket.on('connect', () => {
      socket.emit('story:open', { story_id: storyId }, () => {
        const doc = new Y.Doc()
        const awareness = new awarenessProtocol.Awareness(doc)
        awareness.setLocalState({ user: { name: 'Idle', color: '#555' } })
        socket.emit('yjs', storyId, frame(null, writeAwareness(awareness, [doc.clientID])))
        awareness.destroy()
        clearTimeout(timer)
        tally.open++
        socket.on('disconnect', () => { tally.open--; tally.closedByServer++ })
        resolve(socket)
      })
    })
  })
}

function bareEngineIO (url, tally, timeoutMs) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`)
    const timer = setTimeout(() => { tally.failed++; resolve(ws) }, timeoutMs)
    ws.on('error', () => {})
    ws.on('message', (data) => {
      const packet = data.toString()
      if (packet.startsWith('0')) { // the Engine.IO open packet: the socket is up
        clearTimeout(timer)
        tally.open++
        ws.on('close', () => { tally.open--; tally.closedByServer++ })
        resolve(ws)
      } else if (packet === '2') ws.send('3') // answer pings, never send a namespace connect
    })
    ws.on('close', () => { clearTimeout(timer) })
  })
}

/**
 * Open `count` idle sockets, report "held" on stderr, hold them `holdSeconds`, then return the tallies.
 * `bareShare` of them are bare Engine.IO (0: participants only, one a seat of the plan). `batch`: open them
 * that many at a time, each batch once the one before is up (a crowd arriving; default: all at once).
 */
export async function holdIdle ({ url, plan, count, holdSeconds, bareShare = 0.5, connectTimeout = 20, batch = 0 }) {
  const participants = { open: 0, failed: 0, closedByServer: 0 }
  const bare = { open: 0, failed: 0, closedByServer: 0 }
  const seats = plan.groups.flatMap((g) => g.tokens.map((token) => [token, g.story_id]))
  const started = performance.now()
  const opening = []
  let seat = 0
  for (let i = 0; i < count; i++) {
    if (Math.floor((i + 1) * bareShare) === Math.floor(i * bareShare)) { // 0.5: every other one
      const [token, storyId] = seats[seat++ % seats.length]
      opening.push(participant(url, token, storyId, participants, connectTimeout * 1000))
    } else {
      opening.push(bareEngineIO(url, bare, connectTimeout * 1000))
    }
    if (batch && i % batch === batch - 1) await Promise.all(opening.slice(-batch))
    else if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const sockets = await Promise.all(opening)
  const openedMs = performance.now() - started
  const atHeld = { participants: participants.open, bare: bare.open }
  process.stderr.write(JSON.stringify({ phase: 'held', ...atHeld }) + '\n')
  await new Promise((resolve) => setTimeout(resolve, holdSeconds * 1000))
  const atEnd = { participants: participants.open, bare: bare.open }
  const closed = { participants: participants.closedByServer, bare: bare.closedByServer }
  for (const socket of sockets) (socket.disconnect ?? socket.terminate).call(socket)
  return {
    mode: 'idle',
    requested: count,
    open_ms: Math.round(openedMs),
    held: atHeld,
    open_at_end: atEnd,
    failed: { participants: participants.failed, bare: bare.failed },
    closed_by_server: closed,
    hold_s: holdSeconds
  }
}
