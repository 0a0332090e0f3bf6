#!/usr/bin/env node
// The size budget, measured the way users' bundlers see the package: the built
// ESM output bundled with esbuild (--bundle --minify, eventemitter3 included),
// gzip -9. Also checks tree-shaking: importing only describeCloseCode must not
// pull in the socket class or eventemitter3.
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../..', import.meta.url))
/** Bytes, gzip -9, of `import { ResilientWebSocket } from 'resilient-websocket'`. */
export const BUDGET_GZIP_BYTES = Number(process.env.SIZE_BUDGET ?? 3072)

export async function measure(imports) {
  const result = await build({
    stdin: { contents: `export { ${imports} } from 'resilient-websocket'`, resolveDir: root },
    alias: { 'resilient-websocket': `${root}/dist/index.js` },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].text
  return { code, minified: code.length, gzip: gzipSync(code, { level: 9 }).length }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const full = await measure('ResilientWebSocket')
  const shaken = await measure('describeCloseCode')
  const kb = (n) => `${(n / 1024).toFixed(2)} KB`
  console.log(
    `ResilientWebSocket: ${kb(full.minified)} minified, ${kb(full.gzip)} gzip (budget ${kb(BUDGET_GZIP_BYTES)})`,
  )
  console.log(`describeCloseCode alone: ${kb(shaken.minified)} minified, ${kb(shaken.gzip)} gzip`)
  let failed = false
  if (full.gzip > BUDGET_GZIP_BYTES) {
    console.error(`size budget exceeded by ${full.gzip - BUDGET_GZIP_BYTES} bytes`)
    failed = true
  }
  if (/addEventListener|_events|prefixed/.test(shaken.code)) {
    console.error('tree-shaking broken: describeCloseCode alone pulls in the socket or eventemitter3')
    failed = true
  }
  process.exit(failed ? 1 : 0)
}
