/**
 * Live preview: POST the Markdown to the server, which renders and sanitises it (core/rendering.py is the
 * only place Markdown becomes HTML), and show the returned HTML. One request at a time; a newer text aborts
 * the older request.
 *
 * <div data-preview data-preview-url="/stories/7/preview" aria-live="off"></div>
 */
export function csrfToken (doc = document) {
  const meta = doc.querySelector('meta[name="csrf-token"]')
  return meta ? meta.getAttribute('content') || '' : ''
}

/**
 * @param {HTMLElement|null} el
 * @param {{strings?: object, fetch?: typeof fetch}} [opts]
 * @returns {(markdown: string) => void}
 */
export function createPreview (el, { fetch: doFetch = globalThis.fetch } = {}) {
  const url = el && el.dataset.previewUrl
  if (!el || !url) return () => {}
  let lastSent = null
  let controller = null
  return (markdown) => {
    if (markdown === lastSent) return
    lastSent = markdown
    if (controller) controller.abort()
    controller = new AbortController()
    const mine = controller
    el.setAttribute('aria-busy', 'true')
    doFetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken() },
      body: JSON.stringify({ markdown }),
      signal: mine.signal
    })
      .then((response) => {
        if (!response.ok) throw new Error(`preview: HTTP ${response.status}`)
        return response.json()
      })
      .then((data) => {
        if (mine !== controller) return
        el.innerHTML = typeof data.html === 'string' ? data.html : '' // sanitised by the server
        delete el.dataset.previewError
      })
      .catch((error) => {
        if (error && error.name === 'AbortError') return
        if (mine === controller) {
          el.dataset.previewError = 'true'
          lastSent = null // try again with the next change
        }
      })
      .finally(() => {
        if (mine === controller) {
          el.removeAttribute('aria-busy')
          controller = null
        }
      })
  }
}
