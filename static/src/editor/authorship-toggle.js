/**
 * "Show who wrote what" under an editor (issue 28: the participant's own story, each draft of the console): a
 * toggle, remembered by this browser (localStorage), that tints each run of the story with its writer's colour
 * (./authorship.js), and a legend of the group's writers. Who wrote with which Yjs client comes from `GET /stories/<id>/writers.json`
 * (the group's members and the workshop's facilitators only: docs/protocol.md), asked again when the text
 * shows a client it does not know yet (a writer who joined meanwhile), at most once per `AGAIN_MS`.
 *
 * Host: [data-authorship] with data-writers-url, holding [data-authorship-toggle] (a checkbox) and
 * [data-authorship-legend] (a list). The host carries data-loaded="true" once the writers are known.
 */
import { el, swatch } from '../dom.js'
import { showAuthorship } from './authorship.js'
import { accessibleColor } from '../colors.js'

const KEY = 'plume-authorship'
const AGAIN_MS = 2000
const MAX_AGAIN_MS = 60000 // after failures, the asks space out up to this

function storage () {
  try { return globalThis.localStorage || null } catch { return null }
}

/** Whether this browser asked for the colours (off until asked). */
export const remembered = () => storage()?.getItem(KEY) === 'on'

function remember (on) {
  try { storage()?.setItem(KEY, on ? 'on' : 'off') } catch { /* private mode: not remembered */ }
}

/**
 * @param {HTMLElement} host [data-authorship]
 * @param {{view, doc}} editor the group's editor (mountEditor)
 * @param {{me?: number, strings?: {you?: string, error?: string}}} opts
 */
export function attachAuthorship (host, editor, { me, strings = {} } = {}) {
  const toggle = host.querySelector('[data-authorship-toggle]')
  const legend = host.querySelector('[data-authorship-legend]')
  const url = host.dataset.writersUrl
  if (!toggle || !legend || !url) return null

  let clients = new Map() // Yjs client id → participant id or null
  let members = {}
  let unknownName = ''
  let asked = new Set() // client ids the last answer was asked for, known or not
  let nobodys = false // some text is of nobody's (a facilitator's, a restore's, a writer the log no longer names)
  let loading = null
  let again = null
  let lastAsked = 0
  let failures = 0

  function writerOf (client) {
    const id = client === editor.doc.clientID && me != null && members[me] ? me : clients.get(client)
    if (id === undefined) return asked.has(client) ? null : undefined // asked already: nobody the log names
    const member = id === null ? null : members[id]
    return member ? { key: String(id), name: member.name, color: member.color } : null
  }

  const colours = showAuthorship(editor.view, editor.doc.getText('body'), {
    writerOf,
    unknownName: () => unknownName,
    onUnknown (client) {
      if (asked.has(client) || again || loading) return
      const wait = Math.min(MAX_AGAIN_MS, AGAIN_MS * 2 ** failures)
      again = setTimeout(() => { again = null; load() }, Math.max(0, lastAsked + wait - Date.now()))
    }
  })

  async function load () {
    if (loading || !toggle.checked) return loading
    lastAsked = Date.now()
    const wanted = new Set(textClients())
    loading = fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(String(response.status)))))
      .then((answer) => {
        clients = new Map(Object.entries(answer.clients || {}).map(([c, id]) => [Number(c), id]))
        members = answer.members || {}
        unknownName = String(answer.unknown || '')
        asked = new Set([...wanted, ...clients.keys()])
        nobodys = [...wanted].some((c) => c !== editor.doc.clientID && writerOf(c) == null)
        failures = 0
        host.dataset.loaded = 'true'
        renderLegend()
        colours.refresh()
      })
      .catch(() => {
        failures++
        host.dataset.loaded = 'error'
        if (!clients.size && strings.error) legend.replaceChildren(el('li', { class: 'muted' }, strings.error))
      })
      .finally(() => { loading = null })
    return loading
  }

  /** The client ids whose text is in the document now (for `asked`: one ask per newcomer). */
  function textClients () {
    const found = []
    for (let item = editor.doc.getText('body')._start; item !== null; item = item.right) {
      if (!item.deleted) found.push(item.id.client)
    }
    return found
  }

  function renderLegend () {
    const items = Object.entries(members).map(([id, member]) => {
      const you = Number(id) === me && strings.you ? ` (${strings.you})` : ''
      return el('li', { 'data-writer': id }, swatch(accessibleColor(member.color, id)), member.name + you)
    })
    if (nobodys) {
      items.push(el('li', { 'data-writer': 'unknown' }, el('span', { class: 'swatch swatch--unknown', 'aria-hidden': 'true' }), unknownName))
    }
    legend.replaceChildren(...items)
  }

  function apply (on) {
    toggle.checked = on
    legend.hidden = !on
    host.dataset.on = String(on)
    colours.setEnabled(on)
    if (on) load()
  }

  toggle.addEventListener('change', () => {
    remember(toggle.checked)
    apply(toggle.checked)
  })
  apply(remembered())
  return { colours, load, get clients () { return clients } }
}
