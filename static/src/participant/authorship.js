/**
 * "Show who wrote what" under the group's editor (issue 28): a toggle, remembered by this browser
 * (localStorage), that tints each run of the story with its writer's colour (../editor/authorship.js), and a
 * legend of the group's writers. Who wrote with which Yjs client comes from `GET /stories/<id>/writers.json`
 * (the group's members and the workshop's facilitators only: docs/protocol.md), asked again when the text
 * shows a client it does not know yet (a writer who joined meanwhile), at most once per `AGAIN_MS`.
 *
 * Host: [data-authorship] with data-writers-url, holding [data-authorship-toggle] (a checkbox) and
 * [data-authorship-legend] (a list). The host carries data-loaded="true" once the writers are known.
 */
import { el, swatch } from '../dom.js'
import { showAuthorship } from '../editor/authorship.js'
import { accessibleColor } from '../colors.js'

const KEY = 'plume-authorship'
const AGAIN_MS = 2000

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
 * @param {{me?: number, strings?: object}} opts
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
  let loading = null
  let again = null
  let lastAsked = 0

  function writerOf (client) {
    const id = client === editor.doc.clientID && me != null && members[me] ? me : clients.get(client)
    if (id === undefined) return undefined
    const member = id === null ? null : members[id]
    return member ? { key: String(id), name: member.name, color: member.color } : null
  }

  const colours = showAuthorship(editor.view, editor.doc.getText('body'), {
    writerOf,
    unknownName: () => unknownName,
    onUnknown (client) {
      if (asked.has(client) || again) return
      again = setTimeout(() => { again = null; load() }, Math.max(0, lastAsked + AGAIN_MS - Date.now()))
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
        host.dataset.loaded = 'true'
        renderLegend()
        colours.refresh()
      })
      .catch(() => { host.dataset.loaded = 'error' })
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
    if ([...clients.values()].some((id) => id === null || !members[id])) {
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
