#!/usr/bin/env node
/**
 * The comparison servers: @hocuspocus/server with its defaults, documents in memory only, or with
 * @hocuspocus/extension-sqlite storing them in a SQLite file (Hocuspocus's own debounced store: a document
 * is written 2 s after its last change, at least every 10 s while it changes).
 *
 *   node bench/rivals/hocuspocus.mjs --port 1234                        (in memory)
 *   node bench/rivals/hocuspocus.mjs --port 1234 --sqlite /tmp/docs.db  (stored)
 *
 * Prints {"listening": port} once it accepts connections. Its dependencies are this folder's own npm
 * package (`npm ci --prefix bench/rivals`, which `make bench` runs), not the front end's.
 */
import { parseArgs } from 'node:util'
import { Server } from '@hocuspocus/server'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '1234' },
    host: { type: 'string', default: '127.0.0.1' },
    sqlite: { type: 'string' }
  }
})
const extensions = []
if (values.sqlite) {
  const { SQLite } = await import('@hocuspocus/extension-sqlite')
  extensions.push(new SQLite({ database: values.sqlite }))
}
const server = new Server({ port: Number(values.port), address: values.host, quiet: true, extensions })
await server.listen()
process.stdout.write(JSON.stringify({ listening: Number(values.port), sqlite: values.sqlite ?? null }) + '\n')
const stop = async () => { await server.destroy(); process.exit(0) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
