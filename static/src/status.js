/**
 * The editor's status line: one sentence in an aria-live="polite" element, rewritten only when its text
 * changes. A save that completes quickly never shows "Saving…" (no chatter for screen readers while typing).
 */
import { formatWords } from './strings.js'

const ERROR_KEYS = {
  too_large: 'errorTooLarge',
  malformed: 'errorMalformed',
  forbidden: 'errorForbidden',
  timeout: 'errorTimeout',
  unavailable: 'errorTimeout', // re-synced after a backoff (provider.js): "trying again"
  rate_limited: 'errorTimeout',
  connect_refused: 'errorConnect',
  open_failed: 'errorOpen'
}

/** @returns {{text: string, tone: 'ok'|'busy'|'warn'|'error'}} */
export function describeStatus (status, strings) {
  const parts = []
  let tone = 'ok'
  if (!status.writable) parts.push(status.locked ? strings.locked : strings.readOnly)
  if (status.connection === 'offline') {
    parts.push(strings.statusOffline)
    tone = 'warn'
  } else if (status.connection === 'reconnecting') {
    parts.push(strings.statusReconnecting)
    tone = 'warn'
  } else if (status.connection === 'connecting') {
    parts.push(strings.statusConnecting)
    tone = 'busy'
  } else if (status.save === 'saving') {
    parts.push(strings.saveSaving)
    tone = 'busy'
  } else if (status.save === 'unsaved') {
    if (status.writable || !status.locked) parts.push(strings.saveUnsaved)
    tone = 'warn'
  } else if (status.writable) {
    parts.push(strings.saveSaved)
  } else if (parts.length === 0) {
    parts.push(strings.statusConnected)
  }
  const error = status.error && status.error.code !== 'locked' ? status.error : null
  if (error) {
    const key = ERROR_KEYS[error.code]
    parts.push(key ? strings[key] : strings.errorMalformed)
    tone = error.code === 'timeout' ? 'warn' : 'error'
  }
  if (status.locked && tone === 'ok') tone = 'warn'
  return { text: parts.filter(Boolean).join(' '), tone }
}

/**
 * @param {HTMLElement|null} el the [data-editor-status] element
 * @param {object} strings resolved strings
 * @param {{savingDelay?: number}} [opts]
 * @returns {(status: object) => void}
 */
export function createStatusRenderer (el, strings, { savingDelay = 800 } = {}) {
  if (!el) return () => {}
  if (!el.hasAttribute('aria-live')) el.setAttribute('aria-live', 'polite')
  if (!el.hasAttribute('role')) el.setAttribute('role', 'status')
  let timer = null
  let last = null
  const paint = (status) => {
    const { text, tone } = describeStatus(status, strings)
    el.dataset.tone = tone
    el.dataset.connection = status.connection
    el.dataset.save = status.save
    el.dataset.writable = String(status.writable)
    if (text !== el.textContent) el.textContent = text
  }
  return (status) => {
    last = status
    if (status.save === 'saving' && status.connection === 'connected' && !status.error) {
      // Show "Saving…" only if the save takes a while; keep the previous sentence meanwhile.
      if (!timer) timer = setTimeout(() => { timer = null; paint(last) }, savingDelay)
      el.dataset.save = 'saving'
      return
    }
    clearTimeout(timer)
    timer = null
    paint(status)
  }
}

/** @param {HTMLElement|null} el the [data-word-count] element */
export function createWordCountRenderer (el, strings, lang) {
  if (!el) return () => {}
  return (count) => {
    el.dataset.count = String(count)
    const text = formatWords(strings, count, lang)
    if (el.textContent !== text) el.textContent = text
  }
}
