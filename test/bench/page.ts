/**
 * The in-page half of the benchmark, bundled by esbuild and served as
 * /harness.js. Node drives it over the DevTools protocol (`bench.*` calls via
 * Runtime.evaluate). Every measured run gets a fresh page that loads only the
 * one library it measures, so subjects never share JIT feedback or garbage.
 */

import type { Subject } from './subjects.js'

/** `plain`: defaults; `fast`: reconnect with no delay; `queue`: unbounded send queue. */
export type Mode = 'plain' | 'fast' | 'queue'

interface Handlers {
  message(data: unknown): void
  open(): void
}

interface Client {
  send(data: string): void
  close(): void
}

type Factory = (lib: any, url: string, binary: boolean, mode: Mode, h: Handlers) => Client

/** The bundle each subject loads (native needs none). */
export const LIBRARY_OF: Record<Subject, string | null> = {
  native: null,
  'native-addEventListener': null,
  ours: 'ours',
  'ours-on': 'ours',
  'ours-addEventListener': 'ours',
  'ours-onmessage': 'ours',
  'ours-base': 'ours-base',
  'reconnecting-websocket': 'reconnecting-websocket',
  partysocket: 'partysocket',
  'websocket-ts': 'websocket-ts',
  sockette: 'sockette',
}

const binaryType = (binary: boolean): BinaryType => (binary ? 'arraybuffer' : 'blob')

/** A bare native reconnect loop: a new socket one task after every close. */
function nativeLoop(url: string, binary: boolean, h: Handlers, viaListener: boolean): Client {
  let closed = false
  let ws: WebSocket
  const connect = () => {
    ws = new WebSocket(url)
    ws.binaryType = binaryType(binary)
    if (viaListener) {
      ws.addEventListener('open', () => h.open())
      ws.addEventListener('message', (e) => h.message(e.data))
      ws.addEventListener('close', () => closed || setTimeout(connect, 0))
    } else {
      ws.onopen = () => h.open()
      ws.onmessage = (e) => h.message(e.data)
      ws.onclose = () => closed || setTimeout(connect, 0)
    }
  }
  connect()
  return {
    send: (data) => ws.send(data),
    close() {
      closed = true
      ws.close()
    },
  }
}

/** Options for our class: no delay between reconnects (`fast`), or no queue limits (`queue`). */
function oursOptions(mode: Mode): object {
  if (mode === 'fast') {
    const backoff = { initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' }
    return { backoff, policies: { 4000: { action: 'retry', backoff } } }
  }
  if (mode === 'queue') return { buffer: { maxMessages: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY } }
  return {}
}

function ours(listen: 'on' | 'addEventListener' | 'onmessage'): Factory {
  return (lib, url, binary, mode, h) => {
    const ws = new lib.ResilientWebSocket(url, undefined, oursOptions(mode))
    ws.binaryType = binaryType(binary)
    ws.on('open', () => h.open())
    if (listen === 'on') ws.on('message', (e: MessageEvent) => h.message(e.data))
    else if (listen === 'addEventListener') ws.addEventListener('message', (e: MessageEvent) => h.message(e.data))
    else ws.onmessage = (e: MessageEvent) => h.message(e.data)
    return ws
  }
}

/** reconnecting-websocket and partysocket share one API (partysocket/ws is its fork). */
const rwsLike: Factory = (lib, url, binary, mode, h) => {
  const options = mode === 'fast' ? { minReconnectionDelay: 0, maxReconnectionDelay: 0 } : {}
  const ws = new lib.default(url, undefined, options)
  ws.binaryType = binaryType(binary)
  ws.addEventListener('open', () => h.open())
  ws.addEventListener('message', (e: MessageEvent) => h.message(e.data))
  return ws
}

const FACTORIES: Record<Subject, Factory> = {
  native: (_lib, url, binary, _mode, h) => nativeLoop(url, binary, h, false),
  'native-addEventListener': (_lib, url, binary, _mode, h) => nativeLoop(url, binary, h, true),
  ours: ours('on'),
  'ours-on': ours('on'),
  'ours-addEventListener': ours('addEventListener'),
  'ours-onmessage': ours('onmessage'),
  'ours-base': ours('on'),
  'reconnecting-websocket': rwsLike,
  partysocket: rwsLike,
  'websocket-ts': (lib, url, binary, mode, h) => {
    let builder = new lib.WebsocketBuilder(url)
    if (mode === 'fast') builder = builder.withBackoff(new lib.ConstantBackoff(0))
    if (mode === 'queue') builder = builder.withBuffer(new lib.ArrayQueue())
    const ws = builder
      .onOpen(() => h.open())
      .onMessage((_ws: unknown, e: MessageEvent) => h.message(e.data))
      .build()
    ws.binaryType = binaryType(binary)
    return ws
  },
  // sockette binds `onmessage` straight to the native socket; `timeout: 0` means its 1 s default, so 1 ms.
  sockette: (lib, url, binary, mode, h) => {
    const ws = lib.default(url, {
      timeout: mode === 'fast' ? 1 : 1000,
      onopen: (e: Event) => {
        ;(e.target as WebSocket).binaryType = binaryType(binary)
        h.open()
      },
      onmessage: (e: MessageEvent) => h.message(e.data),
    })
    return ws
  },
}

// ---- the state of the one client this page measures ------------------------------------------

let subject: Subject = 'native'
let lib: unknown = null
let client: Client | null = null
let opens = 0
let onOpen: (() => void) | null = null
let onData: (data: unknown) => void = () => {}
/** For the queue benchmark: when the native socket's `open` event started. */
let nativeOpenAt = 0

const now = () => performance.now()

function within<T>(ms: number, what: string, executor: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${subject}: ${what} did not finish within ${ms} ms`)), ms)
    executor((value) => {
      clearTimeout(timer)
      resolve(value)
    })
  })
}

/** The next task: lets the current one (e.g. an `open` dispatch and its flush) finish first. */
function nextTask(): Promise<number> {
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => resolve(now())
    channel.port2.postMessage(0)
  })
}

const bench = {
  crossOriginIsolated: globalThis.crossOriginIsolated,

  /** Loads the subject's library; `timedOpen` first wraps WebSocket to time-stamp native `open` events. */
  async load(name: Subject, timedOpen = false): Promise<void> {
    subject = name
    if (timedOpen) {
      const Native = globalThis.WebSocket
      globalThis.WebSocket = class TimedWebSocket extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols)
          this.addEventListener('open', () => {
            nativeOpenAt = now()
          })
        }
      }
    }
    const file = LIBRARY_OF[name]
    lib = file === null ? null : await import(`/lib/${file}.js`)
  },

  /** Creates the client on `path`; resolves at its first `open` unless `waitOpen` is false. */
  async connect(path: string, binary: boolean, mode: Mode, waitOpen = true): Promise<void> {
    opens = 0
    const url = `ws://${location.host}${path}`
    const opened = within<void>(10_000, 'connect', (resolve) => {
      onOpen = resolve
    })
    client = FACTORIES[subject](lib, url, binary, mode, {
      message: (data) => onData(data),
      open: () => {
        opens++
        onOpen?.()
      },
    })
    if (waitOpen) await opened
    else opened.catch(() => {})
  },

  /** Asks /blast for `count` messages and resolves when all arrived. */
  blast(count: number, size: number, binary: boolean): Promise<{ ms: number; received: number; bytes: number }> {
    let received = 0
    let bytes = 0
    let t0 = 0
    return within(120_000, 'blast', (resolve) => {
      onData = (data) => {
        bytes += typeof data === 'string' ? data.length : (data as ArrayBuffer).byteLength
        if (++received === count) resolve({ ms: now() - t0, received, bytes })
      }
      t0 = now()
      client!.send(`blast:${count}:${size}:${binary ? 'binary' : 'text'}`)
    })
  },

  /** Asks /sink how many messages it got (and whether `q:<i>` ones were in order) since the last report. */
  report(): Promise<{ received: number; ordered: boolean }> {
    return within(60_000, 'report', (resolve) => {
      onData = (data) => {
        const [, count, ordered] = String(data).split(':')
        resolve({ received: Number(count), ordered: ordered === '1' })
      }
      client!.send('report')
    })
  },

  /** `count` sends of one small message while OPEN; then the server confirms it got them all. */
  async sendLoop(count: number, size: number): Promise<{ ms: number; drainMs: number; received: number }> {
    const message = 'x'.repeat(size)
    const c = client!
    const t0 = now()
    for (let i = 0; i < count; i++) c.send(message)
    const ms = now() - t0
    const { received } = await bench.report()
    return { ms, drainMs: now() - t0, received }
  },

  /**
   * `count` sends while the handshake is held by the server (the socket is
   * CONNECTING), timed in chunks of `chunk` sends: µs per send at each queue depth.
   */
  queueFill(count: number, chunk: number): { ms: number; usPerSend: number[] } {
    const messages: string[] = []
    for (let i = 0; i < count; i++) messages.push(`q:${i}`)
    const c = client!
    const marks: number[] = []
    const t0 = now()
    marks.push(t0)
    for (let i = 0; i < count; ) {
      const end = Math.min(count, i + chunk)
      for (; i < end; i++) c.send(messages[i]!)
      marks.push(now())
    }
    const usPerSend = marks.slice(1).map((t, k) => ((t - marks[k]!) * 1000) / Math.min(chunk, count - k * chunk))
    return { ms: marks[marks.length - 1]! - t0, usPerSend }
  },

  /** Lets the held handshake complete; times the flush from the native `open` to the end of that task. */
  async queueFlush(release: string): Promise<{ flushMs: number; received: number; ordered: boolean }> {
    // The app's open listener may run before or after the library's flush (websocket-ts flushes after
    // dispatching open): the flush is over when the task of the native open event is.
    const taskEnd = within<number>(30_000, 'flush', (resolve) => {
      onOpen = () => {
        nextTask().then(resolve)
      }
    })
    await fetch(release)
    const end = await taskEnd
    const flushMs = end - nativeOpenAt
    const { received, ordered } = await bench.report()
    return { flushMs, received, ordered }
  },

  /** Sends `go` on the held first connection of /cycle, and resolves when `cycles` reconnects opened. */
  cycle(cycles: number): Promise<{ ms: number; opens: number }> {
    const before = opens
    let t0 = 0
    return within(300_000, 'reconnect cycles', (resolve) => {
      onOpen = () => {
        if (opens - before === cycles) resolve({ ms: now() - t0, opens: opens - before })
      }
      t0 = now()
      client!.send('go')
    })
  },

  close(): void {
    onOpen = null
    onData = () => {}
    client?.close()
    client = null
  },
}

;(globalThis as { bench?: typeof bench }).bench = bench
