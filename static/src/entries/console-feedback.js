/**
 * Page entry of the console's feedback (templates/workshops/console.html, loaded after console.js):
 * each group's draft gets its comments in the facilitator's view (see all, hide), each card the count of
 * its comment threads (live, from `comment:counts`) and "Show who wrote what", and the console a chat to one
 * group or to all.
 */
import { attachComments } from '../comments/comments.js'
import { mountChat } from '../chat/chat.js'
import { getSocket } from '../socket.js'
import { format } from '../strings.js'
import { readJSON } from '../dom.js'
import { attachAuthorship } from '../editor/authorship-toggle.js'

function start (root) {
  const catalogue = readJSON('plume-i18n')
  const strings = { ...(catalogue.feedback || {}), errorTimeout: catalogue.errorTimeout }
  const socket = getSocket()

  const renderCount = (node, total, open) => {
    node.dataset.total = String(total)
    node.dataset.open = String(open)
    node.textContent = format(strings.countLine || 'Comment threads: {total}, open: {open}', { total, open })
  }
  for (const node of root.querySelectorAll('[data-comment-count]')) {
    renderCount(node, Number(node.dataset.total || 0), Number(node.dataset.open || 0))
  }
  socket.on('comment:counts', (payload) => {
    if (!payload || typeof payload !== 'object') return
    const card = root.querySelector(`[data-group-card][data-group-id="${Number(payload.group_id)}"]`)
    const node = card && card.querySelector('[data-comment-count]')
    if (node) renderCount(node, Number(payload.total) || 0, Number(payload.open) || 0)
  })

  const attach = (editor) => {
    if (!editor || editor.el.plumeComments) return
    const card = editor.el.closest('[data-group-card]')
    const name = card && card.querySelector('.group-card__name')
    attachComments(editor, { socket, storyId: editor.provider.storyId, strings, groupName: name ? name.textContent : '' })
    const colours = editor.el.closest('[data-editor-scope]')?.querySelector('[data-authorship]')
    if (colours && !editor.el.plumeAuthorship) {
      editor.el.plumeAuthorship = attachAuthorship(colours, editor, { strings: { error: catalogue.authorshipError } })
    }
  }
  document.addEventListener('plume:editor-ready', (event) => attach(event.detail && event.detail.editor))
  for (const host of root.querySelectorAll('[data-story-editor]')) if (host.plumeEditor) attach(host.plumeEditor)

  const chat = root.querySelector('[data-chat]')
  if (chat) {
    const groups = [...root.querySelectorAll('[data-group-card]')].map((card) => ({
      id: Number(card.dataset.groupId),
      name: card.querySelector('.group-card__name').textContent
    }))
    mountChat(chat, { socket, strings, facilitator: true, groups })
  }
}

const root = document.querySelector('[data-console]') || document.body
start(root)
