/**
 * The participant view (templates/workshops/participant.html), on its root [data-participant-view].
 *
 * Opens the page's one Socket.IO connection (identity from the session cookie) as `window.plumeSocket`, which
 * the editor entry (story-editor.js, loaded after this one) reuses for the group's story. Follows
 * `workshop:state`: phase, instructions, countdown, banner, members, whether the group may write, the other
 * groups' drafts that the phase opens (read-only editors), the call to the facilitator, and a move to another
 * group (the page reloads on the new group's story); once the workshop has ended, the device's copy of the
 * draft is deleted. The parts: instructions.js, group.js, readable.js, call.js, connection.js, forget.js.
 */
import { readJSON } from '../dom.js'
import { connect } from '../socket.js'
import { createLiveView } from '../live/view.js'
import { attachComments } from '../comments/comments.js'
import { mountChat } from '../chat/chat.js'
import { followCall } from './call.js'
import { followConnection, noticeMoved, reloadMoved } from './connection.js'
import { renderEnd, renderMembers, renderOwnTime, renderWriting } from './group.js'
import { followInstructions } from './instructions.js'
import { followReadable } from './readable.js'
import { forgetWhenEnded } from './forget.js'
import { attachAuthorship } from '../editor/authorship-toggle.js'
import { mountBoard } from '../board/board.js'

export function startParticipant (root) {
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
  const theEnd = root.querySelector('[data-the-end]')
  let current = readJSON('plume-state', null)
  const renderInstructions = followInstructions(root, () => current)
  const renderReadable = followReadable(root, { socket, catalogue, feedback, me })
  const forget = forgetWhenEnded(root)
  const renderCall = followCall(root, socket, catalogue.group || {})
  const ownTime = root.querySelector('[data-own-time]')
  const boardSection = root.querySelector('[data-board]')
  const storySection = root.querySelector('.writing')
  let board = null

  function apply (state) {
    if (!state || state.role !== 'participant' || !state.group) return
    const previous = current
    current = state
    if (String(state.group.id) !== root.dataset.groupId) {
      // Moved to another group: the page is rebuilt on the new group's story; say so after the reload.
      if (groupName) groupName.textContent = state.group.name
      reloadMoved(state.group.name)
      return
    }
    view.update(state)
    renderInstructions(state, previous)
    if (groupName && groupName.textContent !== state.group.name) groupName.textContent = state.group.name
    if (!previous || JSON.stringify(previous.group.members) !== JSON.stringify(state.group.members)) {
      renderMembers(members, state.group, me, t)
    }
    renderWriting(writing, state, t)
    renderReadable(state)
    renderEnd(theEnd, state)
    forget(state)
    renderCall(state)
    renderOwnTime(ownTime, state, catalogue.group || {})
    renderTool(state)
  }

  /** The phase's tool: the story, the board, or both side by side (`phase_tool`). */
  function renderTool (state) {
    const tool = ['story', 'board', 'both'].includes(state.phase_tool) ? state.phase_tool : 'story'
    root.dataset.tool = tool
    if (boardSection) boardSection.hidden = tool === 'story'
    if (storySection) storySection.hidden = tool === 'board'
    if (board) board.update(state)
    placeNotKept(tool)
  }

  /**
   * The notice of what a refusal did not keep sits above the editor; one about the board (dots placed from
   * two tabs at once) goes to the board when the phase shows it, so that it is seen (editor/not-kept.js).
   */
  function placeNotKept (tool) {
    const editor = storySection && storySection.querySelector('[data-story-editor]')?.plumeEditor
    const notice = editor && editor.notKept
    if (!notice || !notice.isConnected) return
    const onBoard = boardSection && tool !== 'story' && notice.dataset.notKept !== 'locked'
    if (onBoard && !boardSection.contains(notice)) boardSection.querySelector('.board__head').after(notice)
    else if (!onBoard && notice.nextElementSibling !== editor.el) editor.el.before(notice)
  }

  // The editor entry mounts the group's editor after this module ran: give it what the page knows now,
  // before the socket's first state arrives.
  document.addEventListener('plume:editor-ready', (event) => {
    if (!event.target.matches('[data-story-editor]')) return
    const editor = event.detail && event.detail.editor
    if (editor && !event.target.plumeComments) {
      attachComments(editor, { socket, storyId: editor.provider.storyId, me, strings: feedback })
    }
    const colours = event.target.closest('[data-editor-scope]')?.querySelector('[data-authorship]')
    if (editor && colours && !event.target.plumeAuthorship) {
      event.target.plumeAuthorship = attachAuthorship(colours, editor, { me, strings: { you: t.you, error: catalogue.authorshipError } })
    }
    if (editor && boardSection && !board && storySection && storySection.contains(event.target)) {
      // The group's own story: its document holds the board too (docs/protocol.md, "The board").
      board = mountBoard(boardSection, { editor, me, strings: catalogue.board || {} })
      if (current) board.update(current)
      if (current) placeNotKept(root.dataset.tool)
    }
    if (!current) return
    event.target.dispatchEvent(new CustomEvent('plume:writable', {
      bubbles: true,
      detail: { writable: !!current.writable, locked: !!current.locked }
    }))
  })

  showStripOnScroll(root)
  const chat = root.querySelector('[data-chat]')
  if (chat) mountChat(chat, { socket, strings: feedback, me })

  socket.on('workshop:state', apply)
  followConnection(root, socket, view, t)
  if (current) apply(current)
  noticeMoved(root, view, t)
}

/** The strip with the phase and the time left shows once the phase card has scrolled out of view. */
function showStripOnScroll (root) {
  const strip = root.querySelector('[data-live-strip]')
  const card = root.querySelector('[data-phase-head]')
  if (strip && card && 'IntersectionObserver' in window) {
    new IntersectionObserver(([entry]) => {
      strip.dataset.visible = String(!entry.isIntersecting)
    }).observe(card)
  }
}
