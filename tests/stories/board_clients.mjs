// Real Yjs clients of a group's board (docs/protocol.md, "The board"), run by
// tests/stories/test_board_yjs_clients.py:
//   node board_clients.mjs SCENARIO '{"url", "storyId", "members": [{"token", "id"}], ...}'
// Each client is a Y.Doc linked to the server by the load generator's link (bench/js/plume-link.mjs:
// Socket.IO, Plume's MessagePack parser, y-protocols sync) and changes the board through the browser's own
// board functions (static/src/board/model.js). Prints one JSON line of results for pytest to check.
import * as Y from 'yjs'
import { PlumeLink, connect } from '../../bench/js/plume-link.mjs'
import { frame, writeStep1, writeUpdate } from '../../bench/js/wire.mjs'
import { addCard, boardOf, setCard, vote } from '../../static/src/board/model.js'

const [scenario, configJson] = process.argv.slice(2)
const config = JSON.parse(configJson)
const fail = (why) => { console.error(why); process.exit(1) }
setTimeout(() => fail(`${scenario} timed out`), 30000).unref()

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
let seed = 29
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
const pick = (list) => list[Math.floor(random() * list.length)]

/** A JSON text of `value` with its keys sorted: two copies of a board compare equal whatever their order. */
const canonical = (value) => JSON.stringify(value, (_, v) =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v)

/**
 * One member's copy of the document, as the browser keeps it: local changes go out as updates while the
 * story is open (each acknowledged once stored, or refused); the others' updates come in; (re)opening
 * syncs both ways, the server's step 1 answered by a step 2 carrying what it lacks (offline changes).
 */
class Member {
  constructor ({ token, id }, doc = new Y.Doc()) {
    this.token = token
    this.id = id
    this.doc = doc
    this.board = boardOf(doc)
    this.link = null
    this.acks = [] // promises of {ok, code} for every update sent
    this.step2 = null // the server's answer to our last step 2
    doc.on('update', (update, origin) => {
      if (origin === 'remote' || !this.link?.connected) return // offline: the next step 2 carries it
      this.acks.push(new Promise((resolve) => this.link.sendUpdate(update, (ok, code) => resolve({ ok, code }))))
    })
  }

  async open () {
    let answered
    this.step2 = new Promise((resolve) => { answered = resolve })
    this.link = new PlumeLink({ url: config.url, token: this.token, storyId: config.storyId }, {
      onUpdate: (update) => Y.applyUpdate(this.doc, update, 'remote'),
      onAwareness: () => {},
      onDrop: () => {},
      onStep2Ack: (ack) => answered({ ok: !!ack?.ok, code: ack?.error?.code })
    })
    await this.link.open(this.doc)
    return this
  }

  close () {
    this.link?.close()
  }

  /** The answers to everything sent so far. */
  settled () {
    return Promise.all(this.acks)
  }

  /** Send one update made outside the board functions (a hostile one); its ack {ok, code}. */
  change (edit) {
    const before = this.acks.length
    this.doc.transact(() => edit(this.board), 'hostile')
    return this.acks[before]
  }

  cards () {
    return this.board.toJSON()
  }

  vector () {
    return Array.from(Y.decodeStateVector(Y.encodeStateVector(this.doc))).sort().join(',')
  }
}

const members = () => config.members.map((member) => new Member(member))

async function until (predicate, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (predicate()) return true
    await sleep(25)
  }
  return predicate()
}

/** Wait until every member holds the same document (same state vector, same board). */
const converged = (group) => until(() =>
  group.every((m) => m.vector() === group[0].vector() && canonical(m.cards()) === canonical(group[0].cards())))

const refusals = (acks) => acks.filter((ack) => !ack.ok).map((ack) => ack.code)

const scenarios = {
  /** Every member adds cards, moves cards (theirs and others') and places their dots, all at once. */
  async together () {
    const { columns, dots, cardsEach } = config
    const group = await Promise.all(members().map((m) => m.open()))
    const started = Date.now()
    await Promise.all(group.map(async (m, i) => {
      for (let n = 0; n < cardsEach; n++) {
        addCard(m.board, { text: `Signal ${n} of member ${i}`, column: columns[(i + n) % columns.length], author: m.id, color: '#9a3412' })
        await sleep(random() * 15)
      }
    }))
    const all = group.length * cardsEach
    if (!await until(() => group.every((m) => m.board.length === all))) fail('the cards did not reach everyone')
    await Promise.all(group.map(async (m) => {
      for (let n = 0; n < 6; n++) {
        const ids = m.cards().map((card) => card.id)
        setCard(m.board, pick(ids), 'column', pick(columns)) // several members move the same cards at once
        if (n < dots) vote(m.board, pick(ids), m.id, +1, dots)
        await sleep(random() * 15)
      }
    }))
    const acks = (await Promise.all(group.map((m) => m.settled()))).flat()
    const same = await converged(group)
    const result = {
      converged: same,
      ms: Date.now() - started,
      sent: acks.length,
      refused: refusals(acks),
      boards: group.map((m) => m.cards())
    }
    group.forEach((m) => m.close())
    return result
  },

  /** One member goes offline, adds and moves cards, comes back: the browser's re-sync merges them. */
  async offline () {
    const [away, ...others] = await Promise.all(members().map((m) => m.open()))
    const column = config.columns[0]
    addCard(others[0].board, { text: 'Before the train', column, author: others[0].id })
    await others[0].settled()
    await until(() => away.board.length === 1)
    away.close()
    await sleep(100)
    const offlineId = addCard(away.board, { text: 'Written in the tunnel', column, author: away.id })
    setCard(away.board, away.cards()[0].id, 'column', config.columns[1])
    vote(away.board, offlineId, away.id, +1, config.dots)
    addCard(others[1].board, { text: 'Meanwhile, online', column, author: others[1].id })
    vote(others[1].board, others[1].cards()[0].id, others[1].id, +1, config.dots)
    const sentAway = away.acks.length
    await Promise.all(others.map((m) => m.settled()))
    await away.open() // reconnect: step 1 both ways, our step 2 carries the offline changes
    const step2 = await away.step2
    const group = [away, ...others]
    const same = await converged(group)
    const result = {
      converged: same,
      sentWhileAway: away.acks.length - sentAway,
      step2,
      refused: refusals((await Promise.all(group.map((m) => m.settled()))).flat()),
      offlineId,
      boards: group.map((m) => m.cards())
    }
    group.forEach((m) => m.close())
    return result
  },

  /**
   * A member of another group: `story:open` of this story, then `yjs` messages for it anyway (a sync step 1
   * to read, an update adding a card to write), and what reached them.
   */
  async outsider () {
    const [outsider] = members()
    let open = null
    try {
      await outsider.open()
      open = { ok: true, writable: null }
    } catch (error) {
      if (!error.ack) throw error
      open = error.ack
    }
    outsider.close()
    const socket = connect({ url: config.url, token: outsider.token })
    const received = []
    socket.on('yjs', (storyId, data) => received.push(storyId))
    await new Promise((resolve, reject) => { socket.on('connect', resolve); socket.on('connect_error', reject) })
    const call = (...args) => socket.timeout(5000).emitWithAck(...args)
    const again = await call('story:open', { story_id: config.storyId })
    const read = await call('yjs', config.storyId, frame(null, writeStep1(new Y.Doc())))
    const forged = new Y.Doc()
    let update
    forged.on('update', (u) => { update = u })
    addCard(boardOf(forged), { text: 'Forged by another group', column: 'Signals', author: outsider.id })
    const write = await call('yjs', config.storyId, frame(null, writeUpdate(update)))
    await sleep(300)
    socket.disconnect()
    const ack = (a) => (a.ok ? { ok: true, writable: a.writable } : { ok: false, code: a.error?.code })
    return {
      open: ack(open),
      again: ack(again),
      read: ack(read),
      write: ack(write),
      received: received.filter((id) => id === config.storyId).length,
      boards: [outsider.cards()]
    }
  },

  /**
   * Each shape-breaking update, from a member who then re-syncs: a reconnect with the same copy, whose
   * step 2 carries the refused change again (as the browser's provider would: refused again), then a fresh
   * copy of the server's (what Plume's editor does after a `locked`). An observer of the group, connected
   * all along, must get none of it.
   */
  async hostile () {
    const [ada, observer] = await Promise.all(members().map((m) => m.open()))
    const [bea] = config.members.slice(1)
    const column = config.columns[0]
    const cardId = addCard(ada.board, { text: 'A fair card', column, author: ada.id })
    vote(ada.board, cardId, ada.id, +1, config.dots)
    // At the bound, in characters (code points) as the browser counts them: 500, each two UTF-16 units.
    addCard(ada.board, { text: '🌱'.repeat(500), column, author: ada.id })
    if (refusals(await ada.settled()).length) fail('a legal card was refused')
    await until(() => observer.board.length === 2)
    const card = (board) => board.get(0)
    const map = (entries) => { const m = new Y.Map(); for (const [k, v] of entries) m.set(k, v); return m }
    const aCard = (entries) => map([['id', `h${Math.floor(random() * 1e9)}`], ['column', column], ['author', ada.id], ...entries])
    const cases = {
      'a card without text': (b) => b.push([aCard([])]),
      'a card whose text is a number': (b) => b.push([aCard([['text', 42]])]),
      'a card whose column is not a string': (b) => b.push([map([['id', 'n1'], ['text', 't'], ['column', 3]])]),
      "a card's text turned into a number": (b) => card(b).set('text', 1234),
      'more dots than allowed': (b) => card(b).get('votes').set(String(ada.id), config.dots + 1),
      "a vote in another member's name": (b) => card(b).get('votes').set(String(bea.id), 1),
      'a card over 500 characters': (b) => b.push([aCard([['text', 'x'.repeat(501)]])]),
      'a 501st card': (b) => b.push([aCard([['text', 'one too many']])])
    }
    // Before the 501st card, a legal update fills the board to its 500 (the bound is the board's).
    const fill = (b) => {
      const cards = []
      for (let n = b.length; n < 500; n++) cards.push(aCard([['text', `filler ${n}`], ['votes', new Y.Map()]]))
      b.push(cards)
    }
    const results = {}
    let member = ada
    for (const [name, edit] of Object.entries(cases)) {
      if (name === 'a 501st card') {
        results.filled = await member.change(fill)
        await until(() => observer.board.length === 500)
      }
      const refused = await member.change(edit)
      // The browser's re-sync: reconnect with the same copy; its step 2 carries the refused change again.
      member.close()
      const withChange = await new Member(config.members[0], member.doc).open()
      const resent = await withChange.step2
      withChange.close()
      // Then the copy is dropped for the server's: a fresh document, synced.
      member = await new Member(config.members[0]).open()
      results[name] = {
        refused,
        resent,
        reloaded: await until(() => canonical(member.cards()) === canonical(observer.cards()), 3000),
        cards: member.board.length
      }
    }
    // Still a working client: a legal move passes after all this.
    setCard(member.board, cardId, 'column', config.columns[1])
    const after = refusals(await member.settled())
    const same = await converged([member, observer])
    const result = { results, after, converged: same, boards: [member.cards(), observer.cards()] }
    member.close()
    observer.close()
    return result
  },

  /**
   * One member on two devices places two dots on each at once, past their three together: the server keeps
   * what reached it first. The refused device's later changes build on the refused one; its re-sync's
   * step 2 carries it again; a fresh copy of the server's writes again.
   */
  async twoDevices () {
    const [phone, laptop] = await Promise.all([config.members[0], config.members[0]].map((m) => new Member(m).open()))
    const column = config.columns[0]
    const first = addCard(phone.board, { text: 'On the phone', column, author: phone.id })
    const second = addCard(phone.board, { text: 'On the laptop', column, author: phone.id })
    await phone.settled()
    await until(() => laptop.board.length === 2)
    for (let n = 0; n < 2; n++) {
      vote(phone.board, first, phone.id, +1, config.dots)
      vote(laptop.board, second, laptop.id, +1, config.dots)
    }
    const acks = { phone: refusals(await phone.settled()), laptop: refusals(await laptop.settled()) }
    const refused = acks.phone.length ? phone : laptop
    const later = await refused.change(() => setCard(refused.board, first, 'column', config.columns[1]))
    refused.close()
    const again = await new Member(config.members[0], refused.doc).open()
    const resent = await again.step2
    again.close()
    const fresh = await new Member(config.members[0]).open()
    const afterReload = await fresh.change(() => setCard(fresh.board, second, 'column', config.columns[2]))
    const result = { acks, later, resent, afterReload, boards: [fresh.cards()] }
    for (const m of [phone, laptop, fresh]) m.close()
    return result
  }
}

const run = scenarios[scenario]
if (!run) fail(`no scenario ${scenario}`)
const result = JSON.stringify(await run())
process.stdout.write(`${result}\n`, () => process.exit(0)) // a pipe takes 64 KiB at once: wait for all
