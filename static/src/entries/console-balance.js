/**
 * Console entry: the compact contribution balance of each group card ([data-balance] with data-url), read
 * from the story's balance.json after the page has loaded, then every minute (it never delays the page).
 * Labels come from the element's data attributes (translated by the template).
 */
import { swatch } from '../dom.js'

const REFRESH_MS = 60_000

async function refresh (host) {
  try {
    const answer = await fetch(host.dataset.url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    if (!answer.ok) return
    const data = await answer.json()
    const bar = document.createElement('div')
    bar.className = 'balance-bar'
    bar.setAttribute('aria-hidden', 'true')
    const names = document.createElement('ul')
    names.className = 'balance__names'
    for (const m of data.members) {
      if (m.percent > 0) {
        const part = document.createElement('span')
        part.style.setProperty('--by', m.color)
        part.style.flexGrow = String(m.percent)
        bar.appendChild(part)
      }
      const item = document.createElement('li')
      if (!m.written) item.className = 'is-silent'
      item.append(swatch(m.color), `${m.name} ${m.percent}%`)
      if (!m.written) item.append(` (${host.dataset.silent || 'silent'})`)
      names.appendChild(item)
    }
    host.querySelector('[data-balance-body]').replaceChildren(bar, names)
    host.dataset.loaded = 'true'
  } catch { /* the balance is a hint: a failed refresh leaves the last one */ }
}

for (const host of document.querySelectorAll('[data-balance]')) {
  refresh(host)
  window.setInterval(() => refresh(host), REFRESH_MS)
}
