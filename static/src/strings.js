/**
 * UI strings of the editor. The page passes translated strings (Flask-Babel → JSON catalogue in
 * <script type="application/json" id="plume-i18n">); the English below is only a fallback for a key the
 * catalogue lacks. Placeholders look like {count}.
 */
import { pageLanguage } from './dom.js'

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
  errorTooLarge: 'That change is too large to save. Try pasting less text at once; if the story is full, only deleting still works.',
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
  notKeptDots: 'Not all your dots were kept: you had placed some from another tab or device at the same time, more than you have in all. The board now shows the dots that were kept.',
  notKeptBoard: 'Your last change to the board could not be saved, so it was not kept. The board now shows what was saved.',
  notKeptWordsToo: 'These words, typed just after, were not saved either: “{text}”',
  notKeptCopy: 'Copy these words',
  notKeptCopied: 'Copied.',
  notKeptClose: 'Close',
  authorshipError: 'The colours of the writers could not be loaded. Try again later.'
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

// French elision where a name is put into a message: the rules of core/elision.py (see its docstring),
// tested on the same cases (tests/fixtures/elision.json).
const ELIDED = { de: 'd’', que: 'qu’', le: 'l’', la: 'l’' }
const VOWELS = 'aeiouœæ'
const BEFORE_PLACEHOLDER = /(?<![\p{L}\p{N}_’'])(de|que|le|la) (?=\{(\w+)\})/giu

/** "Alice", "Érable", "Hélène" (a mute h before a vowel): true; "David", "Yves", "8 h": false. */
export function startsWithVowelSound (value) {
  const bare = String(value).trimStart().normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  return VOWELS.includes(bare[0] || '-') || (bare[0] === 'h' && VOWELS.includes(bare[1] || '-'))
}

/** `template` with "de {name}" turned into "d’{name}" where `values.name` starts with a vowel sound (French only). */
export function elide (template, values = {}, lang = pageLanguage()) {
  if (!lang || !String(lang).toLowerCase().startsWith('fr')) return String(template)
  return String(template).replace(BEFORE_PLACEHOLDER, (match, word, key) => {
    const value = values[key]
    if (typeof value !== 'string' || !startsWithVowelSound(value)) return match
    const short = ELIDED[word.toLowerCase()]
    return word[0] === word[0].toUpperCase() ? short[0].toUpperCase() + short.slice(1) : short
  })
}

/** Replace {name} placeholders, eliding before a name in French ("récit d’Érable"); `lang`: the page's. */
export function format (template, values = {}, lang = pageLanguage()) {
  return elide(template, values, lang).replace(/\{(\w+)\}/g, (m, key) => (key in values ? String(values[key]) : m))
}

/** The plural rule of `lang` for `count` ('one', 'other'…), English's where the browser lacks the locale. */
function pluralRule (count, lang) {
  try {
    return new Intl.PluralRules(lang || undefined).select(count)
  } catch { /* unknown locale */
    return count === 1 ? 'one' : 'other'
  }
}

/** A number in the page's language ("1 234"). */
function formatNumber (count, lang) {
  return typeof Intl !== 'undefined' ? new Intl.NumberFormat(lang || undefined).format(count) : String(count)
}

/**
 * A plural-aware catalogue entry, `{one: '{count} nouveau', other: '{count} nouveaux'}` (keys: the plural
 * rules of Intl.PluralRules, as browser_strings.plural builds them with ngettext), worded for `count`.
 * A plain string is used for every count.
 */
export function plural (entry, count, lang = pageLanguage(), values = {}) {
  const forms = entry && typeof entry === 'object' ? entry : { other: String(entry ?? '') }
  const template = forms[pluralRule(count, lang)] ?? forms.other ?? ''
  return format(template, { ...values, count: formatNumber(count, lang) }, lang)
}

/** "1 word" / "12 words", with the plural rule of the page's language. */
export function formatWords (strings, count, lang) {
  return plural({ one: strings.wordsOne, other: strings.wordsOther }, count, lang)
}
