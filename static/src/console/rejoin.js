/**
 * Rejoin links: a participant whose device died gets back in as themselves on another one. A roster name's
 * link button ([data-rejoin-member]) or the participant form's [data-rejoin-participant] asks the server
 * for a link (POST …/participants/<id>/rejoin-link) and shows it with its QR code in [data-rejoin-dialog].
 *
 * `k` is the console's controller (console.js): {root, c, workshopId, say, findMember}.
 */
import { csrfToken } from '../preview.js'
import { format } from '../strings.js'

export async function openRejoin (k, participantId) {
  const { root, c } = k
  const dialog = root.querySelector('[data-rejoin-dialog]')
  let body
  try {
    const response = await fetch(`/workshops/${k.workshopId}/participants/${participantId}/rejoin-link`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken() },
      credentials: 'same-origin'
    })
    if (!response.ok) throw new Error(String(response.status))
    body = await response.json()
  } catch {
    k.say(c.rejoinFailed, 'error')
    return
  }
  dialog.querySelector('[data-rejoin-title]').textContent = format(c.rejoinTitle, { name: body.name })
  dialog.querySelector('[data-rejoin-hint]').textContent = format(c.rejoinHint, { name: body.name, minutes: body.minutes })
  const link = dialog.querySelector('[data-rejoin-url]')
  link.href = body.url
  link.textContent = body.url
  dialog.querySelector('[data-rejoin-qr]').innerHTML = body.qr_svg // the server's segno SVG (no user markup)
  if (!dialog.open) dialog.showModal()
}

export function bindRejoin (k) {
  const { root } = k
  root.addEventListener('click', (event) => {
    const button = event.target.closest && event.target.closest('[data-rejoin-member]')
    if (button) openRejoin(k, Number(button.dataset.rejoinMember))
  })
  const form = root.querySelector('[data-move-form]')
  form?.querySelector('[data-rejoin-participant]')?.addEventListener('click', () => {
    const participant = Number(form.querySelector('[data-move-participant]').value)
    if (participant) openRejoin(k, participant)
  })
  const dialog = root.querySelector('[data-rejoin-dialog]')
  dialog?.querySelector('[data-rejoin-copy]')?.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(dialog.querySelector('[data-rejoin-url]').href)
      k.say(k.c.rejoinCopied)
    } catch {
      k.say(k.c.rejoinCopyFailed, 'error')
    }
  })
}
