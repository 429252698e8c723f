/**
 * Page entry of the reading mode (templates/stories/read_aloud.html): one story at a time, in large type.
 * → PageDown Space: next; ← PageUp: previous (what presentation clickers send); Home, End; Esc: back.
 * The position is in the address (#story-2), so a reload or a shared link opens the same story.
 */
import { format } from '../strings.js'

function start (root) {
  let t = {}
  try { t = JSON.parse(document.getElementById('plume-i18n')?.textContent || '{}') } catch { /* defaults */ }
  const slides = [...root.querySelectorAll('[data-slide]')]
  if (!slides.length) return
  const previous = root.querySelector('[data-reading-previous]')
  const next = root.querySelector('[data-reading-next]')
  const position = root.querySelector('[data-reading-position]')
  root.dataset.enhanced = 'true'
  previous.hidden = false
  next.hidden = false

  const fromHash = () => {
    const match = /^#story-(\d+)$/.exec(window.location.hash)
    const n = match ? Number(match[1]) - 1 : 0
    return Math.min(Math.max(n, 0), slides.length - 1)
  }
  let current = -1
  function show (index, { focus = true } = {}) {
    index = Math.min(Math.max(index, 0), slides.length - 1)
    if (index === current) return
    current = index
    slides.forEach((slide, i) => { slide.hidden = i !== index })
    previous.disabled = index === 0
    next.disabled = index === slides.length - 1
    position.textContent = format(t.position || 'Story {number} of {count}', { number: index + 1, count: slides.length })
    root.dataset.current = String(index + 1)
    history.replaceState(null, '', `#story-${index + 1}`)
    window.scrollTo(0, 0)
    if (focus) slides[index].querySelector('.reading__title')?.focus({ preventScroll: true })
  }
  previous.addEventListener('click', () => show(current - 1))
  next.addEventListener('click', () => show(current + 1))
  document.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return
    if (event.target.closest?.('input, textarea, select, a, button') && (event.key === ' ' || event.key === 'Enter')) return
    const moves = { ArrowRight: 1, PageDown: 1, ' ': 1, ArrowLeft: -1, PageUp: -1 }
    if (event.key in moves) {
      event.preventDefault()
      show(current + moves[event.key])
    } else if (event.key === 'Home') {
      event.preventDefault()
      show(0)
    } else if (event.key === 'End') {
      event.preventDefault()
      show(slides.length - 1)
    } else if (event.key === 'Escape') {
      window.location.assign(root.dataset.backUrl)
    }
  })
  window.addEventListener('hashchange', () => show(fromHash()))
  show(fromHash(), { focus: false })
}

const root = document.querySelector('[data-reading]')
if (root) start(root)
