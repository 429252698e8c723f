/**
 * The one DOM helper of the page scripts: build elements (`el`), a writer's colour swatch, text set only
 * when it changed, the page's JSON data islands (`readJSON`), and Ctrl/Cmd+Enter to send a form (`sendOnChord`).
 */

/**
 * `el('button', {type: 'button', class: 'x', onclick: fn, hidden: true}, 'Label', child)`: `class` sets the
 * class name, `text` the text, `on…` adds a listener, `true` an empty attribute; `null`, `undefined` and
 * `false` leave the attribute out, as they leave a child out.
 */
export function el (tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue
    if (key === 'class') node.className = value
    else if (key === 'text') node.textContent = value
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value)
    else node.setAttribute(key, value === true ? '' : String(value))
  }
  node.append(...children.filter((c) => c != null))
  return node
}

const HEX_COLOR = /^#[0-9a-f]{3,8}$/i

/** `color` when it is a hex colour (what a user's colour may put in a style), else null. */
export const hexColor = (color) => (HEX_COLOR.test(color || '') ? color : null)

/** The coloured square before a writer's name (`.swatch`, hidden from screen readers). */
export function swatch (color) {
  const node = el('span', { class: 'swatch', 'aria-hidden': 'true' })
  if (color != null) node.style.setProperty('--swatch', color)
  return node
}

/** Set a node's text, only when it changes (no needless mutation for screen readers to announce). */
export const setText = (node, text) => {
  if (node && node.textContent !== text) node.textContent = text
}

/** The page's JSON data island `<script type="application/json" id=…>`, or `fallback`. */
export function readJSON (id, fallback = {}) {
  const node = document.getElementById(id)
  if (!node) return fallback
  try {
    return JSON.parse(node.textContent || 'null') ?? fallback
  } catch {
    return fallback
  }
}

/** " · 10:42", the time a comment or a message was posted (`<time class="muted">`), or null without one. */
export function postedAt (iso, lang = pageLanguage()) {
  if (!iso) return null
  const when = new Date(iso)
  return el('time', { class: 'muted', datetime: iso }, ` · ${when.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })}`)
}

/** The page's language (its <html lang>), which times and numbers follow: not the browser's (issue 28). */
export function pageLanguage () {
  return (globalThis.document && document.documentElement && document.documentElement.lang) || undefined
}

/** Ctrl+Enter, or Cmd+Enter on a Mac, and not while an input method is composing: the chord that sends. */
export const isSendChord = (event) => event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.isComposing

/** Ctrl+Enter / Cmd+Enter in `textarea` submits its form (a comment, a reply, an edit); Enter stays a new line. */
export function sendOnChord (textarea) {
  textarea.setAttribute('aria-keyshortcuts', 'Control+Enter Meta+Enter')
  textarea.addEventListener('keydown', (event) => {
    if (!isSendChord(event) || !textarea.form) return
    event.preventDefault()
    textarea.form.requestSubmit()
  })
  return textarea
}
