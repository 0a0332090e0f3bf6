/**
 * The page half of the fault suite: a `Probe` is one ResilientWebSocket with
 * an instrumented native constructor (passed as `options.WebSocket`) and a
 * message pump. It records, per message, whether `send()` queued it, which
 * native socket it was handed to and in what state, and whether a `drop`
 * event reported it; the server's record of what arrived then classifies
 * every message (see `FaultRow`).
 */
import { inject } from 'vitest'
import { ResilientWebSocket, type ResilientWebSocketOptions } from '../../src/index.js'
import { eventually } from '../support/wait.js'
import type { KeyStats } from './fault-lab.js'
import type { FaultRow } from './results.js'

export const controlPort = inject('faultControlPort')
export const targetPort = inject('faultTargetPort')
export const proxyPort = inject('faultProxyPort')

/** Upper bound for any wait in this suite. */
export const WAIT_MS = 20_000

const control = (path: string) => `http://127.0.0.1:${controlPort}${path}`

export async function controlGet<T>(path: string): Promise<T> {
  const response = await fetch(control(path))
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`)
  return (await response.json()) as T
}

export async function postResult(row: FaultRow): Promise<void> {
  await fetch(control('/results'), { method: 'POST', body: JSON.stringify(row) })
}

export function serverStats(key: string): Promise<KeyStats> {
  return controlGet<KeyStats>(`/stats?key=${encodeURIComponent(key)}`)
}

let keys = 0
/**
 * A key no other client of this run uses. Keys are the same from run to run
 * (the proxy seeds its cut points with them); `/reset` clears the lab's
 * statistics before the suite starts.
 */
export function uniqueKey(label: string): string {
  keys += 1
  return `${label}-${keys}`
}

/** The target's address for a client (`via: 'proxy'` goes through the cutting proxy). */
export function targetUrl(key: string, steps = 'echo', extra = '', via: 'direct' | 'proxy' = 'direct'): string {
  const port = via === 'proxy' ? proxyPort : targetPort
  return `ws://127.0.0.1:${port}/?key=${encodeURIComponent(key)}&steps=${steps}${extra}`
}

const idOf = (data: unknown): string | null =>
  typeof data === 'string' && data.startsWith('m') ? (data.split('|', 1)[0] ?? null) : null

export interface ProbeOptions {
  /** Options for the socket under test (`WebSocket` is set by the probe). */
  options?: ResilientWebSocketOptions
  /** Padding length of each message, from the message number (default none). */
  padding?: (seq: number) => number
}

export class Probe {
  readonly key: string
  readonly socket: ResilientWebSocket
  /** Every native socket this client created, in order. */
  readonly natives: WebSocket[] = []
  doubleSockets = 0
  readonly sent: string[] = []
  readonly queued = new Set<string>()
  /** Ids handed to a native socket that was OPEN at the time. */
  readonly handed = new Set<string>()
  /** Ids handed to a native socket that was not OPEN (the browser discards those). */
  readonly handedToNonOpen = new Set<string>()
  /** Ids handed to a native socket more than once. */
  handedTwice = 0
  /** Ids handed to a native socket after a later one had been. */
  handedOutOfOrder = 0
  #highestHanded = 0
  readonly dropped = new Set<string>()
  readonly errors: string[] = []
  readonly closes: { code: number; willReconnect: boolean }[] = []
  retries = 0
  opens = 0
  readonly outagesMs: number[] = []
  /** Native constructor → its open or error event, per native socket that got either. */
  readonly handshakesMs: number[] = []
  #outageSince: number | null = null
  #seq = 0
  #pump: ReturnType<typeof setInterval> | undefined
  readonly #padding: (seq: number) => number

  /** `label` names the client (a unique key is made from it); `url` gives its address from that key. */
  constructor(label: string, url: (key: string) => string, { options = {}, padding = () => 0 }: ProbeOptions = {}) {
    const key = uniqueKey(label)
    this.key = key
    this.#padding = padding
    const probe = this
    const Native = globalThis.WebSocket
    class ProbedWebSocket extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        if (probe.natives.some((s) => s.readyState === Native.CONNECTING || s.readyState === Native.OPEN)) {
          probe.doubleSockets++
        }
        super(url, protocols)
        probe.natives.push(this)
        const started = performance.now()
        let done = false
        const settled = () => {
          if (!done) probe.handshakesMs.push(performance.now() - started)
          done = true
        }
        this.addEventListener('open', settled, { once: true })
        this.addEventListener('error', settled, { once: true })
      }
      override send(data: Parameters<WebSocket['send']>[0]): void {
        const id = idOf(data)
        if (id !== null) {
          if (probe.handed.has(id) || probe.handedToNonOpen.has(id)) probe.handedTwice++
          else if (Number(id.slice(1)) < probe.#highestHanded) probe.handedOutOfOrder++
          probe.#highestHanded = Math.max(probe.#highestHanded, Number(id.slice(1)))
          if (this.readyState === Native.OPEN) probe.handed.add(id)
          else probe.handedToNonOpen.add(id)
        }
        super.send(data)
      }
    }
    this.socket = new ResilientWebSocket(url(key), undefined, { ...options, WebSocket: ProbedWebSocket })
    this.socket.on('open', () => {
      this.opens++
      if (this.#outageSince !== null) this.outagesMs.push(performance.now() - this.#outageSince)
      this.#outageSince = null
    })
    this.socket.on('close', (event) => {
      this.closes.push({ code: event.code, willReconnect: event.willReconnect })
      if (event.willReconnect) this.#outageSince ??= performance.now()
    })
    this.socket.on('reconnecting', () => {
      this.retries++
    })
    this.socket.on('drop', (event) => {
      const id = idOf(event.data)
      if (id !== null) this.dropped.add(id)
    })
    this.socket.on('error', (event) => {
      const error = event.error as { name?: string } | undefined
      this.errors.push(error?.name ?? 'native')
    })
  }

  /** Sends the next numbered message; returns its id. */
  sendNext(): string {
    this.#seq++
    const id = `m${this.#seq}`
    const pad = this.#padding(this.#seq)
    this.sent.push(id)
    this.socket.send(pad > 0 ? `${id}|${'x'.repeat(pad)}` : id)
    if (!this.handed.has(id) && !this.handedToNonOpen.has(id)) this.queued.add(id)
    return id
  }

  /**
   * Sends a message every `intervalMs` until `stopPump()`, or until the socket
   * is CLOSED (`send()` then discards data, like native). It keeps sending
   * while CLOSING because the server's close frame arrived: the wrapper queues
   * those messages, and they must arrive or be reported by a drop event.
   */
  startPump(intervalMs: number): void {
    this.stopPump()
    this.#pump = setInterval(() => {
      if (this.socket.readyState === ResilientWebSocket.CLOSED) this.stopPump()
      else this.sendNext()
    }, intervalMs)
  }

  stopPump(): void {
    clearInterval(this.#pump)
    this.#pump = undefined
  }

  /**
   * Waits until the client is OPEN again and a last message sent on that
   * connection has reached the server: everything handed to that connection
   * before it has arrived too (one TCP stream, in order).
   */
  async recover(timeout = WAIT_MS): Promise<void> {
    this.stopPump()
    // A connection that looked OPEN may turn out dead (WebKitGTK can keep one OPEN after its
    // TCP connection was cut, until the heartbeat notices): then the last message is lost in
    // flight with it, and one more is sent on the connection that replaces it.
    for (let round = 1; ; round++) {
      await eventually(() => {
        if (this.socket.readyState !== ResilientWebSocket.OPEN) throw new Error(`${this.key} not open again`)
      }, timeout)
      const opens = this.opens
      const last = this.sendNext()
      const delivered = await eventually(async () => {
        if ((await serverStats(this.key)).received.includes(last)) return true
        if (this.opens !== opens && round < 3) return false
        throw new Error(`${this.key}: ${last} not delivered yet`)
      }, timeout)
      if (delivered) return
    }
  }

  /** Closes for good and waits for the final close. */
  async close(): Promise<void> {
    this.stopPump()
    if (this.closes.some((c) => !c.willReconnect)) return
    this.socket.close()
    await eventually(() => {
      if (!this.closes.some((c) => !c.willReconnect)) throw new Error(`${this.key}: no final close`)
    }, WAIT_MS)
  }

  /** Classifies every message against what the server received. */
  async account(): Promise<Accounting> {
    const { received } = await serverStats(this.key)
    const counts = new Map<string, number>()
    let outOfOrder = 0
    let highest = 0
    for (const id of received) {
      counts.set(id, (counts.get(id) ?? 0) + 1)
      const seq = Number(id.slice(1))
      if (seq < highest && counts.get(id) === 1) outOfOrder++
      highest = Math.max(highest, seq)
    }
    const sentSet = new Set(this.sent)
    const result: Accounting = {
      sent: this.sent.length,
      queued: this.queued.size,
      delivered: 0,
      dropReported: 0,
      droppedButDelivered: 0,
      lostInFlight: 0,
      lostInFlightQueued: 0,
      silentlyLost: 0,
      silentlyLostIds: [],
      duplicates: [...counts.values()].reduce((sum, n) => sum + n - 1, 0) + this.handedTwice,
      outOfOrder: outOfOrder + this.handedOutOfOrder,
      unknownDelivered: [...counts.keys()].filter((id) => !sentSet.has(id)).length,
    }
    for (const id of this.sent) {
      if (counts.has(id)) {
        result.delivered++
        if (this.dropped.has(id)) result.droppedButDelivered++
      } else if (this.dropped.has(id)) result.dropReported++
      else if (this.handed.has(id)) {
        result.lostInFlight++
        if (this.queued.has(id)) result.lostInFlightQueued++
      } else {
        result.silentlyLost++
        result.silentlyLostIds.push(id)
      }
    }
    return result
  }
}

export interface Accounting {
  sent: number
  queued: number
  delivered: number
  dropReported: number
  /** Reported dropped, yet the server got it (must be 0). */
  droppedButDelivered: number
  lostInFlight: number
  lostInFlightQueued: number
  silentlyLost: number
  silentlyLostIds: string[]
  /** Deliveries beyond the first, plus hand-overs of one message to a native socket beyond the first. */
  duplicates: number
  /** Hand-overs after a later message's, plus arrivals after a later message's. */
  outOfOrder: number
  /** Ids the server received that were never sent (must be 0). */
  unknownDelivered: number
}

function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]!
}

/** Adds up the probes of one fault kind into a summary row (and the raw accounting for assertions). */
export async function summarize(
  fault: string,
  injected: number,
  probes: Probe[],
): Promise<{ row: FaultRow; accounts: Accounting[] }> {
  const accounts = await Promise.all(probes.map((p) => p.account()))
  const sum = (pick: (a: Accounting) => number) => accounts.reduce((total, a) => total + pick(a), 0)
  const outages = probes.flatMap((p) => p.outagesMs)
  const handshakes = probes.flatMap((p) => p.handshakesMs)
  const row: FaultRow = {
    fault,
    clients: probes.length,
    injected,
    retries: probes.reduce((n, p) => n + p.retries, 0),
    reconnections: probes.reduce((n, p) => n + Math.max(0, p.opens - 1), 0),
    recoverMedianMs: median(outages) === null ? null : Math.round(median(outages)!),
    recoverMaxMs: outages.length === 0 ? null : Math.round(Math.max(...outages)),
    handshakeMaxMs: handshakes.length === 0 ? null : Math.round(Math.max(...handshakes)),
    sent: sum((a) => a.sent),
    queued: sum((a) => a.queued),
    delivered: sum((a) => a.delivered),
    dropReported: sum((a) => a.dropReported),
    lostInFlight: sum((a) => a.lostInFlight),
    lostInFlightQueued: sum((a) => a.lostInFlightQueued),
    silentlyLost: sum((a) => a.silentlyLost),
    duplicates: sum((a) => a.duplicates),
    outOfOrder: sum((a) => a.outOfOrder),
    doubleSockets: probes.reduce((n, p) => n + p.doubleSockets, 0),
  }
  return { row, accounts }
}
