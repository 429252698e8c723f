/**
 * Page entry of the organiser's live overview (templates/consultations/overview.html):
 * static/src/overview/overview.js on the page's [data-overview].
 */
import { startOverview } from '../overview/overview.js'

const root = document.querySelector('[data-overview]')
if (root) startOverview(root)
