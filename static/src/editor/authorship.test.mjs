// Authorship colours in the live editor (issue 28): the runs of text by Yjs client, and tints that keep
// every text colour of the editor readable.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import { runsOf, tint } from './authorship.js'
import { PALETTE } from '../colors.js'

function twoWriters () {
  const ana = new Y.Doc()
  const ben = new Y.Doc()
  ana.getText('body').insert(0, 'Une forêt. ')
  Y.applyUpdate(ben, Y.encodeStateAsUpdate(ana))
  ben.getText('body').insert(11, 'Des enfants. ')
  Y.applyUpdate(ana, Y.encodeStateAsUpdate(ben))
  ana.getText('body').insert(ana.getText('body').length, 'Un banc.')
  ana.getText('body').delete(0, 4) // "Une " gone: deleted items are skipped
  return { doc: ana, ana: ana.clientID, ben: ben.clientID }
}

test('the runs of the text by writer, in UTF-16 units as CodeMirror counts (the Y.Text items walked)', () => {
  const { doc, ana, ben } = twoWriters()
  const body = doc.getText('body')
  assert.equal(body.toString(), 'forêt. Des enfants. Un banc.')
  assert.deepEqual(runsOf(body, [{ from: 0, to: body.length }]), [
    { from: 0, to: 7, client: ana },
    { from: 7, to: 20, client: ben },
    { from: 20, to: 28, client: ana }
  ])
})

test('only what the editor shows is read: the runs are cut to the visible ranges', () => {
  const { doc, ana, ben } = twoWriters()
  const body = doc.getText('body')
  assert.deepEqual(runsOf(body, [{ from: 3, to: 9 }]), [
    { from: 3, to: 7, client: ana },
    { from: 7, to: 9, client: ben }
  ])
  assert.deepEqual(runsOf(body, [{ from: 21, to: 22 }]), [{ from: 21, to: 22, client: ana }])
  assert.deepEqual(runsOf(body, []), [])
})

test('the walk stops after the last visible range (a long text costs what is shown)', () => {
  const doc = new Y.Doc()
  const body = doc.getText('body')
  for (let i = 0; i < 200; i++) {
    const other = new Y.Doc() // 200 writers, 200 items
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
    other.getText('body').insert(body.length, 'x')
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
  }
  let visited = 0
  const counting = { get _start () { return wrap(body._start) } }
  function wrap (item) {
    if (item === null) return null
    visited++
    return { ...item, deleted: item.deleted, countable: item.countable, length: item.length, id: item.id, get right () { return wrap(item.right) } }
  }
  assert.equal(runsOf(counting, [{ from: 0, to: 5 }]).length, 5)
  assert.ok(visited <= 6, `visited ${visited} items`)
})

const luminance = (hex) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
const contrast = (a, b) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p)
  return (x + 0.05) / (y + 0.05)
}

test('every text colour of the editor keeps 4.5:1 on every writer\'s tint (WCAG AA)', () => {
  const texts = ['#1d1b19', '#9a3412', '#1e3a8a', '#4a4540', '#5f5850', '#b91c1c']
  for (const color of [...PALETTE, '#6b7280', '#ffff00', '#00ffff', 'not a colour']) {
    const background = tint(color)
    assert.match(background, /^#[0-9a-f]{6}$/)
    for (const text of texts) {
      assert.ok(contrast(text, background) >= 4.5, `${text} on ${background} (${color}): ${contrast(text, background).toFixed(2)}`)
    }
  }
})
