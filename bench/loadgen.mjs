#!/usr/bin/env node
/**
 * Plume's load generator: W writers in groups of 5, real Yjs documents and awareness, against Plume
 * (Socket.IO, docs/protocol.md) or Hocuspocus (its WebSocket framing), over the network. Prints one JSON
 * line with the figures; progress goes to stderr as JSON lines ({"phase": ...}) so a driver can sample the
 * server's CPU over exactly the measured window.
 *
 *   node bench/loadgen.mjs --target plume --url http://127.0.0.1:5000 --plan plan.json --writers 200
 *   node bench/loadgen.mjs --target hocuspocus --url ws://127.0.0.1:1234 --writers 200
 *   node bench/loadgen.mjs --target plume --url http://127.0.0.1:5000 --plan plan.json --idle 1000 --hold 20
 *   (--idle-bare 0: every idle socket a participant of the plan; default 0.5, half bare Engine.IO;
 *   --connect-timeout: seconds an idle socket may take to open, default 20; --idle-batch N: N at a time)
 *   node bench/loadgen.mjs --target plume --url http://127.0.0.1:5000 --plan plan.json --writers 200 --board-moves 1
 *   (each writer also adds a card to its group's board and moves it to another column once a second; the
 *   columns are the plan's "board_columns", or --board-columns "A,B,C"; the moves are timed apart, "board")
 *
 * A plan is {"groups": [{"story_id": 1, "tokens": ["...", ...]}, ...], "board_columns": [...]} (bench/seed.py
 * writes one).
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import { holdIdle } from './js/idle.mjs'

const OPTIONS = {
  target: { type: 'string', default: 'plume' },
  url: { type: 'string' },
  plan: { type: 'string' },
  writers: { type: 'string', default: '50' },
  'group-size': { type: 'string', default: '5' },
  rate: { type: 'string', default: '5' },
  warmup: { type: 'string', default: '3' },
  duration: { type: 'string', default: '10' },
  settle: { type: 'string', default: '30' },
  threads: { type: 'string', default: '0' },
  awareness: { type: 'boolean', default: true },
  'no-awareness': { type: 'boolean', default: false },
  'apply-awareness': { type: 'boolean', default: false },
  'no-deflate': { type: 'boolean', default: false },
  'cursor-chance': { type: 'string', default: '0.9' },
  seed: { type: 'string', default: '1' },
  idle: { type: 'string' },
  hold: { type: 'string', default: '20' },
  'idle-bare': { type: 'string', default: '0.5' },
  'connect-timeout': { type: 'string', default: '20' },
  'idle-batch': { type: 'string', default: '0' },
  'board-moves': { type: 'string', default: '0' },
  'board-columns': { type: 'string' }
}

const COLUMNS = ['Signals', 'Promising', 'Set aside']

const phase = (name, extra = {}) => process.stderr.write(JSON.stringify({ phase: name, ...extra }) + '\n')

/** Nearest-rank percentiles of a list of milliseconds. */
export function summary (values) {
  if (!values.length) return { p50: null, p90: null, p99: null, max: null }
  const sorted = Float64Array.from(values).sort()
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]
  const round = (v) => Math.round(v * 100) / 100
  return { p50: round(at(50)), p90: round(at(90)), p99: round(at(99)), max: round(sorted[sorted.length - 1]) }
}

/** The groups to drive: from the plan for Plume, named documents for Hocuspocus. */
function groupSpecs (target, writers, groupSize, planFile) {
  const specs = []
  if (target === 'plume') {
    const plan = JSON.parse(readFileSync(planFile, 'utf8'))
    let left = writers
    for (const group of plan.groups) {
      if (left <= 0) break
      const tokens = group.tokens.slice(0, Math.min(groupSize, left))
      specs.push({ index: specs.length, story_id: group.story_id, tokens })
      left -= tokens.length
    }
    if (left > 0) throw new Error(`the plan has seats for ${writers - left} writers, not ${writers}`)
  } else {
    const run = `${Date.now().toString(36)}-${process.pid}`
    for (let i = 0; i * groupSize < writers; i++) {
      specs.push({ index: i, document: `bench-${run}-${i}`, size: Math.min(groupSize, writers - i * groupSize) })
    }
  }
  return specs
}

/** The board's columns: --board-columns, else the plan's, else three. */
function boardColumns (args) {
  if (args['board-columns']) return args['board-columns'].split(',').map((c) => c.trim()).filter(Boolean)
  const plan = args.plan ? JSON.parse(readFileSync(args.plan, 'utf8')) : {}
  return plan.board_columns?.length >= 2 ? plan.board_columns : COLUMNS
}

function startThread (config, specs, seed) {
  const worker = new Worker(new URL('./js/group-run.mjs', import.meta.url), { workerData: { config, specs, seed } })
  const messages = []
  const waiters = []
  worker.on('message', (message) => {
    if (message.kind === 'error') {
      process.stderr.write(`load generator thread failed: ${message.message}\n`)
      process.exit(2)
    }
    const waiter = waiters.shift()
    if (waiter) waiter(message)
    else messages.push(message)
  })
  worker.on('error', (error) => { process.stderr.write(`${error.stack}\n`); process.exit(2) })
  const next = () => messages.length ? Promise.resolve(messages.shift()) : new Promise((resolve) => waiters.push(resolve))
  return { worker, next }
}

async function drive (args) {
  const writers = Number(args.writers)
  const config = {
    target: args.target,
    url: args.url,
    rate: Number(args.rate),
    warmup: Number(args.warmup),
    duration: Number(args.duration),
    settle: Number(args.settle),
    awareness: args.awareness && !args['no-awareness'],
    applyAwareness: args['apply-awareness'],
    deflate: !args['no-deflate'],
    cursorChance: Number(args['cursor-chance']),
    boardMoves: Number(args['board-moves']),
    boardColumns: boardColumns(args)
  }
  const specs = groupSpecs(args.target, writers, Number(args['group-size']), args.plan)
  const threadCount = Number(args.threads) || Math.min(4, Math.max(1, Math.ceil(writers / 100)))
  const shares = Array.from({ length: threadCount }, (_, i) => specs.filter((_, j) => j % threadCount === i)).filter((s) => s.length)
  const threads = shares.map((share, i) => startThread(config, share, Number(args.seed) * 1000 + i))
  const ready = await Promise.all(threads.map((t) => t.next()))
  const connected = ready.reduce((n, r) => n + r.connected, 0)
  const connectFailed = ready.reduce((n, r) => n + r.connectFailed, 0)
  const connectErrors = Object.assign({}, ...ready.map((r) => r.errors))
  phase('ready', { connected, connect_failed: connectFailed })
  // process.cpuUsage() counts every thread of the process: taken over the warm-up and measured window.
  const cpuBefore = process.cpuUsage()
  const wallBefore = performance.now()
  let loadgenCpuPercent = null
  for (const t of threads) t.worker.postMessage('go')
  const measureStart = setTimeout(() => phase('measure-start'), config.warmup * 1000)
  const measureEnd = setTimeout(() => {
    const cpu = process.cpuUsage(cpuBefore)
    loadgenCpuPercent = Math.round((cpu.user + cpu.system) / 10 / (performance.now() - wallBefore))
    phase('measure-end')
  }, (config.warmup + config.duration) * 1000)
  const results = await Promise.all(threads.map((t) => t.next()))
  clearTimeout(measureStart)
  clearTimeout(measureEnd)
  for (const t of threads) await t.worker.terminate()

  const all = (pick) => results.flatMap((r) => pick(r))
  const sum = (pick) => results.reduce((n, r) => n + pick(r), 0)
  const refusedCodes = {}
  for (const r of results) for (const [code, n] of Object.entries(r.figures.refusedCodes)) refusedCodes[code] = (refusedCodes[code] ?? 0) + n
  const dropReasons = {}
  for (const r of results) for (const [why, n] of Object.entries(r.figures.dropReasons)) dropReasons[why] = (dropReasons[why] ?? 0) + n
  const sent = sum((r) => r.figures.sent)
  const acked = sum((r) => r.figures.acked)
  const ackedAll = sum((r) => r.figures.ackedAll)
  const refused = sum((r) => r.figures.refused)
  const delivered = sum((r) => r.figures.delivered)
  const board = (pick) => sum((r) => pick(r.figures.board))
  const boardRefusedCodes = {}
  for (const r of results) for (const [code, n] of Object.entries(r.figures.board.refusedCodes)) boardRefusedCodes[code] = (boardRefusedCodes[code] ?? 0) + n
  return {
    target: config.target,
    writers,
    groups: specs.length,
    rate: config.rate,
    awareness: config.awareness,
    deflate: config.deflate,
    warmup_s: config.warmup,
    duration_s: config.duration,
    threads: threads.length,
    connected,
    connect_failed: connectFailed,
    connect_errors: connectErrors,
    dropped: sum((r) => r.figures.dropped),
    drop_reasons: dropReasons,
    sent,
    skipped: sum((r) => r.figures.skipped),
    acked,
    acked_all: ackedAll,
    refused,
    refused_codes: refusedCodes,
    unanswered: sent - acked - refused,
    delivered,
    lost: sum((r) => r.lost),
    relay_ms: summary(all((r) => r.figures.relay)),
    ack_ms: summary(all((r) => r.figures.ack)),
    sent_per_s: Math.round(sent / config.duration),
    acked_per_s: Math.round(acked / config.duration),
    awareness_sent: sum((r) => r.figures.awarenessSent),
    awareness_received: sum((r) => r.figures.awarenessReceived),
    converged_groups: sum((r) => r.converged),
    server_matches: sum((r) => r.serverMatches),
    server_unread: sum((r) => r.serverUnread),
    settle_s: Math.max(0, Math.round(Math.max(...results.map((r) => r.settleMs))) / 1000),
    loadgen_cpu_percent: loadgenCpuPercent,
    loadgen_lag_p99_ms: Math.round(Math.max(...results.map((r) => r.lagP99Ms))),
    board_moves_per_s: config.boardMoves,
    board: config.boardMoves > 0
      ? {
          columns: config.boardColumns,
          sent: board((b) => b.sent),
          skipped: board((b) => b.skipped),
          acked: board((b) => b.acked),
          refused: board((b) => b.refused),
          refused_codes: boardRefusedCodes,
          delivered: board((b) => b.delivered),
          relay_ms: summary(all((r) => r.figures.board.relay)),
          ack_ms: summary(all((r) => r.figures.board.ack))
        }
      : null
  }
}

async function main () {
  const { values: args } = parseArgs({ options: OPTIONS, strict: true })
  if (!args.url) throw new Error('--url is required')
  let result
  if (args.idle) {
    const plan = JSON.parse(readFileSync(args.plan, 'utf8'))
    result = await holdIdle({ url: args.url, plan, count: Number(args.idle), holdSeconds: Number(args.hold), bareShare: Number(args['idle-bare']), connectTimeout: Number(args['connect-timeout']), batch: Number(args['idle-batch']) })
  } else {
    if (!['plume', 'hocuspocus'].includes(args.target)) throw new Error('--target is plume or hocuspocus')
    if (args.target === 'plume' && !args.plan) throw new Error('--plan is required for plume')
    result = await drive(args)
  }
  process.stdout.write(JSON.stringify(result) + '\n')
  process.exit(0)
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`)
  process.exit(2)
})
