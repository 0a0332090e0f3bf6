/**
 * The reconnect loop of the soak, shared by Node (test/soak/node.test.ts, with
 * `ws` as the native socket) and Chromium (bundled into the page by
 * test/soak/page.ts). The soak server alternates per connection: odd ones are
 * closed with 1012 at once (the 1012 policy retries after a 1–2 ms backoff),
 * even ones get a `hold` message and the client calls `reconnect()`. Every
 * open also sends a message, and every scheduled retry queues one, so the
 * send queue, the heartbeat, the stable timer and the connect timeout all
 * take part in every cycle.
 */
import { ResilientWebSocket, type WebSocketConstructor, type WebSocketLike } from '../../src/index.js'

type NativeConstructor = WebSocketConstructor

/** What the instrumented native constructor saw. */
export interface NativeCensus {
  created: number
  /** Native sockets collected (FinalizationRegistry callbacks so far). */
  finalized: number
  /** Native sockets not yet closed (weakly held). */
  live(): number
  /** Times a native socket was created while another was CONNECTING or OPEN. */
  doubleSockets: number
}

/**
 * Subclasses the native constructor to count sockets, detect two at once, and
 * learn when old ones are garbage-collected. Holds no strong reference to any
 * socket.
 */
export function instrument(Native: NativeConstructor): { WebSocket: NativeConstructor; census: NativeCensus } {
  const alive = new Set<WeakRef<WebSocketLike>>()
  const census: NativeCensus = {
    created: 0,
    finalized: 0,
    doubleSockets: 0,
    live() {
      let n = 0
      for (const ref of alive) {
        const socket = ref.deref()
        if (socket && socket.readyState <= 1) n++
        else alive.delete(ref)
      }
      return n
    },
  }
  const registry = new FinalizationRegistry<number>(() => {
    census.finalized++
  })
  class Instrumented extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      if (census.live() > 0) census.doubleSockets++
      super(url, protocols)
      census.created++
      alive.add(new WeakRef(this))
      registry.register(this, census.created)
    }
  }
  return { WebSocket: Instrumented, census }
}

/** Timers created through `setTimeout` and still pending. */
export interface TimerCensus {
  pending(): number
  /** Highest `pending()` seen at a cycle boundary. */
  peak: number
  restore(): void
}

/**
 * Wraps the global `setTimeout`/`clearTimeout` to count pending timers created
 * from now on. `include` filters by the creating call's stack (Node runs the
 * test runner's own timers in the same process).
 */
export function countTimers(include: (stack: string) => boolean = () => true): TimerCensus {
  const g = globalThis as unknown as {
    setTimeout: (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown
    clearTimeout: (id: unknown) => void
  }
  const realSet = g.setTimeout
  const realClear = g.clearTimeout
  const pending = new Set<unknown>()
  const census: TimerCensus = {
    peak: 0,
    pending: () => pending.size,
    restore() {
      g.setTimeout = realSet
      g.clearTimeout = realClear
    },
  }
  g.setTimeout = (fn, ms, ...args) => {
    const tracked = include(new Error().stack ?? '')
    const id: unknown = realSet(
      (...a: unknown[]) => {
        pending.delete(id)
        fn(...a)
      },
      ms,
      ...args,
    )
    if (tracked) pending.add(id)
    return id
  }
  g.clearTimeout = (id) => {
    pending.delete(id)
    realClear(id)
  }
  return census
}

/** Listener counts on the wrapper, by event name. */
export function listenerCounts(socket: ResilientWebSocket): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of socket.eventNames()) counts[String(name)] = socket.listenerCount(name)
  return counts
}

export interface CyclerOptions {
  url: string
  WebSocket: NativeConstructor
  timers?: TimerCensus
}

/** One wrapper reconnecting over and over; `run(n)` adds n cycles and stops on a held connection. */
export class Cycler {
  readonly socket: ResilientWebSocket
  opens = 0
  closes = 0
  errors = 0
  finalCloses = 0
  #target = 0
  #reached: (() => void) | undefined
  readonly #timers: TimerCensus | undefined

  constructor({ url, WebSocket, timers }: CyclerOptions) {
    this.#timers = timers
    this.socket = new ResilientWebSocket(url, undefined, {
      WebSocket,
      backoff: { initialDelayMs: 1, maxDelayMs: 2, jitter: 'none' },
      heartbeat: { intervalMs: 60_000, timeoutMs: 1_000 },
      connectTimeoutMs: 10_000,
    })
    this.socket.on('open', () => {
      this.opens++
      this.socket.send(`open ${this.opens}`)
      if (this.#timers) this.#timers.peak = Math.max(this.#timers.peak, this.#timers.pending())
    })
    this.socket.on('message', (event) => {
      if (event.data !== 'hold') return
      if (this.opens >= this.#target && this.#reached) {
        const reached = this.#reached
        this.#reached = undefined
        reached()
        return
      }
      this.socket.reconnect()
    })
    this.socket.on('reconnecting', () => this.socket.send('queued while reconnecting'))
    this.socket.on('close', (event) => {
      this.closes++
      if (!event.willReconnect) this.finalCloses++
    })
    this.socket.on('error', () => {
      this.errors++
    })
  }

  /** Runs at least `cycles` more opens; resolves on a held (open, idle) connection. */
  run(cycles: number): Promise<void> {
    this.#target = this.opens + cycles
    return new Promise((resolve) => {
      this.#reached = resolve
      // Idle on a held connection (the previous run ended there): start the loop again.
      if (this.socket.readyState === ResilientWebSocket.OPEN) this.socket.reconnect()
    })
  }

  /** Closes for good; resolves on the final close. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve())
      this.socket.close()
    })
  }
}
