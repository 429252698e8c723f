/**
 * Margin comments on a story's editor: highlights of the anchored passages (CodeMirror decorations that move
 * with the text), a thread panel in the margin (a bottom sheet on a phone), live over Socket.IO
 * (docs/protocol.md, "Comments and chat").
 *
 *   const comments = attachComments(editor, {socket, storyId, me, strings, groupName})
 *   comments.destroy()
 *
 * Keyboard: Ctrl+Alt+M (also ⌘⌥M on a Mac) in the editor comments on the selection, or opens the thread under the cursor;
 * focus moves into the panel, and Escape there brings it back to the editor, at the passage.
 * The host's wrapper carries data-comments (count of open threads) for tests; `host.plumeComments` is set.
 */
import { StateEffect, StateField } from '@codemirror/state'
import { Decoration, EditorView, keymap } from '@codemirror/view'
import { format } from '../strings.js'
import { makeAnchor, resolveAnchor } from './anchors.js'

const setRanges = StateEffect.define()

const rangesField = StateField.define({
  create: () => Decoration.none,
  update (decorations, tr) {
    let next = decorations.map(tr.changes)
    for (const effect of tr.effects) if (effect.is(setRanges)) next = effect.value
    return next
  },
  provide: (field) => EditorView.decorations.from(field)
})

const PHONE = '(max-width: 40rem)'
const MAX_BODY = 2000

function el (tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue
    if (key === 'class') node.className = value
    else if (key === 'text') node.textContent = value
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value)
    else node.setAttribute(key, value === true ? '' : String(value))
  }
  node.append(...children.filter((c) => c != null))
  return node
}

let uid = 0

export function attachComments (editor, opts) {
  const { socket, storyId, me = null, strings = {}, groupName = '' } = opts
  const s = (key, values) => format(strings[key] || key, values)
  const { view, doc } = editor
  const ytext = doc.getText('body')
  const host = editor.el
  const id = `comments-${++uid}`

  // ---- state -------------------------------------------------------------------------------------
  const comments = new Map() // id → comment (threads and replies)
  let can = { comment: false, resolve: false, moderate: false }
  let available = false // the server lets this socket see the comments now
  let active = null // thread id shown expanded
  let editing = null // {id, value}: a comment being edited, kept across re-renders
  const drafts = new Map() // thread id → a reply being typed, kept across re-renders
  let destroyed = false

  // ---- DOM ---------------------------------------------------------------------------------------
  const wrapper = el('div', { class: 'commented', 'data-comments': '0' })
  host.before(wrapper)
  wrapper.append(host)
  const titleId = `${id}-title`
  const count = el('span', { class: 'comments__count' })
  const title = el('h3', { class: 'comments__title', id: titleId }, s(groupName ? 'commentsOn' : 'commentsTitle', { group: groupName }), ' ', count)
  const addButton = el('button', { type: 'button', class: 'button button--small comments__add', 'aria-keyshortcuts': 'Control+Alt+M' }, s('commentAdd'))
  const closeButton = el('button', { type: 'button', class: 'button button--small comments__close' }, s('close'))
  const hint = el('p', { class: 'comments__hint muted' }, s('commentAddHint'))
  const status = el('p', { class: 'visually-hidden', 'aria-live': 'polite', 'data-comments-status': '' })
  const error = el('p', { class: 'comments__error', role: 'alert', hidden: true })
  const quoteBox = el('blockquote', { class: 'comments__quote' })
  const composeLabel = el('label', { for: `${id}-compose` })
  const composeText = el('textarea', { id: `${id}-compose`, rows: 3, maxlength: MAX_BODY, required: true })
  const compose = el('form', { class: 'comments__compose', hidden: true },
    quoteBox, composeLabel, composeText,
    el('div', { class: 'comments__actions' },
      el('button', { type: 'submit', class: 'button button--primary button--small' }, s('commentSubmit')),
      el('button', { type: 'button', class: 'button button--small', onclick: () => closeCompose(true) }, s('cancel'))))
  const list = el('ol', { class: 'comments__list', 'aria-labelledby': titleId })
  const empty = el('p', { class: 'comments__empty muted' }, s('noComments'))
  const panel = el('aside', { class: 'comments', id, 'aria-labelledby': titleId, hidden: true },
    el('div', { class: 'comments__head' }, title, addButton, closeButton), hint, error, compose, empty, list)
  const toggle = el('button', { type: 'button', class: 'button comments__toggle', 'aria-controls': id, 'aria-expanded': 'false', hidden: true })
  wrapper.append(panel, toggle, status) // the live region stays outside the sheet, which a phone folds
  host.plumeComments = null

  const phone = window.matchMedia ? window.matchMedia(PHONE) : { matches: false, addEventListener () {} }
  const setSheet = (open) => {
    panel.dataset.open = String(open)
    toggle.setAttribute('aria-expanded', String(open))
  }
  setSheet(false)
  toggle.addEventListener('click', () => {
    setSheet(panel.dataset.open !== 'true')
    if (panel.dataset.open === 'true') (list.querySelector('button') || closeButton).focus()
  })
  closeButton.addEventListener('click', () => {
    setSheet(false)
    backToEditor()
  })

  // ---- highlights -------------------------------------------------------------------------------
  const onShortcut = () => { shortcut(); return true } // Ctrl+Alt+M everywhere, also ⌘⌥M on a Mac
  view.dispatch({ effects: StateEffect.appendConfig.of([rangesField, EditorView.domEventHandlers({ click: onEditorClick }), keymap.of([{ key: 'Ctrl-Alt-m', run: onShortcut }, { mac: 'Cmd-Alt-m', run: onShortcut }])]) })

  const threads = () => [...comments.values()].filter((c) => c.parent_id == null && !(c.hidden && !can.moderate))
  const repliesOf = (threadId) => [...comments.values()].filter((c) => c.parent_id === threadId && !(c.hidden && !can.moderate)).sort((a, b) => a.id - b.id)
  const ranges = () => {
    const out = []
    for (const thread of threads()) {
      const where = resolveAnchor(doc, ytext, thread)
      thread._where = where
      if (!where || where.deleted || thread.hidden || thread.deleted) continue
      out.push({ thread, where })
    }
    return out.sort((a, b) => a.where.from - b.where.from || a.where.to - b.where.to)
  }

  let refreshTimer = null
  function refreshHighlights () {
    refreshTimer = null
    if (destroyed) return
    const length = view.state.doc.length
    const marks = []
    for (const { thread, where } of ranges()) {
      const from = Math.min(where.from, length)
      const to = Math.min(where.to, length)
      if (to <= from) continue
      const classes = ['cm-comment']
      if (thread.resolved) classes.push('cm-comment--resolved')
      if (thread.id === active) classes.push('cm-comment--active')
      marks.push(Decoration.mark({ class: classes.join(' '), attributes: { 'data-comment-id': String(thread.id) } }).range(from, to))
    }
    view.dispatch({ effects: setRanges.of(Decoration.set(marks, true)) })
  }
  const scheduleHighlights = () => {
    if (refreshTimer == null) refreshTimer = setTimeout(refreshHighlights, 30)
  }
  const onDocUpdate = () => {
    scheduleHighlights()
    scheduleList()
  }
  doc.on('update', onDocUpdate)

  // ---- the panel ---------------------------------------------------------------------------------
  let listTimer = null
  const scheduleList = () => {
    if (listTimer == null) listTimer = setTimeout(() => { listTimer = null; renderList() }, 200)
  }

  function authorLine (comment) {
    const author = comment.author || {}
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' })
    if (/^#[0-9a-f]{3,8}$/i.test(author.color || '')) swatch.style.setProperty('--swatch', author.color)
    const when = comment.created_at ? new Date(comment.created_at) : null
    return el('p', { class: 'comment__author' }, swatch,
      el('strong', {}, author.name || ''),
      author.group_name ? el('span', { class: 'muted' }, ` · ${author.group_name}`) : null,
      when ? el('time', { class: 'muted', datetime: comment.created_at }, ` · ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`) : null,
      comment.edited_at && !comment.deleted ? el('span', { class: 'muted' }, ` (${s('edited')})`) : null)
  }

  function renderComment (comment) {
    const item = el('div', { class: 'comment', 'data-comment': String(comment.id) })
    if (editing && editing.id === comment.id && !comment.deleted) return editForm(item, comment)
    item.append(authorLine(comment))
    if (comment.hidden) item.append(el('p', { class: 'comment__note' }, s('hiddenNote')))
    if (comment.deleted) {
      item.append(el('p', { class: 'comment__note' }, s('deleted')))
    } else {
      const body = el('div', { class: 'comment__body' })
      body.innerHTML = comment.html || '' // rendered by the server's one sanitiser (core.rendering)
      item.append(body)
    }
    const actions = el('div', { class: 'comments__actions' })
    const mine = me != null && comment.author && comment.author.participant_id === me
    if (mine && can.comment && !comment.deleted) {
      actions.append(
        el('button', { type: 'button', class: 'button button--small button--link', 'data-focus': `edit-${comment.id}`, onclick: () => startEdit(item, comment) }, s('edit')),
        el('button', { type: 'button', class: 'button button--small button--link', 'data-focus': `delete-${comment.id}`, onclick: () => remove(comment) }, s('delete')))
    }
    if (can.moderate) {
      actions.append(el('button', { type: 'button', class: 'button button--small button--link', 'data-focus': `hide-${comment.id}`, onclick: () => send('comment:hide', { comment_id: comment.id, hidden: !comment.hidden }) }, s(comment.hidden ? 'show' : 'hide')))
    }
    if (actions.childElementCount) item.append(actions)
    return item
  }

  function renderThread (thread) {
    const open = thread.id === active
    const where = thread._where
    const replies = repliesOf(thread.id)
    const li = el('li', { class: `thread${open ? ' thread--open' : ''}${thread.resolved ? ' thread--resolved' : ''}`, 'data-thread': String(thread.id) })
    const quote = el('button', { type: 'button', class: 'thread__quote', 'data-focus': 'quote', 'aria-expanded': String(open), 'aria-label': `${s('open')}: “${thread.quote}”` },
      el('span', { class: where && where.deleted ? 'thread__text thread__text--gone' : 'thread__text' }, `“${thread.quote}”`))
    quote.addEventListener('click', () => openThread(open ? null : thread.id, { focus: !open, scroll: !open }))
    li.append(quote)
    if (where && where.deleted) li.append(el('p', { class: 'comment__note' }, s('passageDeleted')))
    li.append(renderComment(thread))
    if (thread.resolved) li.append(el('p', { class: 'comment__note' }, s('resolvedBy', { name: thread.resolved_by || '' })))
    if (!open) {
      if (replies.length) li.append(el('p', { class: 'muted thread__replies' }, s(replies.length === 1 ? 'repliesOne' : 'repliesOther', { count: replies.length })))
      return li
    }
    if (replies.length) li.append(el('ol', { class: 'thread__replylist' }, ...replies.map((r) => el('li', {}, renderComment(r)))))
    const actions = el('div', { class: 'comments__actions' })
    if (can.comment) {
      const replyId = `${id}-reply-${thread.id}`
      const text = el('textarea', { id: replyId, rows: 2, maxlength: MAX_BODY, required: true, 'data-focus': 'reply' })
      text.value = drafts.get(thread.id) || ''
      text.addEventListener('input', () => { if (text.value) drafts.set(thread.id, text.value); else drafts.delete(thread.id) })
      const form = el('form', { class: 'thread__reply' }, el('label', { for: replyId }, s('replyLabel')), text,
        el('div', { class: 'comments__actions' }, el('button', { type: 'submit', class: 'button button--small button--primary', 'data-focus': 'reply-submit' }, s('replySubmit'))))
      form.addEventListener('submit', async (event) => {
        event.preventDefault()
        if (!text.value.trim()) return text.focus()
        const ack = await send('comment:reply', { comment_id: thread.id, body: text.value })
        if (ack && ack.ok) {
          drafts.delete(thread.id)
          renderList()
          focusReply(thread.id)
        }
      })
      li.append(form)
    }
    if (can.resolve) {
      actions.append(el('button', { type: 'button', class: 'button button--small', 'data-focus': 'resolve', onclick: () => send('comment:resolve', { comment_id: thread.id, resolved: !thread.resolved }).then(() => { const b = list.querySelector(`[data-thread="${thread.id}"] .thread__quote`); if (b) b.focus() }) }, s(thread.resolved ? 'reopen' : 'resolve')))
    }
    if (actions.childElementCount) li.append(actions)
    return li
  }

  function renderList () {
    if (destroyed) return
    const focused = document.activeElement
    const focusKey = focused && list.contains(focused) ? describeFocus(focused) : null
    const ordered = threads().map((t) => { t._where = resolveAnchor(doc, ytext, t); return t })
      .sort((a, b) => (a.resolved - b.resolved) || ((a._where ? a._where.from : 1e12) - (b._where ? b._where.from : 1e12)) || a.id - b.id)
    list.replaceChildren(...ordered.map(renderThread))
    const open = ordered.filter((t) => !t.resolved && !t.deleted && !t.hidden).length
    count.textContent = ordered.length ? `(${ordered.length})` : ''
    toggle.textContent = s('commentsToggle', { count: ordered.length })
    wrapper.dataset.comments = String(open)
    empty.hidden = ordered.length > 0
    addButton.hidden = !can.comment
    hint.hidden = !can.comment
    if (focusKey) restoreFocus(focusKey)
  }

  // A re-render replaces the panel's nodes: the focused control is found again by its thread and its
  // data-focus key (a textarea keeps its selection; its text is in `drafts` or `editing`), so a live change
  // neither moves the keyboard nor loses what is being typed.
  const describeFocus = (node) => {
    const thread = node.closest('[data-thread]')
    if (!thread || !node.dataset.focus) return null
    const text = node.tagName === 'TEXTAREA'
    return { thread: thread.dataset.thread, focus: node.dataset.focus, from: text ? node.selectionStart : 0, to: text ? node.selectionEnd : 0 }
  }
  const restoreFocus = (key) => {
    const thread = list.querySelector(`[data-thread="${key.thread}"]`)
    if (!thread) return
    const target = thread.querySelector(`[data-focus="${key.focus}"]`) || thread.querySelector('.thread__quote')
    if (!target) return
    const text = target.tagName === 'TEXTAREA' && target.dataset.focus === key.focus
    target.focus()
    if (text) target.setSelectionRange(key.from, key.to)
  }
  const focusReply = (threadId) => {
    const thread = list.querySelector(`[data-thread="${threadId}"]`)
    const target = thread && (thread.querySelector('textarea') || thread.querySelector('.thread__quote'))
    if (target) target.focus()
  }

  function openThread (threadId, { focus = true, scroll = true } = {}) {
    active = threadId
    closeCompose(false)
    renderList()
    refreshHighlights()
    if (threadId == null) return
    setSheet(true)
    const thread = list.querySelector(`[data-thread="${threadId}"]`)
    if (thread && scroll) thread.scrollIntoView({ block: 'nearest' })
    if (focus) focusReply(threadId)
    const where = comments.get(threadId) && comments.get(threadId)._where
    if (where && !where.deleted && scroll) view.dispatch({ effects: EditorView.scrollIntoView(where.from, { y: 'center' }) })
  }

  function backToEditor () {
    const thread = active != null ? comments.get(active) : null
    const where = thread && resolveAnchor(doc, ytext, thread)
    view.focus()
    if (where && !where.deleted) view.dispatch({ selection: { anchor: where.from, head: where.to }, scrollIntoView: true })
  }

  panel.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return
    event.preventDefault()
    if (!compose.hidden) return closeCompose(true)
    if (phone.matches) setSheet(false)
    backToEditor()
  })

  // ---- composing --------------------------------------------------------------------------------
  let pending = null // {start, end, quote, from, to}
  function startCompose () {
    if (!can.comment) return false
    const { from, to } = view.state.selection.main
    if (to <= from) {
      showError(s('commentSelectFirst'))
      return false
    }
    const quote = view.state.sliceDoc(from, to).slice(0, 500)
    pending = { ...makeAnchor(ytext, from, to), quote, from, to }
    const shown = quote.length > 140 ? `${quote.slice(0, 140)}…` : quote
    quoteBox.textContent = shown
    composeLabel.textContent = s('commentLabel', { quote: shown.length > 40 ? `${shown.slice(0, 40)}…` : shown })
    compose.hidden = false
    hideError()
    setSheet(true)
    composeText.focus()
    return true
  }
  function closeCompose (refocus) {
    if (compose.hidden) return
    compose.hidden = true
    composeText.value = ''
    const where = pending
    pending = null
    if (refocus) {
      view.focus()
      if (where) view.dispatch({ selection: { anchor: where.from, head: where.to } })
      if (phone.matches) setSheet(false)
    }
  }
  compose.addEventListener('submit', async (event) => {
    event.preventDefault()
    if (!pending) return
    if (!composeText.value.trim()) return composeText.focus()
    const ack = await send('comment:create', { story_id: storyId, start: pending.start, end: pending.end, quote: pending.quote, body: composeText.value })
    if (ack && ack.ok) {
      compose.hidden = true
      composeText.value = ''
      pending = null
      status.textContent = s('posted')
      openThread(ack.comment.id)
    }
  })
  addButton.addEventListener('mousedown', (event) => event.preventDefault()) // keep the editor's selection
  addButton.addEventListener('click', () => startCompose())

  function shortcut () {
    const { from, to } = view.state.selection.main
    if (to > from && can.comment) return startCompose()
    const under = ranges().find(({ where }) => where.from <= from && from <= where.to)
    if (under) return openThread(under.thread.id)
    if (available) {
      setSheet(true)
      ;(list.querySelector('.thread__quote') || (can.comment ? null : closeButton))?.focus()
      if (can.comment) showError(s('commentSelectFirst'))
    }
    return true
  }

  function onEditorClick (event) {
    const mark = event.target instanceof Element ? event.target.closest('[data-comment-id]') : null
    if (!mark) return false
    openThread(Number(mark.dataset.commentId), { focus: false })
    return false
  }

  function startEdit (item, comment) {
    editing = { id: comment.id, value: comment.body }
    editForm(item, comment)
    item.querySelector('textarea').focus()
  }

  function editForm (item, comment) {
    const editId = `${id}-edit-${comment.id}`
    const text = el('textarea', { id: editId, rows: 3, maxlength: MAX_BODY, 'data-focus': `edit-text-${comment.id}` })
    text.value = editing.value
    text.addEventListener('input', () => { if (editing) editing.value = text.value })
    const form = el('form', { class: 'comment__edit' }, el('label', { for: editId }, s('editLabel')), text,
      el('div', { class: 'comments__actions' },
        el('button', { type: 'submit', class: 'button button--small button--primary', 'data-focus': `edit-save-${comment.id}` }, s('save')),
        el('button', { type: 'button', class: 'button button--small', 'data-focus': `edit-cancel-${comment.id}`, onclick: () => { editing = null; renderList() } }, s('cancel'))))
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      const ack = await send('comment:edit', { comment_id: comment.id, body: text.value })
      if (ack && ack.ok) {
        editing = null
        renderList()
      }
    })
    item.replaceChildren(form)
    return item
  }

  async function remove (comment) {
    if (!window.confirm(s('deleteConfirm'))) return
    await send('comment:delete', { comment_id: comment.id })
  }

  // ---- the wire ----------------------------------------------------------------------------------
  function showError (message) {
    error.textContent = message
    error.hidden = false
  }
  function hideError () {
    error.hidden = true
    error.textContent = ''
  }

  function send (event, payload) {
    return new Promise((resolve) => {
      socket.timeout(10000).emit(event, payload, (err, ack) => {
        if (err || !ack) {
          showError(strings.errorTimeout || 'Timeout')
          return resolve(null)
        }
        if (!ack.ok) {
          showError((ack.error && ack.error.message) || '')
          return resolve(ack)
        }
        hideError()
        if (ack.comment) upsert(ack.comment)
        resolve(ack)
      })
    })
  }

  // A list answer may have been read before a change that arrived meanwhile (an ack, a `comment` event):
  // the changes seen while a list is in flight are applied again on top of it.
  const inFlight = new Set()

  function upsert (comment) {
    if (!comment || comment.story_id !== Number(storyId)) return
    for (const seen of inFlight) seen.set(comment.id, comment)
    if (comment.hidden && !can.moderate) {
      comments.delete(comment.id)
      if (active === comment.id) active = null
    } else {
      comments.set(comment.id, comment)
    }
    renderList()
    scheduleHighlights()
  }

  const onComment = (comment) => {
    if (!comment || comment.story_id !== Number(storyId)) return
    const fresh = !comments.has(comment.id) && !comment.hidden
    upsert(comment)
    if (fresh && comment.author && comment.author.participant_id !== me) status.textContent = s('newComment', { name: comment.author.name })
  }

  function load () {
    const since = new Map()
    inFlight.add(since)
    socket.timeout(10000).emit('comment:list', { story_id: storyId }, (err, ack) => {
      inFlight.delete(since)
      if (destroyed) return
      if (err || !ack || !ack.ok) {
        available = false
        panel.hidden = true
        toggle.hidden = true
        wrapper.dataset.commentsState = ack && ack.error ? ack.error.code : 'unavailable'
        refreshHighlightsEmpty()
        return
      }
      available = true
      can = { comment: !!ack.can_comment, resolve: !!ack.can_resolve, moderate: !!ack.can_moderate }
      comments.clear()
      for (const comment of ack.comments) comments.set(comment.id, comment)
      for (const comment of since.values()) {
        if (comment.hidden && !can.moderate) comments.delete(comment.id)
        else comments.set(comment.id, comment)
      }
      panel.hidden = false
      toggle.hidden = false
      wrapper.dataset.commentsState = can.comment ? 'open' : 'read'
      renderList()
      refreshHighlights()
    })
  }
  const refreshHighlightsEmpty = () => {
    comments.clear()
    list.replaceChildren()
    view.dispatch({ effects: setRanges.of(Decoration.none) })
  }

  socket.on('comment', onComment)
  socket.on('connect', load)
  // Comment events reach sockets that opened the story: list again once it is open, so that nothing made
  // between the first list and the open is missed.
  const onSynced = (synced) => { if (synced) load() }
  editor.provider.on('synced', onSynced)
  socket.on('workshop:state', load) // a phase change opens or closes the comments
  if (socket.connected) load()

  const api = {
    reload: load,
    get comments () { return [...comments.values()] },
    get can () { return { ...can } },
    openThread,
    destroy () {
      if (destroyed) return
      destroyed = true
      clearTimeout(refreshTimer)
      clearTimeout(listTimer)
      socket.off('comment', onComment)
      socket.off('connect', load)
      socket.off('workshop:state', load)
      editor.provider.off('synced', onSynced)
      doc.off('update', onDocUpdate)
      panel.remove()
      toggle.remove()
      status.remove()
      if (wrapper.parentNode) wrapper.replaceWith(host)
    }
  }
  host.plumeComments = api
  return api
}
