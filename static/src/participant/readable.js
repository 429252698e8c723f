/**
 * The other groups' drafts that the phase opens to reading ([data-readable], [data-readable-list]): a
 * read-only editor for each (article.readable__item, its host [data-read-only-story]), with its comments.
 */
import { el } from '../dom.js'
import { mountEditor } from '../editor.js'
import { attachComments } from '../comments/comments.js'

/** @returns {(state: object) => void} what to call on each state */
export function followReadable (root, { socket, catalogue, feedback, me }) {
  const readable = root.querySelector('[data-readable]')
  const list = root.querySelector('[data-readable-list]')
  const readers = new Map() // story id → read-only editor of another group's draft
  const open = (storyId, item) => {
    const host = el('div', { 'data-read-only-story': storyId })
    const article = el('article', { class: 'readable__item card' }, el('h3', {}, item.group_name), host)
    list.append(article)
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
  return (state) => {
    if (!readable || !list) return
    const wanted = new Map((state.readable || []).filter((r) => r.story_id).map((r) => [String(r.story_id), r]))
    for (const [storyId, reader] of readers) {
      if (wanted.has(storyId)) continue
      reader.comments.destroy()
      reader.editor.destroy()
      reader.article.remove()
      readers.delete(storyId)
    }
    for (const [storyId, item] of wanted) if (!readers.has(storyId)) open(storyId, item)
    readable.hidden = wanted.size === 0
  }
}
