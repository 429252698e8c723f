// The overview's pure parts: time left and lateness, each group's state, the alerts, merging pushed rows.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { alertsOf, countdown, groupState, isLive, lateSeconds, mergeRows, secondsLeft, totals } from './model.js'

const NOW = Date.parse('2026-12-07T10:00:00Z')
const iso = (offsetSeconds) => new Date(NOW + offsetSeconds * 1000).toISOString()
const limits = { idle_seconds: 180, late_seconds: 300 }
const group = (fields) => ({ id: 1, name: 'Group 1', joined: 3, connected: 2, words: 10, last_activity_at: iso(-10), called_at: null, ...fields })
const row = (fields) => ({ id: 7, title: 'W', status: 'running', ended: false, deadline: iso(120), remaining_seconds: 120, groups: [], as_of: iso(0), ...fields })

test('time left counts down to the deadline, stays when paused, and is none before the start or after the end', () => {
  assert.equal(secondsLeft(row(), NOW), 120)
  assert.equal(secondsLeft(row({ status: 'paused', deadline: null, remaining_seconds: 42 }), NOW), 42)
  assert.equal(secondsLeft(row({ status: 'not_started', deadline: null }), NOW), null)
  assert.equal(secondsLeft(row({ ended: true }), NOW), null)
  assert.equal(countdown(754), '12:34')
  assert.equal(countdown(3723), '1:02:03')
  assert.equal(countdown(-5), '0:00')
})

test('a running workshop past its deadline is behind by that much; a paused one is not', () => {
  assert.equal(lateSeconds(row({ deadline: iso(-400) }), NOW), 400)
  assert.equal(lateSeconds(row(), NOW), 0)
  assert.equal(lateSeconds(row({ status: 'paused', deadline: null, remaining_seconds: 0 }), NOW), 0)
})

test('a group calls, sits empty, writes, falls idle, or has written nothing yet', () => {
  const live = row()
  assert.equal(groupState(group({ called_at: iso(-5) }), live, NOW, 180), 'calling')
  assert.equal(groupState(group({ connected: 0 }), live, NOW, 180), 'empty')
  assert.equal(groupState(group({ connected: 0, joined: 0, last_activity_at: null }), live, NOW, 180), 'quiet')
  assert.equal(groupState(group(), live, NOW, 180), 'writing')
  assert.equal(groupState(group({ last_activity_at: iso(-181) }), live, NOW, 180), 'idle')
  // Before the start nobody is expected to be connected, and after the end a call is moot.
  assert.equal(groupState(group({ connected: 0 }), row({ status: 'not_started' }), NOW, 180), 'writing')
  assert.equal(groupState(group({ called_at: iso(-5) }), row({ ended: true, status: 'finished' }), NOW, 180), 'writing')
})

test('the alerts: late by more than the limit, a group with nobody connected, a group calling', () => {
  const groups = [group({ id: 1, connected: 0 }), group({ id: 2, called_at: iso(-3) }), group({ id: 3 })]
  const alerts = alertsOf(row({ deadline: iso(-301), groups }), NOW, limits)
  assert.deepEqual(alerts.map((a) => [a.kind, a.group?.id, a.minutes]), [['late', undefined, 5], ['empty', 1, undefined], ['calling', 2, undefined]])
  assert.deepEqual(alertsOf(row({ deadline: iso(-299) }), NOW, limits), [])
  assert.deepEqual(alertsOf(row({ ended: true, status: 'finished', groups }), NOW, limits), [])
  assert.equal(isLive(row({ status: 'paused' })), true)
})

test('a pushed row replaces an older one, never a newer one, and keeps the console link', () => {
  const rows = new Map([[7, row({ console_url: '/workshops/7/console', phase_index: 0 })]])
  assert.equal(mergeRows(rows, [row({ phase_index: 1, as_of: iso(1) })]), true)
  assert.equal(rows.get(7).phase_index, 1)
  assert.equal(rows.get(7).console_url, '/workshops/7/console')
  assert.equal(mergeRows(rows, [row({ phase_index: 0, as_of: iso(-1) })]), false) // from the other worker, older
  assert.equal(rows.get(7).phase_index, 1)
  assert.equal(mergeRows(rows, [null, { id: 'x' }]), false)
  mergeRows(rows, [row({ id: 8, status: 'not_started', connected: 2, joined: 5 })])
  assert.deepEqual(totals([...rows.values()].map((r) => ({ connected: 1, joined: 2, ...r }))), { workshops: 2, running: 1, connected: 3, joined: 7 })
})
