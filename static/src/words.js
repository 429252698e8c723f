/**
 * Words in a Markdown text: runs of letters or digits, with inner apostrophes and hyphens
 * ("aujourd'hui", "well-being" count once); Markdown markup (#, *, >, -) does not count.
 */
const WORD = /[\p{L}\p{N}\p{M}]+(?:['’\-.][\p{L}\p{N}\p{M}]+)*/gu

export function countWords (text) {
  if (!text) return 0
  let n = 0
  WORD.lastIndex = 0
  while (WORD.exec(text) !== null) n++
  return n
}
