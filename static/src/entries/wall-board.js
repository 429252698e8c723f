/**
 * Page entry of the board on the wall (templates/workshops/wall.html with ?board=<group id>, loaded after
 * wall.js and story-editor.js): projects the group's board (static/src/board/wall.js), following the
 * workshop state that wall.js receives on the page's socket.
 */
import { readJSON } from '../dom.js'
import { mountWallBoard } from '../board/wall.js'

const strings = readJSON('plume-i18n').board || {}
const node = document.querySelector('[data-wall-board]')

function attach (editor) {
  if (!node || node.plumeBoard || !editor || !node.contains(editor.el)) return
  const wall = mountWallBoard(node, editor, strings)
  node.plumeBoard = wall
  wall.update(readJSON('plume-state', {}))
  window.plumeSocket?.on('workshop:state', (state) => wall.update(state))
}

document.addEventListener('plume:editor-ready', (event) => attach(event.detail && event.detail.editor))
const host = node && node.querySelector('[data-story-editor]')
if (host && host.plumeEditor) attach(host.plumeEditor)
