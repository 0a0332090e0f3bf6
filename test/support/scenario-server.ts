/**
 * A real `ws` server for browser tests. The request path says how the server
 * behaves for that connection, so a test describes its scenario in the URL it
 * hands to the socket under test:
 *
 * - `/echo` — echo every message back (binary stays binary).
 * - `/close/:code?reason=…&after=ms` — accept, then close with that code.
 * - `/drop?after=ms` — accept, then destroy the TCP connection without a close frame.
 * - `/reject/:status` — answer the upgrade with that HTTP status (401, 503, …).
 * - `/hang` — never answer the upgrade request.
 * - `/silent` — accept and never send anything (for heartbeat tests).
 * - `/plan/:key?steps=a,b,c` — connection n of `key` follows step n (the last
 *   step repeats): `open` (echo), `close:CODE`, `drop`, `reject:STATUS`, `hang`.
 *
 * Every connection whose URL has `key=K` (or a `/plan/K` path) is counted, and
 * the messages it receives are recorded; `GET /stats/K` returns them as JSON.
 * Every timer and held socket belongs to the server and ends with `stop()`.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'

export interface ScenarioStats {
  connections: number
  received: string[]
}

export interface ScenarioServer {
  port: number
  stop(): Promise<void>
}

type Step =
  | { kind: 'open' }
  | { kind: 'close'; code: number; reason: string; afterMs: number }
  | { kind: 'drop'; afterMs: number }
  | { kind: 'reject'; status: number }
  | { kind: 'hang' }
  | { kind: 'silent' }

function parseStep(text: string, query: URLSearchParams): Step {
  const [kind = '', arg = ''] = text.split(':')
  const afterMs = Number(query.get('after') ?? 0)
  switch (kind) {
    case 'echo':
    case 'open':
      return { kind: 'open' }
    case 'close':
      return { kind: 'close', code: Number(arg), reason: query.get('reason') ?? '', afterMs }
    case 'drop':
      return { kind: 'drop', afterMs }
    case 'reject':
      return { kind: 'reject', status: Number(arg) }
    case 'hang':
      return { kind: 'hang' }
    case 'silent':
      return { kind: 'silent' }
    default:
      return { kind: 'reject', status: 404 }
  }
}

export async function startScenarioServer(): Promise<ScenarioServer> {
  const stats = new Map<string, ScenarioStats>()
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
      s = { connections: 0, received: [] }
      stats.set(key, s)
    }
    return s
  }

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    res.setHeader('access-control-allow-origin', '*')
    const match = /^\/stats\/([^/]+)$/.exec(url.pathname)
    if (match?.[1]) {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(stats.get(decodeURIComponent(match[1])) ?? { connections: 0, received: [] }))
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
    if (step.kind === 'hang') return // held until stop()
    if (step.kind === 'reject') {
      socket.end(`HTTP/1.1 ${step.status} Rejected\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('message', (data, isBinary) => {
        record?.received.push(isBinary ? `<binary ${(data as Buffer).length}>` : data.toString())
        if (step.kind === 'open') ws.send(data, { binary: isBinary })
      })
      if (step.kind === 'close') later(step.afterMs, () => ws.close(step.code, step.reason))
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
      for (const client of wss.clients) client.terminate()
      for (const socket of held) socket.destroy()
      wss.close()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}
