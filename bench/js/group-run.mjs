/**
 * A load-generator thread: it holds whole groups (so a keystroke and its arrival at the group's other
 * members are timed on one clock), connects them, types on the main thread's signal, then settles, checks
 * convergence (writers' documents, then the server's copy read through a fresh connection) and reports.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as Y from 'yjs'
import { PlumeLink } from './plume-link.mjs'
import { HocuspocusLink } from './hocuspocus-link.mjs'
import { Group, Writer, newFigures } from './writer.mjs'

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

/** The text the server holds for a group, read through a fresh connection that only syncs. */
async function serverText (config, spec) {
  const doc = new Y.Doc()
  const link = linkFactory(config, spec, 0)({ onUpdate: (u) => Y.applyUpdate(doc, u, 'remote'), onAwareness () {}, onDrop () {} })
  try {
    await link.open(doc, 15000)
    return doc.getText('body').toString()
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
  await Promise.all(groups.flatMap((g) => g.writers).map(async (writer) => {
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
  lag.disable()

  // Settle: every ack back and every relay arrived (or the limit), then a moment for the last awareness.
  const settleEnd = performance.now() + config.settle * 1000
  const pending = () => figures.acked + figures.refused < figures.sent ||
    groups.some((g) => g.missingDeliveries() > 0 && g.writers.filter((w) => w.connected).length > 1)
  while (pending() && performance.now() < settleEnd) await sleep(100)
  const settleMs = performance.now() - measureEnd
  await sleep(500)

  let converged = 0
  let serverMatches = 0
  let serverUnread = 0 // read-backs that could not open the story (not a mismatch: no text to compare)
  const lost = groups.reduce((n, g) => n + g.missingDeliveries(), 0)
  const texts = groups.map((g) => new Set(g.writers.filter((w) => w.connected).map((w) => w.text.toString())))
  groups.forEach((g, i) => { if (texts[i].size === 1 && g.writers.every((w) => w.connected)) converged++ })
  const checkServer = () => inBatches(specs.map((spec, i) => [spec, i]), 5, async ([spec, i]) => {
    const text = await serverText(config, spec)
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
