// The DOM helper, on a minimal stand-in for `document` (the unit tests run in Node, without a DOM).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { el, hexColor, isSendChord, postedAt, readJSON, sendOnChord, setText, swatch } from './dom.js'

class FakeNode {
  constructor (tag) {
    this.tagName = tag.toUpperCase()
    this.attributes = {}
    this.listeners = {}
    this.children = []
    this.className = ''
    this.textContent = ''
    this.styles = {}
    this.style = { setProperty: (name, value) => { this.styles[name] = value } }
  }

  setAttribute (name, value) { this.attributes[name] = value }
  addEventListener (type, fn) { (this.listeners[type] ||= []).push(fn) }
  append (...nodes) { this.children.push(...nodes) }
}

const islands = { good: '{"a": 1}', broken: '{', empty: '' }
globalThis.document = {
  createElement: (tag) => new FakeNode(tag),
  getElementById: (id) => (id in islands ? { textContent: islands[id] } : null)
}

test('el: class, text, listeners, boolean and absent attributes, children', () => {
  const click = () => {}
  const node = el('button', { class: 'button', type: 'button', hidden: true, disabled: false, title: null, onclick: click, rows: 3 }, 'Go', null, 'on')
  assert.equal(node.tagName, 'BUTTON')
  assert.equal(node.className, 'button')
  assert.deepEqual(node.attributes, { type: 'button', hidden: '', rows: '3' })
  assert.deepEqual(node.listeners, { click: [click] })
  assert.deepEqual(node.children, ['Go', 'on'])
  assert.equal(el('p', { text: 'hello' }).textContent, 'hello')
})

test('swatch: a hidden square with the colour, and only hex colours pass hexColor', () => {
  const node = swatch('#9a3412')
  assert.equal(node.className, 'swatch')
  assert.equal(node.attributes['aria-hidden'], 'true')
  assert.equal(node.styles['--swatch'], '#9a3412')
  assert.deepEqual(swatch(null).styles, {})
  assert.equal(hexColor('#abc'), '#abc')
  assert.equal(hexColor('red; background:url(x)'), null)
  assert.equal(hexColor(undefined), null)
})

test('setText writes only a change; readJSON falls back on a missing, broken or empty island', () => {
  const node = { textContent: 'same' }
  setText(node, 'same')
  setText(null, 'nothing')
  setText(node, 'new')
  assert.equal(node.textContent, 'new')
  assert.deepEqual(readJSON('good'), { a: 1 })
  assert.deepEqual(readJSON('missing'), {})
  assert.equal(readJSON('broken', null), null)
  assert.deepEqual(readJSON('empty', { connected: [] }), { connected: [] })
})

test('postedAt: in the page\'s language, not the browser\'s (issue 28: "10:55 AM" on a French page)', () => {
  const at = '2026-01-01T22:55:00Z'
  const french = new Date(at).toLocaleTimeString('fr', { hour: '2-digit', minute: '2-digit' })
  assert.equal(postedAt(at, 'fr').children[0], ` · ${french}`)
  assert.doesNotMatch(postedAt(at, 'fr').children[0], /AM|PM/)
  assert.match(postedAt(at, 'en-US').children[0], /AM|PM/)
})

test('postedAt: the time of a post after a middle dot, none without one', () => {
  const node = postedAt('2026-01-01T10:42:00Z')
  assert.equal(node.tagName, 'TIME')
  assert.equal(node.className, 'muted')
  assert.equal(node.attributes.datetime, '2026-01-01T10:42:00Z')
  assert.match(node.children[0], /^ · \d/)
  assert.equal(postedAt(null), null)
})

test('sendOnChord: Ctrl+Enter and Cmd+Enter submit the form; Enter, Shift+Enter and composing do not', () => {
  const submitted = []
  const area = el('textarea')
  area.form = { requestSubmit: () => submitted.push(true) }
  assert.equal(sendOnChord(area), area)
  assert.equal(area.attributes['aria-keyshortcuts'], 'Control+Enter Meta+Enter')
  const press = (keys) => {
    let prevented = false
    const event = { key: 'Enter', ctrlKey: false, metaKey: false, shiftKey: false, isComposing: false, ...keys, preventDefault: () => { prevented = true } }
    for (const listener of area.listeners.keydown) listener(event)
    return prevented
  }
  assert.equal(press({}), false)
  assert.equal(press({ shiftKey: true }), false)
  assert.equal(press({ ctrlKey: true, isComposing: true }), false)
  assert.equal(submitted.length, 0)
  assert.equal(press({ ctrlKey: true }), true)
  assert.equal(press({ metaKey: true }), true)
  assert.equal(submitted.length, 2)
  assert.equal(isSendChord({ key: 'a', ctrlKey: true }), false)
})
