/** The editor's debounced reports of its text: the word count (`onWords`) and the text (`onText`). */
import { countWords } from '../words.js'

/**
 * @param {{ytext, onWords?: Function, onText?: Function, wordsDelay: number, textDelay: number,
 *          isSynced: () => boolean, isDestroyed: () => boolean}} opts
 * @returns {{schedule: () => void, cancel: () => void}}
 */
export function createTextEvents ({ ytext, onWords, onText, wordsDelay, textDelay, isSynced, isDestroyed }) {
  let textTimer = null
  let wordsTimer = null
  const schedule = () => {
    if (onWords) {
      clearTimeout(wordsTimer)
      wordsTimer = setTimeout(() => !isDestroyed() && onWords(countWords(ytext.toString())), wordsDelay)
    }
    if (onText) {
      clearTimeout(textTimer)
      textTimer = setTimeout(() => {
        // Before the first sync an empty doc says nothing: keep the page's server-rendered preview.
        if (isDestroyed() || (!isSynced() && ytext.length === 0)) return
        onText(ytext.toString())
      }, textDelay)
    }
  }
  const cancel = () => {
    clearTimeout(textTimer)
    clearTimeout(wordsTimer)
  }
  return { schedule, cancel }
}
