/**
 * Page entry of the wall view (templates/workshops/wall.html), for the projector: follows `workshop:state`
 * as the workshop's facilitator and shows the phase, the big timer and the broadcast (live/view.js).
 * Keyboard and clicker: F toggles full screen, R opens the reading mode, Esc goes back to the console.
 */
import { connect } from '../socket.js'
import { readJSON } from '../dom.js'
import { createLiveView } from '../live/view.js'

function start (root) {
  const catalogue = readJSON('plume-i18n')
  const t = catalogue.live || {}
  const workshopId = Number(root.dataset.workshopId)
  const socket = connect({
    auth: { role: 'facilitator', workshop_id: workshopId }
  })
  window.plumeSocket = socket // the projected board's editor (story-editor.js) shares it
  const view = createLiveView(root, t)
  const join = root.querySelector('[data-wall-join]')
  const apply = (state) => {
    if (!state || state.workshop_id !== workshopId) return
    view.update(state)
    if (join) join.hidden = !state.joining_open
  }
  socket.on('workshop:state', apply)
  socket.on('connect', () => root.setAttribute('data-connection', 'connected'))
  socket.on('disconnect', () => root.setAttribute('data-connection', 'disconnected'))
  apply(readJSON('plume-state', null))

  const toggleFullscreen = () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {})
    else document.documentElement.requestFullscreen?.().catch(() => {})
  }
  root.querySelector('[data-fullscreen]')?.addEventListener('click', toggleFullscreen)
  document.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest?.('input, textarea, select')) return
    const key = event.key.toLowerCase()
    if (key === 'f') toggleFullscreen()
    else if (key === 'r') window.location.assign(root.dataset.readingUrl)
    else if (key === 'escape' && !document.fullscreenElement) window.location.assign(root.dataset.consoleUrl)
  })
}

const root = document.querySelector('[data-wall]')
if (root) start(root)
