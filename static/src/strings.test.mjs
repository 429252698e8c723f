// Elision and plurals of static/src/strings.js, on the cases core/elision.py is tested against too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { elide, format, plural } from './strings.js'

const { cases } = JSON.parse(readFileSync(new URL('../../tests/fixtures/elision.json', import.meta.url), 'utf8'))

test('format elides before a name in French, on the cases shared with core/elision.py', () => {
  for (const { lang, template, values, expected } of cases) assert.equal(format(template, values, lang), expected, template)
})

test('no elision outside French, nor where no name was put in', () => {
  assert.equal(format('Commentaires sur le récit de {group}', { group: 'Érable' }, 'en'), 'Commentaires sur le récit de Érable')
  assert.equal(elide('de Alice', { name: 'Alice' }, 'fr'), 'de Alice')
  assert.equal(format('de {n}', { n: 8 }, 'fr'), 'de 8')
})

test('a plural entry is worded with the locale’s plural rules', () => {
  const unread = { one: '{count} nouveau', other: '{count} nouveaux' }
  assert.equal(plural(unread, 0, 'fr'), '0 nouveau')
  assert.equal(plural(unread, 1, 'fr'), '1 nouveau')
  assert.equal(plural(unread, 2, 'fr'), '2 nouveaux')
  const english = { one: '{count} new', other: '{count} new' }
  assert.equal(plural(english, 1, 'en'), '1 new')
  assert.equal(plural('{count} new', 3, 'en'), '3 new')  // a plain string serves every count
  assert.equal(plural({ one: '{count} fichier', other: '{count} fichiers' }, 1234, 'fr'), '1\u202f234 fichiers')
})
