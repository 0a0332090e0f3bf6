/**
 * The bench server: one HTTP server on 127.0.0.1 (port 0) that serves the
 * page, the harness and the library bundles, and the WebSocket endpoints the
 * page talks to.
 *
 * - `/blast`: on `blast:N:size:text|binary` writes N messages of `size` bytes.
 *   The frames are built once and written to the TCP socket in one call, so
 *   the server costs next to nothing while the browser receives.
 * - `/sink`: counts messages; on `report` replies `received:<count>:<ordered>`
 *   (ordered: messages of the form `q:<i>` arrived as 0, 1, 2, …) and resets.
 * - `/gate/<id>`: a `/sink` whose handshake is held (the client stays
 *   CONNECTING) until a GET of `/release/<id>`.
 * - `/cycle/<id>/<a>/<b>/…`: a reconnect loop. Connections 0, a, b, … are held
 *   open (a held one closes with 4000 when the client sends `go` on it); every
 *   other connection is closed with 4000 at once, and any after the last
 *   listed one stays open. So `go` on connection 0 starts a cycles, `go` on
 *   connection a then b − a more.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'

export interface BenchServer {
  port: number
  origin: string
  wsOrigin: string
  /** Connections each `/cycle/<id>` run saw. */
  cycleConnections(id: string): number
  stop(): Promise<void>
}

export const CYCLE_CLOSE_CODE = 4000

/** Server-to-client frames (unmasked) for `count` messages of `size` bytes. */
function frames(count: number, size: number, binary: boolean): Buffer {
  const header = size < 126 ? 2 : size < 65536 ? 4 : 10
  const payload = Buffer.alloc(size)
  if (binary) for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff
  else payload.fill('abcdefghijklmnopqrstuvwxyz0123456789'.repeat(Math.ceil(size / 36)).slice(0, size))
  const one = Buffer.alloc(header + size)
  one[0] = 0x80 | (binary ? 0x2 : 0x1)
  if (size < 126) one[1] = size
  else if (size < 65536) {
    one[1] = 126
    one.writeUInt16BE(size, 2)
  } else {
    one[1] = 127
    one.writeBigUInt64BE(BigInt(size), 2)
  }
  payload.copy(one, header)
  const all = Buffer.alloc(one.length * count)
  for (let i = 0; i < count; i++) one.copy(all, i * one.length)
  return all
}

export async function startBenchServer(files: Map<string, { type: string; body: string }>): Promise<BenchServer> {
  const blasts = new Map<string, Buffer>()
  const cycles = new Map<string, number>()
  const gated = new Map<string, { upgrade: () => void; socket: Socket }>()
  /** Releases that arrived before their handshake did. */
  const released = new Set<string>()
  const http: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path.startsWith('/release/')) {
      const id = path.slice('/release/'.length)
      const held = gated.get(id)
      gated.delete(id)
      if (held) held.upgrade()
      else released.add(id)
      res.writeHead(204, { 'cross-origin-resource-policy': 'same-origin' }).end()
      return
    }
    const file = files.get(path)
    if (!file) {
      res.writeHead(404).end()
      return
    }
    // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
    res.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    })
    res.end(file.body)
  })
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 })

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const upgrade = () => wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, path))
    const gate = path.startsWith('/gate/') ? path.slice('/gate/'.length) : null
    if (gate !== null && !released.delete(gate)) gated.set(gate, { upgrade, socket })
    else upgrade()
  })

  function onConnection(ws: WebSocket, path: string): void {
    ws.on('error', () => {})
    if (path === '/blast') {
      ws.on('message', (data, isBinary) => {
        if (isBinary) return
        const [verb, n, size, kind] = data.toString().split(':')
        if (verb !== 'blast') return
        const key = `${n}:${size}:${kind}`
        let buffer = blasts.get(key)
        if (!buffer)
          blasts.set(key, (buffer = frames(Number(n), Number(size), kind === 'binary')))
          // The frames are complete and nothing else is being sent on this connection.
        ;(ws as unknown as { _socket: Socket })._socket.write(buffer)
      })
      return
    }
    if (path === '/sink' || path.startsWith('/gate/')) {
      let count = 0
      let next = 0
      let ordered = true
      ws.on('message', (data, isBinary) => {
        const text = isBinary ? '' : data.toString()
        if (text === 'report') {
          ws.send(`received:${count}:${ordered ? 1 : 0}`)
          count = 0
          next = 0
          ordered = true
          return
        }
        count++
        if (text.startsWith('q:')) {
          if (Number(text.slice(2)) !== next) ordered = false
          next++
        }
      })
      return
    }
    const cycle = /^\/cycle\/([\w-]+)((?:\/\d+)+)$/.exec(path)
    if (cycle) {
      const id = cycle[1]!
      const holds = [0, ...cycle[2]!.slice(1).split('/').map(Number)]
      const index = cycles.get(id) ?? 0
      cycles.set(id, index + 1)
      if (holds.includes(index)) {
        ws.on('message', (data) => {
          if (data.toString() === 'go') ws.close(CYCLE_CLOSE_CODE)
        })
      } else if (index < holds[holds.length - 1]!) ws.close(CYCLE_CLOSE_CODE)
      return
    }
    ws.close(1008, 'unknown endpoint')
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = http.address() as AddressInfo
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    wsOrigin: `ws://127.0.0.1:${port}`,
    cycleConnections: (id) => cycles.get(id) ?? 0,
    async stop() {
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      for (const held of gated.values()) held.socket.destroy()
      gated.clear()
      released.clear()
      blasts.clear()
      cycles.clear()
    },
  }
}
