/**
 * Page entry of the participant view (templates/workshops/participant.html).
 *
 * Opens the page's one Socket.IO connection (identity from the session cookie) as `window.plumeSocket`, which
 * the editor entry (story-editor.js, loaded after this one) reuses for the group's story. Follows
 * `workshop:state`: phase, instructions, countdown, banner, members, whether the group may write, the other
 * groups' drafts that the phase opens (read-only editors), and a move to another group (the page reloads
 * on the new group's story).
 */
import { connect } from '../socket.js'
import { mountEditor } from '../editor.js'
import { format } from '../strings.js'
import { el, readJSON, swatch } from '../dom.js'
import { createLiveView } from '../live/view.js'
import { attachComments } from '../comments/comments.js'
import { mountChat } from '../chat.js'

const MOVED_KEY = 'plume:moved'

function start (root) {
  const catalogue = readJSON('plume-i18n')
  const t = catalogue.live || {}
  const feedback = { ...(catalogue.feedback || {}), errorTimeout: catalogue.errorTimeout }
  const socket = connect({
    auth: {},
    // Behind several workers, a group's members meet on one worker (docs/deploy.md): its story's live
    // document, writer and relays stay there, and only the facilitators' events cross through Redis.
    query: root.dataset.groupId ? { affinity: `group-${root.dataset.groupId}` } : {}
  })
  window.plumeSocket = socket

  const me = Number(root.dataset.participantId)
  const view = createLiveView(root, t)
  const members = root.querySelector('[data-members]')
  const groupName = root.querySelector('[data-group-name]')
  const writing = root.querySelector('[data-writing-state]')
  const readable = root.querySelector('[data-readable]')
  const readableList = root.querySelector('[data-readable-list]')
  const readers = new Map() // story id → read-only editor of another group's draft
  let current = readJSON('plume-state', null)

  function renderMembers (group) {
    if (!members) return
    const items = group.members.map((member) => {
      const li = el('li', {}, swatch(member.color), member.name)
      if (member.id === me) li.append(' ', el('span', { class: 'muted' }, ` (${t.you})`))
      return li
    })
    members.replaceChildren(...items)
  }

  function renderWriting (state) {
    if (!writing) return
    const text = state.writable ? t.writingOpen : state.locked ? t.writingLocked : t.writingClosed
    if (writing.textContent !== text) writing.textContent = text
    writing.dataset.writable = String(!!state.writable)
  }

  function renderReadable (state) {
    if (!readable || !readableList) return
    const wanted = new Map((state.readable || []).filter((r) => r.story_id).map((r) => [String(r.story_id), r]))
    for (const [storyId, reader] of readers) {
      if (wanted.has(storyId)) continue
      reader.comments.destroy()
      reader.editor.destroy()
      reader.article.remove()
      readers.delete(storyId)
    }
    for (const [storyId, item] of wanted) {
      if (readers.has(storyId)) continue
      const article = document.createElement('article')
      article.className = 'readable__item card'
      const heading = document.createElement('h3')
      heading.textContent = item.group_name
      const host = document.createElement('div')
      host.dataset.readOnlyStory = storyId
      article.append(heading, host)
      readableList.append(article)
      const editor = mountEditor(host, {
        socket,
        storyId: Number(storyId),
        user: { name: root.dataset.userName || '', color: '' },
        writable: false,
        strings: catalogue,
        persist: false
      })
      const comments = attachComments(editor, {
        socket, storyId: Number(storyId), me, strings: feedback, groupName: item.group_name
      })
      readers.set(storyId, { article, editor, comments })
    }
    readable.hidden = wanted.size === 0
  }

  // The instructions open on each new phase; once folded (a phone needs the room to write), they stay
  // folded for that phase, across reloads.
  const instructions = root.querySelector('details.instructions')
  const foldKey = (state) => `plume:folded:${root.dataset.workshopId}:${state.phase_index}`
  function renderInstructions (state, previous) {
    if (!instructions || (previous && previous !== state && previous.phase_index === state.phase_index)) return
    let folded = false
    try { folded = sessionStorage.getItem(foldKey(state)) === '1' } catch { /* no storage: open */ }
    instructions.open = !folded
  }
  instructions?.addEventListener('toggle', () => {
    if (!current) return
    try {
      if (instructions.open) sessionStorage.removeItem(foldKey(current))
      else sessionStorage.setItem(foldKey(current), '1')
    } catch { /* no storage: nothing to remember */ }
  })

  function apply (state) {
    if (!state || state.role !== 'participant' || !state.group) return
    const previous = current
    current = state
    if (String(state.group.id) !== root.dataset.groupId) {
      // Moved to another group: the page is rebuilt on the new group's story; say so after the reload.
      if (groupName) groupName.textContent = state.group.name
      try { sessionStorage.setItem(MOVED_KEY, state.group.name) } catch { /* private mode: no notice */ }
      window.location.reload()
      return
    }
    view.update(state)
    renderInstructions(state, previous)
    if (groupName && groupName.textContent !== state.group.name) groupName.textContent = state.group.name
    if (!previous || JSON.stringify(previous.group.members) !== JSON.stringify(state.group.members)) {
      renderMembers(state.group)
    }
    renderWriting(state)
    renderReadable(state)
    renderEnd(state)
  }

  // After the end: a word of thanks, every group's story to read, and the gallery once stories are out.
  const theEnd = root.querySelector('[data-the-end]')
  function renderEnd (state) {
    if (!theEnd) return
    theEnd.hidden = state.status !== 'finished'
    const gallery = theEnd.querySelector('[data-gallery]')
    if (gallery) gallery.hidden = !state.stories_published
  }

  // The editor entry mounts the group's editor after this module ran: give it what the page knows now,
  // before the socket's first state arrives.
  document.addEventListener('plume:editor-ready', (event) => {
    if (!event.target.matches('[data-story-editor]')) return
    const editor = event.detail && event.detail.editor
    if (editor && !event.target.plumeComments) {
      attachComments(editor, { socket, storyId: editor.provider.storyId, me, strings: feedback })
    }
    if (!current) return
    event.target.dispatchEvent(new CustomEvent('plume:writable', {
      bubbles: true,
      detail: { writable: !!current.writable, locked: !!current.locked }
    }))
  })

  // The strip with the phase and the time left shows once the phase card has scrolled out of view.
  const strip = root.querySelector('[data-live-strip]')
  const card = root.querySelector('[data-phase-head]')
  if (strip && card && 'IntersectionObserver' in window) {
    new IntersectionObserver(([entry]) => {
      strip.dataset.visible = String(!entry.isIntersecting)
    }).observe(card)
  }

  const chat = root.querySelector('[data-chat]')
  if (chat) mountChat(chat, { socket, strings: feedback, me })

  socket.on('workshop:state', apply)
  // Removed by the facilitator: the server closes the connection and the token opens nothing any more.
  socket.on('participant:removed', () => {
    socket.disconnect()
    root.setAttribute('data-connection', 'removed')
    const notice = root.querySelector('[data-notice]')
    if (notice) {
      notice.textContent = t.removed
      notice.hidden = false
    }
    view.announce(t.removed)
  })
  socket.on('connect_error', () => {
    if (root.getAttribute('data-connection') !== 'removed') root.setAttribute('data-connection', 'error')
  })
  socket.on('connect', () => root.setAttribute('data-connection', 'connected'))
  socket.on('disconnect', () => {
    if (root.getAttribute('data-connection') !== 'removed') root.setAttribute('data-connection', 'disconnected')
  })

  if (current) apply(current)
  let moved = null
  try {
    moved = sessionStorage.getItem(MOVED_KEY)
    sessionStorage.removeItem(MOVED_KEY)
  } catch { /* no storage */ }
  if (moved) {
    const notice = root.querySelector('[data-notice]')
    const text = format(t.movedTo, { group: moved })
    if (notice) {
      notice.textContent = text
      notice.hidden = false
    }
    view.announce(text)
  }
}

const root = document.querySelector('[data-participant-view]')
if (root) start(root)
