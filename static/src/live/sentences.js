/** What the live view says: the time left in words, and the sentence of a change of state. */
import { format } from '../strings.js'
import { formatClock, secondsLeft } from './clock.js'

/** "12:34", or "1 h 05 min" past an hour. */
export function timeText (seconds, t) {
  if (seconds >= 3600) {
    const minutes = Math.round(seconds / 60)
    return format(t.hours, { hours: Math.floor(minutes / 60), minutes: minutes % 60 })
  }
  return formatClock(seconds)
}

/** The sentence that announces the change from `previous` to `next` (the end, a pause, a phase), or null. */
export function transitionSentence (next, previous, t, offset) {
  if (!previous) return null
  const left = timeText(secondsLeft(next, offset), t)
  if (next.status === 'finished' && previous.status !== 'finished') return t.finishedNow
  if (next.status === 'paused' && previous.status !== 'paused') return t.pausedNow
  if (next.status === 'running' && (previous.status !== 'running' || previous.phase_index !== next.phase_index)) {
    if (previous.status === 'paused' && previous.phase_index === next.phase_index) return t.resumedNow
    return format(t.phaseNow, { title: next.phase_title, time: left })
  }
  return null
}
