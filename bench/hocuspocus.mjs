#!/usr/bin/env node
/**
 * The comparison server: @hocuspocus/server with its defaults, documents in memory only (no extension).
 *
 *   node bench/hocuspocus.mjs --port 1234     (prints {"listening": port} once it accepts connections)
 */
import { parseArgs } from 'node:util'
import { Server } from '@hocuspocus/server'

const { values } = parseArgs({ options: { port: { type: 'string', default: '1234' }, host: { type: 'string', default: '127.0.0.1' } } })
const server = new Server({ port: Number(values.port), address: values.host, quiet: true })
await server.listen()
process.stdout.write(JSON.stringify({ listening: Number(values.port) }) + '\n')
const stop = async () => { await server.destroy(); process.exit(0) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
