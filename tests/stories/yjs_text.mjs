// Rebuild a story the way a browser does: apply the updates (base64, one per line on stdin) to a fresh
// Y.Doc in order, and print its "body" text as JSON. Used by the hostile-client suite.
import * as Y from 'yjs'

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => { input += chunk })
process.stdin.on('end', () => {
  const doc = new Y.Doc()
  for (const line of input.split('\n')) {
    if (line.trim()) Y.applyUpdate(doc, Buffer.from(line, 'base64'))
  }
  process.stdout.write(JSON.stringify(doc.getText('body').toString()))
})
