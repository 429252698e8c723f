/**
 * Edits that a lock caught (issue 28): typed as a phase hit its deadline, or offline before a group lock.
 * The server refused them, so they are not kept on this screen either: the editor drops its copy (the
 * server's is everyone's), clears it from IndexedDB, reloads from the server, and tells the writer plainly
 * which words were not kept, with a button to copy them (docs/protocol.md, "locked").
 *
 * The same goes for a board change refused `forbidden` or `malformed` (docs/protocol.md, "The board"): dots
 * placed from two tabs at once past the member's count. The server would refuse that copy's every later
 * sync, so it is dropped the same way; the notice says what happened to the board, and which words typed
 * since (refused with it, as they build on it) were not kept.
 *
 * The provider reports what the server lacks as 'unsent' when it (re-)opens a story it may not write, or
 * after such a refusal; a `locked`, `forbidden` or `malformed` refusal of an update re-opens it once, to
 * learn that.
 */
import * as Y from 'yjs'
import { el } from '../dom.js'
import { format } from '../strings.js'
import { REFUSAL_CODES } from '../sync/provider.js'

const KEY = (storyId) => `plume-not-kept-${storyId}`
const AGAIN_MS = 15000 // a second roll-back this soon after one (IndexedDB would not clear): no reload loop

/**
 * The words of `ytext` that the server (at `stateVector`) lacks, in the text's order; runs apart in the
 * text are joined by " … ". (It walks the Y.Text's items: `_start`, `right`, `id`, `deleted`, `content`.)
 */
export function wordsOf (ytext, stateVector) {
  const known = Y.decodeStateVector(stateVector)
  const runs = []
  let inRun = false
  for (let item = ytext._start; item !== null; item = item.right) {
    const lacking = item.id.clock >= (known.get(item.id.client) || 0)
    const str = !item.deleted && item.content && typeof item.content.str === 'string' ? item.content.str : null
    if (str === null) continue // deleted, or not text: invisible either way
    if (lacking && inRun) runs[runs.length - 1] += str
    else if (lacking) runs.push(str)
    inRun = lacking
  }
  return runs.map((run) => run.trim()).filter(Boolean).join(' … ')
}

function session () {
  try { return globalThis.sessionStorage || null } catch { return null }
}

/**
 * Follow the provider of a writer's editor: a `locked` refusal re-opens the story once; what the server
 * lacks then ('unsent') is dropped (`drop` stops the editor; IndexedDB is cleared) and the page reloads.
 */
export function followNotKept ({ provider, persistence, storyId, drop }) {
  let asked = false
  provider.on('error', (error) => {
    if (!(error.code === 'locked' || REFUSAL_CODES.includes(error.code)) || error.during !== 'update' || asked) return
    asked = true
    setTimeout(() => provider.resync(), 0) // once the burst of refusals is over
  })
  provider.on('synced', (synced) => { if (synced) asked = false })
  provider.on('unsent', async (update, stateVector, refused = null) => {
    const store = session()
    const before = store && JSON.parse(store.getItem(KEY(storyId)) || 'null')
    const again = before && Date.now() - before.at < AGAIN_MS
    const words = wordsOf(provider.doc.getText('body'), stateVector)
    if (store) store.setItem(KEY(storyId), JSON.stringify({ words, refused: refused || null, at: Date.now() }))
    drop()
    try {
      if (persistence) await persistence.clearData()
    } catch (error) {
      console.warn('plume: the offline copy could not be cleared', error)
    }
    if (!again && typeof location !== 'undefined') location.reload()
  })
}

/**
 * What the notice says: a lock's words not kept; or, after a board change refused `forbidden` (dots placed
 * from two tabs at once) or `malformed`, what happened to the board, then the words not kept with it.
 * @param {{words?: string, refused?: string|null}} note @returns {string[]} its paragraphs
 */
export function notKeptSentences (note, strings) {
  if (!note.refused) return [note.words ? format(strings.notKept, { text: note.words }) : strings.notKeptNothing]
  const board = note.refused === 'forbidden' ? strings.notKeptDots : strings.notKeptBoard
  return note.words ? [board, format(strings.notKeptWordsToo, { text: note.words })] : [board]
}

/**
 * After the reload: say what was not kept, above the editor `host`, with a button to copy the words (until
 * closed). The notice carries data-not-kept="<code>" ("locked" for a lock), for the page to place it.
 */
export function showNotKept (host, storyId, strings) {
  const store = session()
  const note = store && JSON.parse(store.getItem(KEY(storyId)) || 'null')
  if (!note) return null
  const copied = el('span', { class: 'not-kept__copied', role: 'status' })
  const notice = el('div', { class: 'flash flash--error not-kept', role: 'alert', 'data-not-kept': note.refused || 'locked' },
    ...notKeptSentences(note, strings).map((text) => el('p', { class: 'not-kept__text' }, text)))
  if (note.words) {
    const copy = el('button', { type: 'button', class: 'button button--small', 'data-not-kept-copy': '' }, strings.notKeptCopy)
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(note.words)
        copied.textContent = strings.notKeptCopied
      } catch { /* no clipboard: the words stay on screen to select */ }
    })
    notice.append(copy, ' ', copied)
  }
  const close = el('button', { type: 'button', class: 'button button--small', 'data-not-kept-close': '' }, strings.notKeptClose)
  close.addEventListener('click', () => {
    notice.remove()
    store.removeItem(KEY(storyId))
  })
  notice.append(' ', close)
  host.before(notice)
  return notice
}
