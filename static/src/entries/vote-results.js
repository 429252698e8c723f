/**
 * The organiser's live results of a vote: polls the results' JSON every few seconds (any worker answers:
 * the totals are read from the database) and, when they changed, takes the freshly rendered results from
 * the page itself, so that every word stays the server's (translated, plural-aware). Stops once closed.
 */
const POLL_MS = 3000

const section = document.querySelector('[data-vote-live]')
if (section) {
  const url = section.dataset.voteLive
  let last = null

  const refresh = async () => {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' })
    if (!response.ok) return true
    const body = await response.text()
    if (body === last) return true
    const first = last === null
    last = body
    if (first) return true
    const page = await fetch(window.location.href, { cache: 'no-store' })
    if (!page.ok) return true
    const fresh = new DOMParser().parseFromString(await page.text(), 'text/html')
    const next = fresh.querySelector('[data-vote-live]') || fresh.querySelector('[aria-labelledby="results-title"]')
    if (next) section.replaceChildren(...next.childNodes)
    return JSON.parse(body).state === 'open'
  }

  const loop = async () => {
    let again = true
    try {
      again = await refresh()
    } catch {
      // offline for a moment: try again at the next tick
    }
    if (again) window.setTimeout(loop, POLL_MS)
    else window.location.reload()
  }
  loop()
}
