// Pure helpers of the editor: word count, strings, colours, status sentence. Run with `npm test`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { countWords } from './words.js'
import { resolveStrings, format, formatWords, DEFAULT_STRINGS } from './strings.js'
import { accessibleColor, contrastWithWhite, PALETTE, colorFor } from './colors.js'
import { describeStatus } from './status.js'

test('word count ignores Markdown markup and keeps contractions whole', () => {
  assert.equal(countWords(''), 0)
  assert.equal(countWords('# Title\n\n- one\n- two **three**'), 4)
  assert.equal(countWords("Aujourd'hui, l’avenir est bien-être."), 4)
  assert.equal(countWords('En 2040, 3.5 millions'), 4)
  assert.equal(countWords('> quoted   text\n\n---\n'), 2)
})

test('strings: catalogue over defaults, flat or under "editor", placeholders and plurals', () => {
  const s = resolveStrings({ editorLabel: 'Texte', editor: { wordsOne: '{count} mot', wordsOther: '{count} mots' }, n: 3 })
  assert.equal(s.editorLabel, 'Texte')
  assert.equal(s.saveSaved, DEFAULT_STRINGS.saveSaved)
  assert.equal(formatWords(s, 0, 'fr'), '0 mot')
  assert.equal(formatWords(s, 1, 'fr'), '1 mot')
  assert.equal(formatWords(s, 2, 'fr'), '2 mots')
  assert.equal(formatWords(DEFAULT_STRINGS, 0, 'en'), '0 words')
  assert.equal(formatWords(DEFAULT_STRINGS, 1, 'en'), '1 word')
  assert.equal(format('{a} and {b}', { a: 1 }), '1 and {b}')
})

test('writer colours: always hex and AA against white labels', () => {
  for (const c of ['#ffbc42', '#6eeb83', '#fff', '#1be7ff', '#000000', ...PALETTE]) {
    const out = accessibleColor(c)
    assert.match(out, /^#[0-9a-f]{6}$/)
    const rgb = [1, 3, 5].map((i) => parseInt(out.slice(i, i + 2), 16))
    assert.ok(contrastWithWhite(rgb) >= 4.5, `${c} → ${out}`)
  }
  assert.equal(accessibleColor('red; background:url(x)', 'k'), colorFor('k'))
  assert.equal(accessibleColor('#9a3412'), '#9a3412')
})

test('status sentence', () => {
  const s = DEFAULT_STRINGS
  const base = { connection: 'connected', save: 'saved', writable: true, locked: false, synced: true, error: null }
  assert.deepEqual(describeStatus(base, s), { text: s.saveSaved, tone: 'ok' })
  assert.equal(describeStatus({ ...base, save: 'saving' }, s).text, s.saveSaving)
  assert.equal(describeStatus({ ...base, connection: 'reconnecting', save: 'unsaved' }, s).tone, 'warn')
  assert.equal(describeStatus({ ...base, writable: false }, s).text, s.readOnly)
  assert.equal(describeStatus({ ...base, writable: false, locked: true, error: { code: 'locked' } }, s).text, s.locked)
  assert.deepEqual(describeStatus({ ...base, save: 'unsaved', error: { code: 'too_large' } }, s),
    { text: `${s.saveUnsaved} ${s.errorTooLarge}`, tone: 'error' })
})
