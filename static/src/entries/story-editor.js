/**
 * Page entry: mounts a co-writing editor on every [data-story-editor] element.
 * Load with <script type="module" src="{{ url_for('static', filename='dist/story-editor.js') }}"></script>.
 *
 * Host element attributes: data-story-id (required), data-writable ("true"/"false"; absent = false),
 * data-user-name, data-user-color (#rgb/#rrggbb; darkened if white labels on it would fall below AA),
 * data-persist ("false": no copy in IndexedDB; absent = true).
 * The host then carries data-connection, data-save, data-synced, data-writable, and `host.plumeEditor`.
 * Companions, looked up inside the closest [data-editor-scope] ancestor (or the document):
 * [data-editor-status] (status sentence, aria-live polite), [data-word-count], [data-preview] with
 * data-preview-url. Strings: <script type="application/json" id="plume-i18n"> (flat, or under "editor").
 * Writability follows `workshop:state` ({locked, writable?}) and the DOM event `plume:writable`
 * ({detail: {writable, locked?, storyId?}}). Fires `plume:editor-ready` ({detail: {editor}}) on each host.
 */
import { readJSON } from '../dom.js'
import { mountEditor } from '../editor.js'
import { getSocket } from '../socket.js'
import { resolveStrings } from '../strings.js'
import { createStatusRenderer, createWordCountRenderer } from '../status.js'
import { createPreview } from '../preview.js'

const bool = (value, fallback) => (value == null ? fallback : !['false', '0', 'no', ''].includes(String(value).toLowerCase()))

function mountAll () {
  const hosts = Array.from(document.querySelectorAll('[data-story-editor]')).filter((el) => !el.plumeEditor)
  if (!hosts.length) return []
  const catalogue = readJSON('plume-i18n')
  const strings = resolveStrings(catalogue)
  const lang = document.documentElement.lang || undefined
  const socket = getSocket()
  const mounted = []

  for (const el of hosts) {
    const storyId = el.dataset.storyId
    if (!storyId) {
      console.warn('plume: [data-story-editor] without data-story-id', el)
      continue
    }
    const scope = el.closest('[data-editor-scope]') || document
    const baseWritable = bool(el.dataset.writable, false)
    const renderStatus = createStatusRenderer(scope.querySelector('[data-editor-status]'), strings)
    const renderWords = createWordCountRenderer(scope.querySelector('[data-word-count]'), strings, lang)
    const preview = createPreview(scope.querySelector('[data-preview]'))
    const editor = mountEditor(el, {
      socket,
      storyId: /^\d+$/.test(storyId) ? Number(storyId) : storyId,
      user: { name: el.dataset.userName || '', color: el.dataset.userColor || '' },
      writable: baseWritable,
      persist: bool(el.dataset.persist, true),
      strings: catalogue,
      phrases: catalogue.codemirror, // optional CodeMirror phrase translations
      onStatus: renderStatus,
      onWords: renderWords,
      onText: preview
    })
    editor.baseWritable = baseWritable
    mounted.push(editor)
    el.dispatchEvent(new CustomEvent('plume:editor-ready', { bubbles: true, detail: { editor } }))
  }

  // The facilitator's lock (and phases that close the editors) arrive with the workshop state.
  socket.on('workshop:state', (state) => {
    if (!state || typeof state !== 'object') return
    const locked = state.locked === true
    const open = typeof state.writable === 'boolean' ? state.writable : true
    for (const editor of mounted) {
      if (!editor.baseWritable) continue // a reader's editor stays read-only
      editor.setWritable(!locked && open, { locked })
    }
  })

  // Other page code: document.dispatchEvent(new CustomEvent('plume:writable', {detail: {writable: false}}))
  // or dispatched on (or inside) one editor's host to target it alone.
  document.addEventListener('plume:writable', (event) => {
    const detail = event.detail || {}
    if (typeof detail.writable !== 'boolean') return
    const target = event.target instanceof Element ? event.target.closest('[data-story-editor]') : null
    for (const editor of mounted) {
      if (target && target !== editor.el) continue
      if (detail.storyId != null && String(detail.storyId) !== String(editor.provider.storyId)) continue
      editor.setWritable(detail.writable, { locked: !!detail.locked })
    }
  })

  return mounted
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll, { once: true })
else mountAll()
