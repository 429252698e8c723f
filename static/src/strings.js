/**
 * UI strings of the editor. The page passes translated strings (Flask-Babel → JSON catalogue in
 * <script type="application/json" id="plume-i18n">); the English below is only a fallback for a key the
 * catalogue lacks. Placeholders look like {count}.
 */
export const DEFAULT_STRINGS = Object.freeze({
  editorLabel: 'Story text',
  placeholder: 'Write your story here…',
  statusConnecting: 'Connecting…',
  statusConnected: 'Connected',
  statusReconnecting: 'Connection lost — reconnecting… Your changes are kept on this device.',
  statusOffline: 'Offline — your changes are kept on this device and will be sent when you reconnect.',
  saveSaved: 'All changes saved',
  saveSaving: 'Saving…',
  saveUnsaved: 'Changes not saved yet',
  readOnly: 'Read only',
  locked: 'The facilitator has locked the editor.',
  errorLocked: 'The editor is locked: your last change was not saved.',
  errorForbidden: 'You cannot write in this story.',
  errorTooLarge: 'That change is too large to save. Try pasting less text at once.',
  errorMalformed: 'A change could not be saved.',
  errorTimeout: 'The server is slow to answer; trying again…',
  errorOpen: 'This story could not be opened.',
  errorConnect: 'Could not connect. Reload the page to try again.',
  previewError: 'The preview could not be updated.',
  wordsOne: '{count} word',
  wordsOther: '{count} words',
  anonymous: 'Anonymous',
  notKept: 'The editor closed before these words were saved, so they were not kept: “{text}”',
  notKeptNothing: 'The editor closed before your last changes were saved, so they were not kept.',
  notKeptCopy: 'Copy these words',
  notKeptCopied: 'Copied.',
  notKeptClose: 'Close'
})

/**
 * Merge a catalogue over the defaults. Accepts a flat object, or one whose editor strings sit under
 * an `editor` key (so one page catalogue can serve several widgets).
 * @param {object} [catalogue]
 */
export function resolveStrings (catalogue) {
  const out = { ...DEFAULT_STRINGS }
  if (!catalogue || typeof catalogue !== 'object') return out
  for (const source of [catalogue, catalogue.editor]) {
    if (!source || typeof source !== 'object') continue
    for (const [key, value] of Object.entries(source)) if (typeof value === 'string') out[key] = value
  }
  return out
}

/** Replace {name} placeholders. */
export function format (template, values = {}) {
  return String(template).replace(/\{(\w+)\}/g, (m, key) => (key in values ? String(values[key]) : m))
}

/** "1 word" / "12 words", with the plural rule of the page's language. */
export function formatWords (strings, count, lang) {
  let rule = 'other'
  try {
    rule = new Intl.PluralRules(lang || undefined).select(count)
  } catch { /* unknown locale: English rule below */ if (count === 1) rule = 'one' }
  const template = rule === 'one' ? strings.wordsOne : strings.wordsOther
  const number = typeof Intl !== 'undefined' ? new Intl.NumberFormat(lang || undefined).format(count) : String(count)
  return format(template, { count: number })
}
