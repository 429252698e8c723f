/**
 * Page entry of the participant view (templates/workshops/participant.html): static/src/participant/ on the
 * page's [data-participant-view].
 */
import { startParticipant } from '../participant/participant.js'

const root = document.querySelector('[data-participant-view]')
if (root) startParticipant(root)
