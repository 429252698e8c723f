/**
 * Page entry of the console's boards (templates/workshops/console.html, loaded after story-editor.js): each
 * group card shows its group's board, compact and live (static/src/board/summary.js).
 */
import { readJSON } from '../dom.js'
import { mountBoardSummary } from '../board/summary.js'

const strings = readJSON('plume-i18n').board || {}

function attach (editor) {
  const card = editor && editor.el.closest('[data-group-card]')
  const node = card && card.querySelector('[data-group-board]')
  if (!node || node.plumeBoard) return
  node.plumeBoard = true
  mountBoardSummary(node, editor, strings)
}

document.addEventListener('plume:editor-ready', (event) => attach(event.detail && event.detail.editor))
for (const host of document.querySelectorAll('[data-group-card] [data-story-editor]')) if (host.plumeEditor) attach(host.plumeEditor)
