/**
 * Page entry of a story's history: the timeslider. Reads #plume-replay ({seekUrl, first, last,
 * boundaries: [{seq, label}], members: {id: {name, color}}}) and the #plume-i18n strings; asks the server
 * for the text at a seq (one request at a time) and shows it with its authors' colours.
 */
import { format } from '../strings.js'
import { nextPosition, phaseOf, renderSegments } from '../history/timeline.js'

const TICK_MS = 250

function readJson (id) {
  try {
    return JSON.parse(document.getElementById(id)?.textContent || '{}')
  } catch {
    return {}
  }
}

function mount (root) {
  const config = readJson('plume-replay')
  const strings = readJson('plume-i18n')
  const range = root.querySelector('[data-replay-range]')
  const play = root.querySelector('[data-replay-play]')
  const speed = root.querySelector('[data-replay-speed]')
  const where = root.querySelector('[data-replay-where]')
  const text = root.querySelector('.history-text')
  const boundaries = config.boundaries || []
  const lang = document.documentElement.lang || undefined
  let playing = false
  let wanted = Number(range.value)
  let loading = false
  let shown = null

  function describe (moment) {
    const parts = [format(strings.position || 'Update {seq} of {last}', { seq: moment.seq, last: config.last })]
    if (moment.at) {
      const time = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(moment.at))
      parts.push(format(strings.at || 'at {time}', { time }))
    }
    const phase = phaseOf(boundaries, moment.seq)
    const label = phase >= 0 ? boundaries[phase].label : config.current
    if (label) parts.push('· ' + label)
    where.textContent = parts.join(' ')
  }

  async function load () {
    if (loading || wanted === shown) return
    loading = true
    const seq = wanted
    try {
      const url = new URL(config.seekUrl, window.location.href)
      url.searchParams.set('seq', String(seq))
      const answer = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      if (!answer.ok) throw new Error(String(answer.status))
      const moment = await answer.json()
      renderSegments(document, text, moment.segments, config.members || {}, strings.unknown)
      if (!moment.segments.length) text.textContent = strings.empty || ''
      describe(moment)
      shown = seq
      root.dataset.shownSeq = String(seq)
    } catch {
      where.textContent = strings.error || 'This moment could not be loaded.'
      setPlaying(false)
    } finally {
      loading = false
    }
    if (wanted !== shown) load()
  }

  function go (seq) {
    wanted = Math.max(Number(range.min), Math.min(Number(range.max), seq))
    range.value = String(wanted)
    load()
  }

  function setPlaying (on) {
    playing = on
    play.setAttribute('aria-pressed', String(on))
    play.textContent = on ? (strings.pause || 'Pause') : (strings.play || 'Play')
    root.dataset.playing = String(on)
    where.setAttribute('aria-live', on ? 'off' : 'polite') // no announcement per step while playing
  }

  function tick () {
    if (!playing) return
    if (!loading) {
      if (wanted >= config.last) {
        setPlaying(false)
        return
      }
      go(nextPosition(wanted, speed.value, config.last))
    }
    window.setTimeout(tick, TICK_MS)
  }

  play.addEventListener('click', () => {
    if (playing) return setPlaying(false)
    if (wanted >= config.last) go(Number(range.min))
    setPlaying(true)
    window.setTimeout(tick, TICK_MS)
  })
  range.addEventListener('input', () => go(Number(range.value)))
  root.querySelectorAll('[data-replay-jump]').forEach((button) => {
    button.addEventListener('click', () => {
      setPlaying(false)
      go(Number(button.dataset.replayJump))
    })
  })
  shown = wanted
  root.dataset.shownSeq = String(wanted)
  describe({ seq: wanted, at: null })
}

document.querySelectorAll('[data-replay]').forEach(mount)
