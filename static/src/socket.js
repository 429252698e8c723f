/**
 * One Socket.IO connection per page, shared by every widget: reuses `window.plumeSocket` when the page
 * (or another entry) created it, otherwise connects to the same origin (identity from the session cookie)
 * and publishes it there.
 */
import { io } from 'socket.io-client'

export function getSocket () {
  if (typeof window !== 'undefined' && window.plumeSocket) return window.plumeSocket
  const socket = io({
    transports: ['websocket', 'polling'],
    tryAllTransports: true, // a proxy without WebSocket support falls back to long-polling
    withCredentials: true
  })
  if (typeof window !== 'undefined') window.plumeSocket = socket
  return socket
}
