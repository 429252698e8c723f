/**
 * A connection the server refused as `unavailable` (it could not set it up: its database out of connections
 * or away, Redis away) is tried again after a while, 1 s then doubling up to 30 s, with some jitter so that
 * a crowd refused together does not come back together. Socket.IO does not retry a refused connection by
 * itself (only a lost one). Any other refusal (`unauthorized`, `too_many_sockets`…) stays refused.
 *
 * @param {{on: Function, connect: Function, active?: boolean}} socket
 * @param {{later?: Function, random?: () => number}} [clock] for the tests
 */
export function retryWhenUnavailable (socket, { later = setTimeout, random = Math.random } = {}) {
  let delay = 1000
  let pending = false
  socket.on('connect', () => { delay = 1000 })
  socket.on('connect_error', (err) => {
    if (socket.active || pending || !err || err.message !== 'unavailable') return
    pending = true
    const wait = delay * (0.5 + random())
    delay = Math.min(delay * 2, 30000)
    later(() => {
      pending = false
      if (!socket.connected) socket.connect()
    }, wait)
  })
  return socket
}
