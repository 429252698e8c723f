/**
 * Browsers forget: once the workshop has ended (`workshop:state` `ended`), the group's draft kept on this
 * device for offline writing (IndexedDB `plume-story-<storyId>`) is deleted, not only closed, and the page
 * says so ([data-forgotten-notice]; the root's data-forgotten is "true" once it is gone). The editor's own
 * copy goes through its persistence (closed, then deleted); a page opened after the end never made one (its
 * host has data-persist="false") and deletes any left over.
 */
import { forgetStory } from '../editor/sync.js'

/** @returns {(state: object) => void} what to call on each state */
export function forgetWhenEnded (root) {
  let done = false
  return (state) => {
    if (done || !state || !state.ended) return
    done = true
    const host = root.querySelector('[data-story-editor]')
    const storyId = host && host.dataset.storyId
    if (!storyId) return
    const editor = host.plumeEditor
    const forgotten = editor ? editor.forget() : forgetStory(storyId)
    forgotten.then((gone) => {
      root.dataset.forgotten = String(gone)
      const notice = root.querySelector('[data-forgotten-notice]')
      if (notice && gone) notice.hidden = false
    })
  }
}
