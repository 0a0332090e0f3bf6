/**
 * The network the fault-injection suite breaks on purpose, all on 127.0.0.1:
 *
 * - a **target** `ws` server that can be killed (every TCP connection reset, no
 *   close frame, listener closed) or restarted with 1012 to every client, and
 *   brought back on the same port — a process restart as clients see it;
 * - a **TCP proxy** in front of it that cuts connections at seeded random byte
 *   offsets (mid-handshake, mid-frame), with a reset or a bare FIN;
 * - a **control** HTTP server that stays up through all of it: per-client
 *   statistics, restart storms run server-side (so their timing does not
 *   depend on the page), proxy settings, and the suite's results.
 *
 * A client describes what the target does with its connections in the URL:
 * `/?key=K&steps=a,b,c` — connection n of key K follows step n, the last step
 * repeats. Steps: `echo`; `reject:STATUS` (HTTP answer to the upgrade); `hang`
 * (never answer it); `half-open` (echo for `after` ms, then stop reading and
 * sending, keeping the TCP connection up); `slow` (answer the upgrade and every
 * frame `delay` ms late); `close:CODE` (echo; after `after` ms stop reading,
 * send a close frame with CODE, and end the TCP connection `linger` ms later,
 * so the page's socket stays CLOSING that long). Messages are `<id>|<padding>`; the target records
 * the ids per key and echoes whole messages; `ping` gets `pong`.
 *
 * Everything the lab holds (timers, sockets, servers) ends with `stop()`, and
 * sockets it keeps on purpose (hung, half-open) are destroyed after at most
 * `HOLD_MS` anyway.
 */
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http'
import { connect, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'
import { mulberry32, seedOf } from '../support/random.js'

/** Longest a deliberately stuck socket (hung handshake, half-open) is kept. */
const HOLD_MS = 10_000
/** Longest a 1012 restart waits for clients to finish the closing handshake. */
const CLOSE_GRACE_MS = 1_000
/** Longest any one storm may run, whatever its parameters. */
const STORM_LIMIT_MS = 30_000

export interface KeyStats {
  /** Upgrade requests that reached the target for this key. */
  connections: number
  /** Message ids received, in arrival order (pings excluded). */
  received: string[]
}

export interface FaultLab {
  controlPort: number
  targetPort: number
  proxyPort: number
  /** Result rows the suite posted to `/results`, in order. */
  results: unknown[]
  stop(): Promise<void>
}

type Step =
  | { kind: 'echo' }
  | { kind: 'reject'; status: number }
  | { kind: 'hang' }
  | { kind: 'half-open'; afterMs: number }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'close'; code: number; afterMs: number; lingerMs: number }

function parseStep(text: string, query: URLSearchParams): Step {
  const [kind = '', arg = ''] = text.split(':')
  switch (kind) {
    case 'reject':
      return { kind: 'reject', status: Number(arg) }
    case 'hang':
      return { kind: 'hang' }
    case 'half-open':
      return { kind: 'half-open', afterMs: Number(query.get('after') ?? 300) }
    case 'slow':
      return { kind: 'slow', delayMs: Number(query.get('delay') ?? 100) }
    case 'close':
      return {
        kind: 'close',
        code: Number(arg),
        afterMs: Number(query.get('after') ?? 300),
        lingerMs: Number(query.get('linger') ?? 200),
      }
    default:
      return { kind: 'echo' }
  }
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

function listen(server: HttpServer | TcpServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      const address = server.address()
      if (address === null || typeof address === 'string') reject(new Error('no port'))
      else resolve(address.port)
    })
  })
}

/** Timers owned by the lab: all cleared by `clear()`. */
class Timers {
  readonly #pending = new Set<ReturnType<typeof setTimeout>>()
  later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#pending.delete(timer)
      fn()
    }, ms)
    this.#pending.add(timer)
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve))
  }
  clear(): void {
    for (const timer of this.#pending) clearTimeout(timer)
    this.#pending.clear()
  }
}

/** The `ws` server that gets killed and restarted; its statistics outlive every incarnation. */
class Target {
  port = 0
  readonly stats = new Map<string, KeyStats>()
  readonly #timers: Timers
  readonly #wss = new WebSocketServer({ noServer: true })
  #http: HttpServer | null = null
  /** Every TCP connection of the current incarnation (upgraded or not). */
  readonly #sockets = new Set<Socket>()

  constructor(timers: Timers) {
    this.#timers = timers
  }

  statsFor(key: string): KeyStats {
    let stats = this.stats.get(key)
    if (!stats) {
      stats = { connections: 0, received: [] }
      this.stats.set(key, stats)
    }
    return stats
  }

  get up(): boolean {
    return this.#http !== null
  }

  /** Listens again on the same port (port 0 the first time). */
  async start(): Promise<void> {
    if (this.#http) return
    const http = createHttpServer((_req, res) => {
      res.statusCode = 426
      res.end()
    })
    http.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
    http.on('upgrade', (req, socket: Socket, head) => this.#upgrade(req, socket, head))
    this.#http = http
    this.port = await listen(http, this.port)
  }

  /**
   * Goes down. `reset`: every TCP connection is reset at once (no close frame),
   * like a killed process. `1012`: every client gets a 1012 close frame first,
   * like a graceful restart; whatever is still open after the grace period is
   * destroyed.
   */
  async stop(how: 'reset' | '1012'): Promise<void> {
    const http = this.#http
    if (!http) return
    this.#http = null
    const closed = new Promise<void>((resolve) => http.close(() => resolve()))
    if (how === '1012') {
      for (const client of this.#wss.clients) client.close(1012, 'Service Restart')
      const deadline = Date.now() + CLOSE_GRACE_MS
      while (this.#sockets.size > 0 && Date.now() < deadline) await this.#timers.sleep(10)
    }
    for (const socket of this.#sockets) socket.resetAndDestroy()
    this.#sockets.clear()
    await closed
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const key = url.searchParams.get('key') ?? 'anonymous'
    const steps = (url.searchParams.get('steps') ?? 'echo').split(',')
    const stats = this.statsFor(key)
    const step = parseStep(steps[Math.min(stats.connections, steps.length - 1)] ?? 'echo', url.searchParams)
    stats.connections++
    socket.on('error', () => socket.destroy())
    switch (step.kind) {
      case 'reject':
        socket.end(
          `HTTP/1.1 ${step.status} ${STATUS_TEXT[step.status] ?? 'Rejected'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        )
        return
      case 'hang':
        this.#timers.later(HOLD_MS, () => socket.destroy())
        return
      case 'slow':
        this.#timers.later(step.delayMs, () => {
          if (!socket.destroyed) this.#wss.handleUpgrade(req, socket, head, (ws) => this.#serve(ws, stats, step))
        })
        return
      default:
        this.#wss.handleUpgrade(req, socket, head, (ws) => this.#serve(ws, stats, step))
    }
  }

  #serve(ws: WebSocket, stats: KeyStats, step: Step): void {
    let silent = false
    if (step.kind === 'half-open') {
      this.#timers.later(step.afterMs, () => {
        // Stop reading and sending; the TCP connection stays up until HOLD_MS.
        silent = true
        ws.pause()
        this.#timers.later(HOLD_MS, () => ws.terminate())
      })
    }
    if (step.kind === 'close') {
      const { code, lingerMs } = step
      this.#timers.later(step.afterMs, () => {
        ws.pause()
        ws.close(code, 'Closed by the fault lab')
        this.#timers.later(lingerMs, () => ws.terminate())
      })
    }
    const delayMs = step.kind === 'slow' ? step.delayMs : 0
    ws.on('message', (data, isBinary) => {
      if (silent) return
      const text = isBinary ? '' : data.toString()
      const reply = text === 'ping' ? 'pong' : text
      if (text !== 'ping') stats.received.push(text.split('|', 1)[0] ?? '')
      if (delayMs === 0) ws.send(reply)
      else this.#timers.later(delayMs, () => ws.readyState === 1 && ws.send(reply))
    })
  }
}

export interface ProxySettings {
  /** Seed of the cut points (combined with the client's key and connection number). */
  seed: number
  /** Cuts left to make; after that the proxy only forwards. */
  cuts: number
  /** A connection is cut after a byte count (both directions together) drawn log-uniformly from [minBytes, maxBytes). */
  minBytes: number
  maxBytes: number
}

/**
 * A TCP proxy to the target that cuts connections at seeded random offsets:
 * the byte budget of a connection is drawn from a generator seeded with the
 * settings' seed, the client's key (read from the request line) and its
 * connection number, so a run cuts the same connections at the same offsets
 * up to the interleaving of the two directions.
 */
class CuttingProxy {
  readonly server: TcpServer
  settings: ProxySettings = { seed: 1, cuts: 0, minBytes: 0, maxBytes: 0 }
  made = 0
  /** Cuts made before the upgrade response had been forwarded whole. */
  madeInHandshake = 0
  readonly #perKey = new Map<string, number>()
  readonly #sockets = new Set<Socket>()

  constructor(targetPort: () => number) {
    this.server = createTcpServer((client) => {
      const upstream = connect(targetPort(), '127.0.0.1')
      this.#sockets.add(client).add(upstream)
      let budget = Number.POSITIVE_INFINITY
      let reset = false
      let decided = false
      let forwarded = 0
      let cut = false
      let upgraded = false
      let response = ''
      const cutNow = () => {
        cut = true
        this.made++
        if (!upgraded) this.madeInHandshake++
        this.settings.cuts--
        upstream.destroy()
        if (reset) client.resetAndDestroy()
        else client.end(() => client.destroy())
      }
      const pass = (chunk: Buffer, to: Socket) => {
        if (cut || to.destroyed) return
        const room = budget - forwarded
        if (this.settings.cuts <= 0 || chunk.length < room) {
          forwarded += chunk.length
          to.write(chunk)
          return
        }
        to.write(chunk.subarray(0, room))
        forwarded = budget
        cutNow()
      }
      client.on('data', (chunk: Buffer) => {
        if (!decided) {
          decided = true
          const key = /[?&]key=([^& ]+)/.exec(chunk.toString('latin1', 0, Math.min(chunk.length, 512)))?.[1] ?? ''
          const n = this.#perKey.get(key) ?? 0
          this.#perKey.set(key, n + 1)
          const random = mulberry32(seedOf(`${this.settings.seed}/${key}/${n}`))
          // Log-uniform, so short budgets that end inside the opening handshake (~700 bytes) are common.
          const minBytes = Math.max(1, this.settings.minBytes)
          const maxBytes = Math.max(minBytes, this.settings.maxBytes)
          budget = Math.floor(minBytes * (maxBytes / minBytes) ** random())
          reset = random() < 0.5
        }
        pass(chunk, upstream)
      })
      upstream.on('data', (chunk: Buffer) => {
        if (!upgraded) {
          response += chunk.toString('latin1')
          upgraded = response.includes('\r\n\r\n') && forwarded + chunk.length <= budget
        }
        pass(chunk, client)
      })
      const forget = (socket: Socket) => () => {
        this.#sockets.delete(socket)
        if (socket === client) upstream.destroy()
        else if (!cut) client.end(() => client.destroy())
      }
      client.on('close', forget(client))
      upstream.on('close', forget(upstream))
      client.on('error', () => client.destroy())
      upstream.on('error', () => upstream.destroy())
    })
  }

  configure(settings: ProxySettings): void {
    this.settings = settings
    this.made = 0
    this.madeInHandshake = 0
  }

  reset(): void {
    this.configure({ seed: 1, cuts: 0, minBytes: 0, maxBytes: 0 })
    this.#perKey.clear()
  }

  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy()
    this.#sockets.clear()
  }
}

export interface StormSettings {
  how: 'reset' | '1012'
  cycles: number
  seed: number
  /** Time up between restarts, drawn from [upMinMs, upMaxMs). */
  upMinMs: number
  upMaxMs: number
  /** Time down, drawn from [downMinMs, downMaxMs). */
  downMinMs: number
  downMaxMs: number
}

function numberParam(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name)
  return value === null ? fallback : Number(value)
}

export async function startFaultLab(): Promise<FaultLab> {
  const timers = new Timers()
  const target = new Target(timers)
  await target.start()
  const proxy = new CuttingProxy(() => target.port)
  const proxyPort = await listen(proxy.server, 0)
  const results: unknown[] = []
  let storming = false

  /** Kills (or 1012-restarts) the target `cycles` times; bounded by STORM_LIMIT_MS. */
  const storm = async (settings: StormSettings) => {
    const random = mulberry32(settings.seed)
    const between = (min: number, max: number) => Math.floor(min + random() * (max - min))
    const started = Date.now()
    const log: { downAt: number; upAt: number }[] = []
    for (let i = 0; i < settings.cycles && Date.now() - started < STORM_LIMIT_MS; i++) {
      await timers.sleep(between(settings.upMinMs, settings.upMaxMs))
      const downAt = Date.now()
      await target.stop(settings.how)
      await timers.sleep(between(settings.downMinMs, settings.downMaxMs))
      await target.start()
      log.push({ downAt, upAt: Date.now() })
    }
    return log
  }

  const control = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const query = url.searchParams
    res.setHeader('access-control-allow-origin', '*')
    res.setHeader('content-type', 'application/json')
    const reply = (body: unknown, status = 200) => {
      res.statusCode = status
      res.end(JSON.stringify(body))
    }
    switch (url.pathname) {
      case '/stats':
        reply(target.statsFor(query.get('key') ?? ''))
        return
      case '/storm': {
        if (storming) {
          reply({ error: 'a storm is already running' }, 409)
          return
        }
        storming = true
        const settings: StormSettings = {
          how: query.get('how') === '1012' ? '1012' : 'reset',
          cycles: Math.min(numberParam(query, 'cycles', 1), 50),
          seed: numberParam(query, 'seed', 1),
          upMinMs: numberParam(query, 'upMin', 200),
          upMaxMs: numberParam(query, 'upMax', 500),
          downMinMs: numberParam(query, 'downMin', 50),
          downMaxMs: numberParam(query, 'downMax', 300),
        }
        storm(settings)
          .then((log) => reply({ cycles: log.length, log }))
          .catch((error: unknown) => reply({ error: String(error) }, 500))
          .finally(() => {
            storming = false
          })
        return
      }
      case '/proxy':
        proxy.configure({
          seed: numberParam(query, 'seed', 1),
          cuts: numberParam(query, 'cuts', 0),
          minBytes: numberParam(query, 'minBytes', 200),
          maxBytes: numberParam(query, 'maxBytes', 20_000),
        })
        reply({ ok: true })
        return
      case '/proxy-stats':
        reply({ cuts: proxy.made, inHandshake: proxy.madeInHandshake, left: proxy.settings.cuts })
        return
      case '/reset':
        // A fresh start for a test file (watch mode reruns it against the same lab).
        target.stats.clear()
        proxy.reset()
        results.length = 0
        reply({ ok: true })
        return
      case '/results': {
        if (req.method !== 'POST') {
          reply(results)
          return
        }
        let body = ''
        req.on('data', (chunk: Buffer) => {
          body += chunk.toString()
        })
        req.on('end', () => {
          results.push(JSON.parse(body))
          reply({ ok: true })
        })
        return
      }
      default:
        reply({ error: 'not found' }, 404)
    }
  })
  const controlPort = await listen(control, 0)

  return {
    controlPort,
    get targetPort() {
      return target.port
    },
    proxyPort,
    results,
    async stop() {
      timers.clear()
      proxy.destroyAll()
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()))
      await target.stop('reset')
      control.closeAllConnections()
      await new Promise<void>((resolve) => control.close(() => resolve()))
    },
  }
}
