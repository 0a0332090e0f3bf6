/**
 * The soak's server on 127.0.0.1 (port 0): a `ws` endpoint that alternates per
 * connection between closing with 1012 at once and sending `hold` (see
 * test/soak/cycles.ts), and, for Chromium, a page at `/` that loads the soak
 * harness bundled from test/soak/page.ts with esbuild.
 */
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { WebSocketServer } from 'ws'

export interface SoakServer {
  port: number
  /** Upgrade requests served. */
  connections(): number
  stop(): Promise<void>
}

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

export async function startSoakServer({ page = false } = {}): Promise<SoakServer> {
  const script = page ? await bundlePage() : ''
  let connections = 0
  const sockets = new Set<Socket>()
  const http: Server = createServer((req, res) => {
    if (req.url === '/soak.js') {
      res.setHeader('content-type', 'text/javascript; charset=utf-8')
      res.end(script)
      return
    }
    res.setHeader('content-type', 'text/html; charset=utf-8')
    res.end('<!doctype html><meta charset="utf-8"><title>soak</title><script src="/soak.js"></script>')
  })
  http.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const wss = new WebSocketServer({ server: http })
  wss.on('connection', (ws) => {
    connections++
    ws.on('error', () => ws.terminate())
    if (connections % 2 === 1) ws.close(1012, 'Service Restart')
    else ws.send('hold')
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const address = http.address()
  if (address === null || typeof address === 'string') throw new Error('soak server has no port')
  return {
    port: address.port,
    connections: () => connections,
    async stop() {
      for (const client of wss.clients) client.terminate()
      wss.close()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}
