#!/usr/bin/env node
// Bundles every static/src/entries/*.js into static/dist/<name>.js (ESM, code shared between entries split
// into static/dist/chunks/), minified, with source maps, for ES2020 browsers. `--watch` rebuilds on change.
import { build, context } from 'esbuild'
import { readdirSync, rmSync, mkdirSync } from 'node:fs'
import { join, dirname, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const entriesDir = join(root, 'static', 'src', 'entries')
const outdir = join(root, 'static', 'dist')
const watch = process.argv.includes('--watch')

const entryPoints = readdirSync(entriesDir)
  .filter((name) => name.endsWith('.js') && !name.endsWith('.test.js'))
  .sort()
  .map((name) => join(entriesDir, name))
if (!entryPoints.length) {
  console.error('no entry points in static/src/entries/')
  process.exit(1)
}

// Stale hashed chunks of an earlier build would pile up.
rmSync(join(outdir, 'chunks'), { recursive: true, force: true })
mkdirSync(outdir, { recursive: true })

const options = {
  absWorkingDir: root,
  entryPoints,
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: !watch,
  sourcemap: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' }
}

if (watch) {
  const ctx = await context({ ...options, logLevel: 'info' })
  await ctx.watch()
  console.log('watching static/src/ …')
} else {
  const started = Date.now()
  const result = await build(options)
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'))
  let total = 0
  for (const [file, info] of outputs) {
    total += info.bytes
    console.log(`${relative(root, join(root, file)).padEnd(48)} ${(info.bytes / 1024).toFixed(1).padStart(7)} KiB`)
  }
  console.log(`${'total'.padEnd(48)} ${(total / 1024).toFixed(1).padStart(7)} KiB  (${Date.now() - started} ms)`)
}
