/**
 * A real `ws` server for browser tests. The request path says how the server
 * behaves for that connection, so a test describes its scenario in the URL it
 * hands to the socket under test:
 *
 * - `/echo` — echo every message back (binary stays binary).
 * - `/close/:code?reason=…&after=ms` — accept, then close with that code.
 * - `/close?after=ms` — accept, then close with an empty close frame (no status
 *   code; a page sees 1005).
 * - `/raw-close/:code` — complete the handshake by hand and send one close frame
 *   carrying any 16-bit code, even those `ws` refuses to send (1004, 1005, 1006,
 *   1015, 999, 5000, …), to see what a browser makes of them.
 * - `/drop-on-message` — accept, record the first message, then destroy the TCP
 *   connection without a close frame.
 * - `/delayed-close?key=K` — accept by hand; when the page's close frame arrives,
 *   record it as `<close CODE>` and answer it only after `GET /release/K`.
 * - `/delayed-close/:code?key=K` — accept by hand and close first with that code;
 *   record the page's answering close frame as `<close CODE>`, and end the TCP
 *   connection only after `GET /release/K` (the page stays in CLOSING until then,
 *   or until the browser gives up waiting).
 * - `/drop?after=ms` — accept, then destroy the TCP connection without a close frame.
 * - `/reject/:status` — answer the upgrade with that HTTP status (401, 503, …).
 * - `/hang` — never answer the upgrade request; drop it after `HANG_HOLD_MS`.
 * - `/silent` — accept and never send anything (for heartbeat tests).
 * - `/plan/:key?steps=a,b,c` — connection n of `key` follows step n (the last
 *   step repeats): `open` (echo), `close:CODE`, `close` (no status code), `drop`,
 *   `drop-on-message`, `raw-close:CODE`, `reject:STATUS`, `hang`, `silent`.
 *
 * Every connection whose URL has `key=K` (or a `/plan/K` path) is counted, and
 * the messages it receives are recorded; `GET /stats/K` returns them as JSON.
 * Plain HTTP answers carry `Access-Control-Allow-Origin: *` for the test page.
 * Every timer and held socket belongs to the server and ends with `stop()`.
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'

export interface ScenarioStats {
  connections: number
  received: string[]
  /** Hung handshakes (`hang`) whose TCP connection the client ended before the server let go. */
  abandoned: number
}

/**
 * How long a hung handshake is held before the server drops it, as a real
 * server's handshake timeout would. Firefox keeps the TCP connection of a
 * socket closed while CONNECTING, and starts no other connection to the same
 * host and port until it ends (RFC 6455 §4.1), so a hang held for good would
 * stall every later test in that browser.
 */
export const HANG_HOLD_MS = 2_000

export interface ScenarioServer {
  port: number
  stop(): Promise<void>
}

type Step =
  | { kind: 'open' }
  | { kind: 'close'; code: number | undefined; reason: string; afterMs: number }
  | { kind: 'raw-close'; code: number }
  | { kind: 'drop'; afterMs: number }
  | { kind: 'drop-on-message' }
  | { kind: 'reject'; status: number }
  | { kind: 'hang' }
  | { kind: 'silent' }
  | { kind: 'delayed-close'; code: number | undefined }

function parseStep(text: string, query: URLSearchParams): Step {
  const [kind = '', arg = ''] = text.split(':')
  const afterMs = Number(query.get('after') ?? 0)
  switch (kind) {
    case 'echo':
    case 'open':
      return { kind: 'open' }
    case 'close':
      return { kind: 'close', code: arg === '' ? undefined : Number(arg), reason: query.get('reason') ?? '', afterMs }
    case 'raw-close':
      return { kind: 'raw-close', code: Number(arg) }
    case 'drop':
      return { kind: 'drop', afterMs }
    case 'drop-on-message':
      return { kind: 'drop-on-message' }
    case 'reject':
      return { kind: 'reject', status: Number(arg) }
    case 'hang':
      return { kind: 'hang' }
    case 'silent':
      return { kind: 'silent' }
    case 'delayed-close':
      return { kind: 'delayed-close', code: arg === '' ? undefined : Number(arg) }
    default:
      return { kind: 'reject', status: 404 }
  }
}

/** Completes the opening handshake by hand (no subprotocol, no extensions), bypassing `ws`. */
function acceptByHand(req: IncomingMessage, socket: Socket): void {
  const accept = createHash('sha1')
    .update(`${req.headers['sec-websocket-key'] ?? ''}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest('base64')
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  )
  socket.on('error', () => socket.destroy())
  socket.on('end', () => socket.end())
}

/** An unmasked (server-to-client) close frame carrying `code`, any 16-bit value. */
function closeFrame(code: number): Buffer {
  const payload = Buffer.alloc(2)
  payload.writeUInt16BE(code & 0xffff)
  return Buffer.concat([Buffer.from([0x88, payload.length]), payload])
}

/**
 * The status code of the first close frame (opcode 8) in `data`, a masked
 * client frame with a short payload; `undefined` until one has arrived whole.
 */
function clientCloseCode(data: Buffer): number | 'none' | undefined {
  if (data.length < 2 || (data[0]! & 0x0f) !== 8) return undefined
  const length = data[1]! & 0x7f
  if (data.length < 6 + length) return undefined
  if (length < 2) return 'none'
  const mask = data.subarray(2, 6)
  return ((data[6]! ^ mask[0]!) << 8) | (data[7]! ^ mask[1]!)
}

export async function startScenarioServer(): Promise<ScenarioServer> {
  const stats = new Map<string, ScenarioStats>()
  /** Close answers held back by `/delayed-close`, by key, until `GET /release/K`. */
  const pendingCloses = new Map<string, () => void>()
  const held = new Set<Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }
  const statsFor = (key: string) => {
    let s = stats.get(key)
    if (!s) {
      s = { connections: 0, received: [], abandoned: 0 }
      stats.set(key, s)
    }
    return s
  }

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    res.setHeader('access-control-allow-origin', '*')
    const release = /^\/release\/([^/]+)$/.exec(url.pathname)
    if (release?.[1]) {
      const key = decodeURIComponent(release[1])
      const answer = pendingCloses.get(key)
      pendingCloses.delete(key)
      answer?.()
      res.statusCode = answer ? 200 : 404
      res.end()
      return
    }
    const match = /^\/stats\/([^/]+)$/.exec(url.pathname)
    if (match?.[1]) {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(stats.get(decodeURIComponent(match[1])) ?? { connections: 0, received: [], abandoned: 0 }))
      return
    }
    res.statusCode = 404
    res.end()
  })
  http.on('connection', (socket) => {
    held.add(socket)
    socket.on('close', () => held.delete(socket))
  })

  const wss = new WebSocketServer({ noServer: true })

  const stepFor = (req: IncomingMessage): { step: Step; key: string | null } => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const query = url.searchParams
    const parts = url.pathname.split('/').filter(Boolean)
    if (parts[0] === 'plan' && parts[1]) {
      const key = decodeURIComponent(parts[1])
      const steps = (query.get('steps') ?? 'open').split(',')
      const n = statsFor(key).connections
      return { step: parseStep(steps[Math.min(n, steps.length - 1)] ?? 'open', query), key }
    }
    const key = query.get('key')
    return { step: parseStep(parts.join(':'), query), key }
  }

  http.on('upgrade', (req, socket: Socket, head) => {
    const { step, key } = stepFor(req)
    const record = key === null ? null : statsFor(key)
    if (record) record.connections++
    if (step.kind === 'hang') {
      let released = false
      socket.on('error', () => socket.destroy())
      socket.on('close', () => {
        if (!released && record) record.abandoned++
      })
      later(HANG_HOLD_MS, () => {
        released = true
        socket.destroy()
      })
      return
    }
    if (step.kind === 'reject') {
      socket.end(`HTTP/1.1 ${step.status} Rejected\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    if (step.kind === 'raw-close') {
      acceptByHand(req, socket)
      socket.write(closeFrame(step.code))
      socket.on('data', () => socket.end())
      return
    }
    if (step.kind === 'delayed-close') {
      acceptByHand(req, socket)
      const serverFirst = step.code
      if (serverFirst !== undefined) socket.write(closeFrame(serverFirst))
      let received = Buffer.alloc(0)
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk])
        const code = clientCloseCode(received)
        if (code === undefined || key === null || pendingCloses.has(key)) return
        record?.received.push(`<close ${code}>`)
        const answer = code === 'none' ? Buffer.from([0x88, 0]) : closeFrame(code)
        pendingCloses.set(key, () => (serverFirst === undefined ? socket.end(answer) : socket.end()))
      })
      return
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('message', (data, isBinary) => {
        record?.received.push(isBinary ? `<binary ${(data as Buffer).length}>` : data.toString())
        if (step.kind === 'open') ws.send(data, { binary: isBinary })
        if (step.kind === 'drop-on-message') ws.terminate()
      })
      if (step.kind === 'close') {
        const { code, reason } = step
        later(step.afterMs, () => (code === undefined ? ws.close() : ws.close(code, reason)))
      }
      if (step.kind === 'drop') later(step.afterMs, () => ws.terminate())
    })
  })

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const address = http.address()
  if (address === null || typeof address === 'string') throw new Error('scenario server has no port')

  return {
    port: address.port,
    async stop() {
      for (const t of timers) clearTimeout(t)
      pendingCloses.clear()
      for (const client of wss.clients) client.terminate()
      for (const socket of held) socket.destroy()
      wss.close()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}
