// What the live view says when the state changes, and the time left in words.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { timeText, transitionSentence } from './sentences.js'

const t = {
  hours: '{hours} h {minutes} min',
  finishedNow: 'over',
  pausedNow: 'paused',
  resumedNow: 'resumed',
  phaseNow: 'Now: {title}. {time} left.'
}

test('the time left: a clock under an hour, hours and minutes past it', () => {
  assert.equal(timeText(754, t), '12:34')
  assert.equal(timeText(3600 + 5 * 60 + 20, t), '1 h 5 min')
})

test('the sentence of a change: the end, a pause, a resume, a new phase; nothing on the first state', () => {
  const running = { status: 'running', phase_index: 0, phase_title: 'Ideas', remaining_seconds: 0 }
  const paused = { status: 'paused', phase_index: 0, phase_title: 'Ideas', remaining_seconds: 300 }
  assert.equal(transitionSentence(running, null, t, 0), null)
  assert.equal(transitionSentence({ ...running, status: 'finished' }, running, t, 0), 'over')
  assert.equal(transitionSentence(paused, running, t, 0), 'paused')
  assert.equal(transitionSentence(running, paused, t, 0), 'resumed')
  const next = { status: 'paused', phase_index: 1, phase_title: 'Write', remaining_seconds: 600 }
  assert.equal(transitionSentence({ ...next, status: 'running', deadline: null }, running, t, 0), 'Now: Write. 0:00 left.')
  assert.equal(transitionSentence(running, running, t, 0), null)
})
