/**
 * The organiser's live results of a vote (templates/consultations/vote_manage.html, [data-vote-live]).
 *
 * Opens the page's Socket.IO connection as a facilitator without a workshop and sends `vote:join` on every
 * connect; each `vote:results` push (and the join's ack) carries the whole results. When they changed, the
 * freshly rendered results are taken from the page itself, so that every word stays the server's
 * (translated, plural-aware). Only while the socket is down (or the join refused) is `results.json` polled,
 * slowly. Once the vote is closed the page reloads (its results are then final).
 */
import { connect } from '../socket.js'

const FALLBACK_POLL_MS = 15000

const section = document.querySelector('[data-vote-live]')
if (section) {
  const url = section.dataset.voteLive
  const consultationId = Number(section.dataset.consultationId)
  let last = null
  let live = false
  let busy = Promise.resolve()

  const redraw = async () => {
    const page = await fetch(window.location.href, { cache: 'no-store' })
    if (!page.ok) return
    const fresh = new DOMParser().parseFromString(await page.text(), 'text/html')
    const next = fresh.querySelector('[data-vote-live]') || fresh.querySelector('[aria-labelledby="results-title"]')
    if (next) section.replaceChildren(...next.childNodes)
    section.dataset.updates = String(Number(section.dataset.updates || 0) + 1)
  }

  /** Take these results: redraw when they changed, reload once closed. */
  const take = (results) => {
    if (!results) return
    const text = JSON.stringify(results)
    if (text === last) return
    last = text
    if (results.state !== 'open') {
      window.location.reload()
      return
    }
    busy = busy.then(redraw).catch(() => {}) // the first too: ballots may have moved since the page was drawn
  }

  const socket = connect({ auth: { role: 'facilitator' } })
  window.plumeSocket = socket
  socket.on('connect', () => {
    socket.emit('vote:join', { consultation_id: consultationId }, (ack) => {
      live = Boolean(ack && ack.ok)
      section.dataset.live = live ? 'true' : 'false'
      if (live) take(ack.results)
    })
  })
  socket.on('disconnect', () => {
    live = false
    section.dataset.live = 'false'
  })
  socket.on('vote:results', (message) => {
    if (message && message.consultation_id === consultationId) take(message.results)
  })

  const poll = async () => {
    if (!live) {
      try {
        const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' })
        if (response.ok) take(await response.json())
      } catch {
        // offline for a moment: try again at the next tick
      }
    }
    window.setTimeout(poll, FALLBACK_POLL_MS)
  }
  window.setTimeout(poll, FALLBACK_POLL_MS)
}
