// The console's pure parts: which controls show, which jumps ask first, what a button commands, the move
// form's people, the groups' activity and its "ago".
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ago, noteActivity } from './activity.js'
import { commandOf, endsWorkshop, isFarJump, tooSoon } from './commands.js'
import { controlStates } from './controls.js'
import { unlockDone, writingState } from './groups.js'
import { peopleFor } from './move.js'

const c = { doneStart: 'started', donePhase: 'phase', doneFinish: 'over', doneExtend: '{minutes} min added' }
const button = (dataset) => ({ dataset })

test('the clock controls follow the status', () => {
  const shown = (state) => Object.fromEntries(Object.entries(controlStates(state)).map(([a, s]) => [a, s.hidden ? 'hidden' : s.disabled ? 'off' : 'on']))
  assert.deepEqual(shown({ status: 'not_started', phase_index: 0 }), { start: 'on', pause: 'off', resume: 'hidden', extend: 'off', previous: 'off', next: 'on' })
  assert.deepEqual(shown({ status: 'running', phase_index: 0 }), { start: 'hidden', pause: 'on', resume: 'hidden', extend: 'on', previous: 'off', next: 'on' })
  assert.deepEqual(shown({ status: 'paused', phase_index: 2 }), { start: 'hidden', pause: 'hidden', resume: 'on', extend: 'on', previous: 'on', next: 'on' })
  assert.deepEqual(shown({ status: 'finished', phase_index: 0 }), { start: 'hidden', pause: 'off', resume: 'hidden', extend: 'off', previous: 'on', next: 'off' })
})

test('a jump that skips a phase, or starts past the first, asks first', () => {
  assert.equal(isFarJump(null, 3), false)
  assert.equal(isFarJump({ status: 'running', phase_index: 2 }, 3), false)
  assert.equal(isFarJump({ status: 'running', phase_index: 2 }, 0), true)
  assert.equal(isFarJump({ status: 'not_started', phase_index: 0 }, 0), false)
  assert.equal(isFarJump({ status: 'not_started', phase_index: 0 }, 1), true)
})

test('a button\'s command and what is said once it is done', () => {
  const running = { status: 'running', phase_index: 1, phase_count: 2 }
  assert.deepEqual(commandOf(button({ command: 'start' }), null, c), { command: { action: 'start' }, done: 'started' })
  assert.deepEqual(commandOf(button({ command: 'extend', seconds: '300' }), running, c), { command: { action: 'extend', seconds: 300 }, done: '5 min added' })
  assert.deepEqual(commandOf(button({ command: 'goto', index: '0' }), running, c), { command: { action: 'goto', index: 0 }, done: 'phase' })
  assert.equal(commandOf(button({ command: 'next' }), running, c).done, 'over') // the last phase: the workshop ends
  assert.equal(commandOf(button({ command: 'next' }), { ...running, phase_index: 0 }, c).done, 'phase')
})

test('the move form lists people by name, found by their name or their group', () => {
  const state = { groups: [{ name: 'Blue', members: [{ id: 1, name: 'Zoé' }, { id: 2, name: 'Ada' }] }, { name: 'Red', members: [{ id: 3, name: 'Émile' }] }] }
  assert.deepEqual(peopleFor(state, '', 'fr').map((p) => p.name), ['Ada', 'Émile', 'Zoé'])
  assert.deepEqual(peopleFor(state, 'red', 'fr').map((p) => p.id), [3])
  assert.deepEqual(peopleFor(state, 'zo', 'fr').map((p) => `${p.name} ${p.group}`), ['Zoé Blue'])
})

test('activity keeps the latest news of a draft; "ago" in words', () => {
  const activity = new Map()
  noteActivity(activity, 1, 10, '2026-01-01T10:00:00Z')
  noteActivity(activity, 1, 5, '2026-01-01T09:00:00Z') // older: ignored
  noteActivity(activity, 2, undefined, undefined)
  assert.deepEqual(activity.get(1), { length: 10, at: '2026-01-01T10:00:00Z' })
  assert.deepEqual(activity.get(2), { length: 0, at: null })
  const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
  const now = Date.parse('2026-01-01T10:00:00Z')
  assert.equal(ago('2026-01-01T09:59:30Z', relative, 'en', now), '30 seconds ago')
  assert.equal(ago('2026-01-01T09:58:00Z', relative, 'en', now), '2 minutes ago')
  assert.equal(ago('2026-01-01T08:00:00Z', relative, 'en', now), '2 hours ago')
  assert.equal(ago('not a date', relative, 'en', now), '')
})

test('"Next phase" on the last phase ends the workshop, and asks first (issue 28)', () => {
  const last = { status: 'running', phase_index: 7, phase_count: 8 }
  assert.equal(endsWorkshop(last, 'next'), true)
  assert.equal(endsWorkshop({ ...last, status: 'paused' }, 'next'), true)
  assert.equal(endsWorkshop({ ...last, phase_index: 6 }, 'next'), false)
  assert.equal(endsWorkshop(last, 'previous'), false)
  assert.equal(endsWorkshop({ ...last, status: 'finished' }, 'next'), false)
  assert.equal(endsWorkshop(null, 'next'), false)
})

test('a second "Next" or "Previous" within a moment of a step is absorbed (issue 28: two clicks 250 ms apart)', () => {
  assert.equal(tooSoon('next', { action: 'next', at: 1000 }, 1250), true)
  assert.equal(tooSoon('previous', { action: 'previous', at: 1000 }, 1250), true)
  assert.equal(tooSoon('next', { action: 'next', at: 1000 }, 1600), false) // half a second on: meant
  assert.equal(tooSoon('next', { action: 'previous', at: 1000 }, 1100), false) // Previous then Next: meant
  assert.equal(tooSoon('next', { action: 'goto', at: 1000 }, 1100), false)
  assert.equal(tooSoon('pause', { action: 'pause', at: 1000 }, 1010), false)
  assert.equal(tooSoon('next', { action: null, at: -Infinity }, 0), false)
})

test('a group card says what its participants get, not only its lock (issue 28)', () => {
  const words = { openState: 'Open', openedState: 'Open until the next phase', lockedState: 'Locked', closedState: 'Closed by this phase', notLiveState: 'Not running' }
  assert.equal(writingState({ locked: false, writable: false, writing: 'agenda' }, words), 'Closed by this phase')
  assert.equal(writingState({ locked: false, writable: true, writing: 'facilitator' }, words), 'Open until the next phase')
  assert.equal(writingState({ locked: true, writable: false, writing: 'locked' }, words), 'Locked')
  assert.equal(writingState({ locked: false, writable: false, writing: 'not_live' }, words), 'Not running')
  assert.equal(writingState({ locked: false, writable: true, writing: 'phase' }, words), 'Open')
  const c = { doneUnlockIdle: 'nobody writes yet' }
  assert.equal(unlockDone({ status: 'running' }, c, 'open'), 'open')
  assert.equal(unlockDone({ status: 'not_started' }, c, 'open'), 'nobody writes yet')
  assert.equal(commandOf(button({ command: 'unlock' }), { status: 'finished' }, { ...c, doneUnlockAll: 'all open' }).done, 'nobody writes yet')
})
