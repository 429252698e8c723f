/**
 * The page's Socket.IO connection: `connect` opens one to the same origin as docs/protocol.md describes it
 * (MessagePack packets, `socket-parser.js`; WebSocket, or long-polling through a proxy without it;
 * identity from the session cookie and `auth`), and `getSocket` shares one between every widget of a page:
 * it reuses `window.plumeSocket` when the page (or another entry) created it, and publishes its own there.
 */
import { io } from 'socket.io-client'
import * as parser from './socket-parser.js'
import { retryWhenUnavailable } from './retry.js'

/** @param {import('socket.io-client').SocketOptions & import('socket.io-client').ManagerOptions} [options] */
export function connect (options = {}) {
  return retryWhenUnavailable(io({
    transports: ['websocket', 'polling'],
    tryAllTransports: true, // a proxy without WebSocket support falls back to long-polling
    withCredentials: true,
    ...options,
    parser
  }))
}

export function getSocket () {
  if (typeof window !== 'undefined' && window.plumeSocket) return window.plumeSocket
  const socket = connect()
  if (typeof window !== 'undefined') window.plumeSocket = socket
  return socket
}
