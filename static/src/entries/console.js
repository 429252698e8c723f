/**
 * Page entry of the facilitator's console (templates/workshops/console.html): static/src/console/console.js
 * on the page's [data-console].
 */
import { startConsole } from '../console/console.js'

const root = document.querySelector('[data-console]')
if (root) startConsole(root)
