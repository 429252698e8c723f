/**
 * The console's feedback line ([data-feedback]): what a command did. A success fades after a while; an
 * error stays until the next command. The text is set a moment after it is cleared, so that a screen
 * reader announces the same sentence twice in a row.
 */
export function createSay (feedback) {
  let timer = null
  return (text, tone = 'ok') => {
    if (!feedback) return
    feedback.dataset.tone = tone
    feedback.textContent = ''
    clearTimeout(timer)
    timer = setTimeout(() => {
      feedback.textContent = text
      if (tone !== 'error') timer = setTimeout(() => { feedback.textContent = '' }, 8000)
    }, 30)
  }
}
