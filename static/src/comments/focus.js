/**
 * A re-render replaces the panel's nodes: the focused control is found again by its thread and its
 * data-focus key (a textarea keeps its selection; its text is in `drafts` or `editing`), so a live change
 * neither moves the keyboard nor loses what is being typed.
 */

/** The key of the focused control inside the list, or null. */
export function describeFocus (list) {
  const node = document.activeElement
  if (!node || !list.contains(node)) return null
  const thread = node.closest('[data-thread]')
  if (!thread || !node.dataset.focus) return null
  const text = node.tagName === 'TEXTAREA'
  return { thread: thread.dataset.thread, focus: node.dataset.focus, from: text ? node.selectionStart : 0, to: text ? node.selectionEnd : 0 }
}

/** Focus the control of `key` again (its thread's quote when it is gone). */
export function restoreFocus (list, key) {
  const thread = list.querySelector(`[data-thread="${key.thread}"]`)
  if (!thread) return
  const target = thread.querySelector(`[data-focus="${key.focus}"]`) || thread.querySelector('.thread__quote')
  if (!target) return
  const text = target.tagName === 'TEXTAREA' && target.dataset.focus === key.focus
  target.focus()
  if (text) target.setSelectionRange(key.from, key.to)
}

/** Focus a thread's reply box, or its quote when it has none. */
export function focusReply (list, threadId) {
  const thread = list.querySelector(`[data-thread="${threadId}"]`)
  const target = thread && (thread.querySelector('textarea') || thread.querySelector('.thread__quote'))
  if (target) target.focus()
}
