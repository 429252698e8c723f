/**
 * A load-generator thread: it holds whole groups (so a keystroke and its arrival at the group's other
 * members are timed on one clock), connects them, types on the main thread's signal, then settles, checks
 * convergence (writers' documents, then the server's copy read through a fresh connection) and reports.
 * With `boardMoves` > 0 each writer first adds a card to its group's board, then moves it to the next of
 * `boardColumns` that many times a second while it types.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as Y from 'yjs'
import { PlumeLink } from './plume-link.mjs'
import { HocuspocusLink } from './hocuspocus-link.mjs'
import { Group, Writer, docState, newFigures } from './writer.mjs'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** A small seeded generator (mulberry32): the same run types the same text. */
export function seeded (seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Build the link for one member of a group spec ({story_id, tokens} for Plume, {document} for Hocuspocus). */
function linkFactory (config, spec, member) {
  if (config.target === 'plume') {
    const where = {
      url: config.url,
      token: spec.tokens[member],
      storyId: spec.story_id,
      affinity: `group-${spec.story_id}`, // as the participant page does: a group's members meet on one worker
      deflate: config.deflate
    }
    return (on) => new PlumeLink(where, on)
  }
  return (on) => new HocuspocusLink({ url: config.url, document: spec.document, deflate: config.deflate }, on)
}

/** Run `task` over `items`, `limit` at a time. */
async function inBatches (items, limit, task) {
  const queue = [...items]
  const runners = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length) await task(queue.shift())
  })
  await Promise.all(runners)
}

/** What the server holds for a group (`docState`), read through a fresh connection that only syncs. */
async function serverState (config, spec) {
  const doc = new Y.Doc()
  const link = linkFactory(config, spec, 0)({ onUpdate: (u) => Y.applyUpdate(doc, u, 'remote'), onAwareness () {}, onDrop () {} })
  try {
    await link.open(doc, 15000)
    return docState(doc)
  } catch {
    return null
  } finally {
    link.close()
  }
}

async function main () {
  const { config, specs, seed } = workerData
  const figures = newFigures()
  const random = seeded(seed)
  const groups = specs.map((spec) => {
    const group = new Group(spec.index, figures)
    const size = config.target === 'plume' ? spec.tokens.length : spec.size
    for (let member = 0; member < size; member++) {
      group.writers.push(new Writer(group, `Writer ${spec.index}.${member}`, linkFactory(config, spec, member), config))
    }
    return group
  })
  let connectFailed = 0
  const errors = {}
  await inBatches(groups.flatMap((g) => g.writers), 50, async (writer) => {
    try {
      await writer.open()
    } catch (error) {
      connectFailed++
      errors[error.message] = (errors[error.message] ?? 0) + 1
      writer.failed = true
    }
  })
  for (const group of groups) group.writers = group.writers.filter((w) => !w.failed)
  const moving = config.boardMoves > 0
  if (moving) {
    const refused = {}
    await inBatches(groups.flatMap((g) => g.writers), 50, async (writer) => {
      const ok = await writer.addCard(`${seed.toString(16)}-${writer.doc.clientID.toString(16)}`, config.boardColumns[0])
      if (!ok) refused.card = (refused.card ?? 0) + 1
    })
    if (refused.card) throw new Error(`the server refused ${refused.card} of the writers' cards (a phase without a writable board?)`)
  }
  figures.dropped = 0 // count drops from the start of typing on
  figures.dropReasons = {}
  parentPort.postMessage({ kind: 'ready', connected: groups.reduce((n, g) => n + g.writers.length, 0), connectFailed, errors })
  await new Promise((resolve) => parentPort.once('message', resolve)) // go

  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  const start = performance.now()
  const measureStart = start + config.warmup * 1000
  const measureEnd = measureStart + config.duration * 1000
  const interval = 1000 / config.rate
  const moveEvery = moving ? 1000 / config.boardMoves : 0
  const mover = async (writer) => { // as the typing below, but a card's move now and then
    let due = start + random() * moveEvery
    while (due < measureEnd) {
      await sleep(Math.max(0, due - performance.now()))
      writer.moveCard(config.boardColumns, due >= measureStart)
      due += moveEvery
      while (due < performance.now() - moveEvery) {
        if (due >= measureStart) figures.board.skipped++
        due += moveEvery
      }
    }
  }
  const everyone = groups.flatMap((g) => g.writers)
  const moves = moving ? Promise.all(everyone.map(mover)) : Promise.resolve()
  await Promise.all(everyone.map(async (writer) => {
    // A keystroke belongs to the window it was due in; one the thread could not type in time (it lagged
    // a whole interval) is skipped, not typed in a burst: people do not type faster when the page lags.
    let due = start + random() * interval
    while (due < measureEnd) {
      await sleep(Math.max(0, due - performance.now()))
      writer.keystroke(random, due >= measureStart)
      due += interval
      while (due < performance.now() - interval) {
        if (due >= measureStart) figures.skipped++
        due += interval
      }
    }
  }))
  await moves
  lag.disable()

  // Settle: every ack back and every relay arrived (or the limit), then a moment for the last awareness.
  const settleEnd = performance.now() + config.settle * 1000
  const pending = () => figures.acked + figures.refused < figures.sent ||
    figures.board.acked + figures.board.refused < figures.board.sent ||
    groups.some((g) => g.missingDeliveries() > 0 && g.writers.filter((w) => w.connected).length > 1)
  while (pending() && performance.now() < settleEnd) await sleep(100)
  const settleMs = performance.now() - measureEnd
  await sleep(500)

  let converged = 0
  let serverMatches = 0
  let serverUnread = 0 // read-backs that could not open the story (not a mismatch: no text to compare)
  const lost = groups.reduce((n, g) => n + g.missingDeliveries(), 0)
  const texts = groups.map((g) => new Set(g.writers.filter((w) => w.connected).map((w) => docState(w.doc))))
  groups.forEach((g, i) => { if (texts[i].size === 1 && g.writers.every((w) => w.connected)) converged++ })
  const checkServer = () => inBatches(specs.map((spec, i) => [spec, i]), 5, async ([spec, i]) => {
    const text = await serverState(config, spec)
    if (text === null) serverUnread++
    else if (texts[i].size === 1 && texts[i].has(text)) serverMatches++
  })
  // Hocuspocus (in memory) forgets a document when its last writer leaves: read its copy before. Plume's
  // is read after the writers are gone: from what it stored, and without needing more sockets than W.
  if (config.target === 'hocuspocus') await checkServer()
  for (const writer of groups.flatMap((g) => g.writers)) writer.close()
  await sleep(200)
  if (config.target === 'plume') await checkServer()
  parentPort.postMessage({
    kind: 'result',
    figures,
    lost,
    converged,
    serverMatches,
    serverUnread,
    settleMs,
    lagP99Ms: lag.percentile(99) / 1e6
  })
}

main().catch((error) => {
  parentPort.postMessage({ kind: 'error', message: String(error?.stack ?? error) })
})
