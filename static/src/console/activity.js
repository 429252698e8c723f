/**
 * What each group's draft says on its card: its length ([data-story-length]) and its last change
 * ([data-story-activity], "2 minutes ago"), from the state and the `story:activity` events; a card idle
 * for five minutes gets data-idle="true".
 */
import { setText } from '../dom.js'
import { format } from '../strings.js'

const IDLE_SECONDS = 300

/** Keep in `activity` (group id → {length, at}) the latest of what was said about a group's draft. */
export function noteActivity (activity, groupId, length, at) {
  const known = activity.get(groupId)
  const time = (iso) => Date.parse(iso || '') || 0
  if (!known || time(at) >= time(known.at)) activity.set(groupId, { length: length || 0, at: at || null })
}

/** "2 minutes ago" of an ISO time, with `relative` (an Intl.RelativeTimeFormat, or null: a clock time). */
export function ago (iso, relative, lang, now = Date.now()) {
  const when = Date.parse(iso)
  if (!Number.isFinite(when)) return ''
  const seconds = Math.round((when - now) / 1000)
  if (!relative) return new Date(when).toLocaleTimeString(lang)
  if (Math.abs(seconds) < 60) return relative.format(Math.min(0, seconds), 'second')
  if (Math.abs(seconds) < 3600) return relative.format(Math.round(seconds / 60), 'minute')
  return relative.format(Math.round(seconds / 3600), 'hour')
}

/** The relative time format of the page's language, where the browser has one. */
export const relativeFormat = (lang) =>
  typeof Intl !== 'undefined' && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }) : null

export function renderActivity (root, activity, { c, lang, relative }) {
  for (const [groupId, info] of activity) {
    const card = root.querySelector(`[data-group-card][data-group-id="${groupId}"]`)
    if (!card) continue
    const length = card.querySelector('[data-story-length]')
    const at = card.querySelector('[data-story-activity]')
    const lengthText = format(c.characters, { count: new Intl.NumberFormat(lang).format(info.length || 0) })
    setText(length, lengthText)
    const atText = info.at ? format(c.lastActivity, { time: ago(info.at, relative, lang) }) : c.noActivity
    setText(at, atText)
    const idle = info.at ? (Date.now() - Date.parse(info.at)) / 1000 : Infinity
    card.dataset.idle = String(idle > IDLE_SECONDS)
  }
}
