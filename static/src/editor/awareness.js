/** Who is writing: this writer's name and colour in the Yjs awareness, and peers' made harmless. */
import { Awareness } from 'y-protocols/awareness'
import { accessibleColor, lightColor } from '../colors.js'

/**
 * Keep what peers put in their awareness state harmless before the cursor plugin renders it: the colour goes
 * into a style attribute, the name into a label.
 */
export function sanitizeUser (state, clientId, fallbackName) {
  if (!state || typeof state !== 'object') return
  const user = state.user && typeof state.user === 'object' ? state.user : {}
  const name = typeof user.name === 'string' && user.name.trim() ? user.name.trim().slice(0, 60) : fallbackName
  const color = accessibleColor(user.color, String(clientId))
  state.user = { name, color, colorLight: lightColor(color) }
}

/** The document's awareness, with `user` ({name, color}) as this writer; `anonymous` names a nameless one. */
export function createAwareness (doc, user, anonymous) {
  const awareness = new Awareness(doc)
  // Registered before the editor's own listeners, so peers' states are cleaned before they are drawn.
  awareness.on('change', ({ added, updated }) => {
    for (const id of added.concat(updated)) {
      if (id !== doc.clientID) sanitizeUser(awareness.getStates().get(id), id, anonymous)
    }
  })
  const me = { user: { name: user.name, color: user.color } }
  sanitizeUser(me, user.name || doc.clientID, anonymous)
  awareness.setLocalStateField('user', me.user)
  return awareness
}
