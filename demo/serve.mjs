#!/usr/bin/env node
/**
 * `npm run demo`: starts Vite's dev server for demo/ with the chaos WebSocket
 * server embedded (see chaos-server.ts), and prints the URL to open.
 *
 *   npm run demo                      # http://localhost:5173/
 *   npm run demo -- --port 8080       # or DEMO_PORT=8080 npm run demo
 *   npm run demo -- --host            # also listen on the LAN (try it on a phone)
 *
 * Plain JavaScript on purpose: Node 20 runs it without a TypeScript loader, and
 * Vite compiles the TypeScript config and server it loads.
 */
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createServer } from 'vite'

export const DEFAULT_PORT = 5173

/**
 * Starts the demo server (port 0 picks a free port) and resolves once it listens.
 * @param {import('./serve.d.mts').DemoOptions} [options]
 * @returns {Promise<import('./serve.d.mts').DemoServer>}
 */
export async function startDemo({ port = DEFAULT_PORT, host, quiet = false, watch = true } = {}) {
  const server = await createServer({
    configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
    logLevel: quiet ? 'silent' : 'info',
    server: {
      port,
      strictPort: true,
      ...(host === undefined ? {} : { host }),
      // Without a watcher nothing reloads the page behind a test's back when a source file changes.
      ...(watch ? {} : { watch: null, hmr: false }),
    },
  })
  try {
    await server.listen()
  } catch (error) {
    await server.close()
    if (error instanceof Error && /already in use/.test(error.message)) {
      throw new PortInUseError(port, { cause: error })
    }
    throw error
  }
  const address = server.httpServer?.address()
  if (!address || typeof address === 'string') {
    await server.close()
    throw new Error('The demo server did not report a port.')
  }
  const url = server.resolvedUrls?.local[0] ?? `http://localhost:${address.port}/`
  return { url, port: address.port, vite: server, close: () => server.close() }
}

export class PortInUseError extends Error {
  /**
   * @param {number} port
   * @param {ErrorOptions} [options]
   */
  constructor(port, options) {
    super(
      `Port ${port} is already in use. Stop whatever is using it, or pick another port: ` +
        `npm run demo -- --port ${port + 1}  (or DEMO_PORT=${port + 1} npm run demo)`,
      options,
    )
    this.name = 'PortInUseError'
    this.port = port
  }
}

/** @param {string | undefined} text */
function parsePort(text) {
  if (text === undefined || text === '') return DEFAULT_PORT
  const port = Number(text)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Invalid port "${text}": expected an integer from 0 to 65535.`)
  }
  return port
}

async function main() {
  // `--host` with no address means every interface, like Vite's own flag.
  const args = process.argv
    .slice(2)
    .map((arg, i, all) =>
      arg === '--host' && (i === all.length - 1 || all[i + 1]?.startsWith('-')) ? '--host=0.0.0.0' : arg,
    )
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    console.log('Usage: npm run demo -- [--port N] [--host [address]]\nEnvironment: DEMO_PORT=N, DEMO_HOST=address')
    return
  }
  const port = parsePort(values.port ?? process.env.DEMO_PORT)
  const host = values.host ?? process.env.DEMO_HOST
  const demo = await startDemo({ port, ...(host === undefined ? {} : { host }) })
  console.log('\n  resilient-websocket demo: open the page, then make the server misbehave.\n')
  demo.vite.printUrls()
  console.log('\n  Press Ctrl+C to stop.\n')
  const stop = async () => {
    await demo.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(`\n  ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  })
}
