/**
 * Shared pieces of the browser tests: addresses of the scenario server (see
 * test/support/scenario-server.ts), socket bookkeeping so every test closes
 * what it opened, and traces that turn native event sequences into data (the
 * wrapper's own events: test/support/record-events.ts).
 */
import { inject } from 'vitest'
import { ResilientWebSocket, type ResilientWebSocketEvents, type ResilientWebSocketOptions } from '../../src/index.js'
import type { EventLog } from '../support/record-events.js'
import type { ScenarioStats } from '../support/scenario-server.js'
import { eventually, WAIT_MS } from '../support/wait.js'

export const wsPort = inject('wsPort')
export const refusedPort = inject('refusedPort')

/** With these options the wrapper must behave like the native `WebSocket` (issue 2, "Drop-in conformance"). */
export const NATIVE_LIKE = {
  maxRetries: 0,
  buffer: false,
  connectTimeoutMs: 0,
} as const satisfies ResilientWebSocketOptions

/** Small delays for tests that let the socket retry. */
export const FAST_BACKOFF = { initialDelayMs: 10, maxDelayMs: 50 } as const

/** Fast retries, and a connect timeout far above a local handshake. */
export const FAST_OPTIONS = { backoff: FAST_BACKOFF, connectTimeoutMs: 5_000 } satisfies ResilientWebSocketOptions

/** `ws://` address of a scenario on the test server. */
export function wsUrl(path: string): string {
  return `ws://127.0.0.1:${wsPort}${path}`
}

/**
 * An address where connections are refused, with a path no other call gets:
 * Firefox delays a new attempt to a host, port and path that failed recently
 * (see engine-differences.test.ts), so sharing one would make each test wait
 * longer than the last.
 */
export function refusedUrl(): string {
  return `ws://127.0.0.1:${refusedPort}/${uniqueKey('refused')}`
}

let keys = 0
/** A key no other test uses, for the server's per-key statistics. */
export function uniqueKey(label: string): string {
  keys += 1
  return `${label}-${keys}-${Math.random().toString(36).slice(2, 10)}`
}

/** What the server saw for `key`: connections made and messages received, in order. */
export async function serverStats(key: string): Promise<ScenarioStats> {
  const response = await fetch(`http://127.0.0.1:${wsPort}/stats/${encodeURIComponent(key)}`)
  return (await response.json()) as ScenarioStats
}

/** Lets the server answer a close frame it has been holding (`/delayed-close`). */
export async function releaseDelayedClose(key: string): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${wsPort}/release/${encodeURIComponent(key)}`)
  if (!response.ok) throw new Error(`nothing to release for ${key}`)
}

const opened = new Set<{ close(): void }>()

/** Registers a socket created some other way (e.g. `Reflect.construct`) to be closed after the test. */
export function track<T extends { close(): void }>(socket: T): T {
  opened.add(socket)
  return socket
}

/** A `ResilientWebSocket` that is closed after the test. */
export function resilient(
  url: ConstructorParameters<typeof ResilientWebSocket>[0],
  protocols?: string | string[],
  options: ResilientWebSocketOptions = {},
): ResilientWebSocket {
  const socket = new ResilientWebSocket(url, protocols, options)
  opened.add(socket)
  return socket
}

/** A native `WebSocket` that is closed after the test. */
export function native(url: string | URL, protocols?: string | string[]): WebSocket {
  const socket = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols)
  opened.add(socket)
  return socket
}

/** Closes every socket the test opened (for `afterEach`). */
export function closeOpenedSockets(): void {
  for (const socket of opened) socket.close()
  opened.clear()
}

type EventName = keyof ResilientWebSocketEvents
type EventOf<K extends EventName> = Parameters<ResilientWebSocketEvents[K]>[0]

/** Waits until the wrapper has reported the close that ends its run (`willReconnect: false`). */
export function finalClose(log: EventLog): Promise<EventOf<'close'>> {
  return eventually(() => {
    const final = log.of('close').find((event) => !event.willReconnect)
    if (!final) throw new Error('no final close yet')
    return final
  })
}

/**
 * A compact trace of the standard events (open, message, error, close) as any
 * `WebSocket`-like object reports them to `addEventListener` listeners, with
 * `readyState` read inside each listener — comparable between a native socket
 * and the wrapper.
 */
export function trace(socket: Pick<WebSocket, 'addEventListener' | 'readyState'>): string[] {
  const lines: string[] = []
  socket.addEventListener('open', () => lines.push(`open readyState=${socket.readyState}`))
  socket.addEventListener('message', (event) => lines.push(`message ${String(event.data)}`))
  socket.addEventListener('error', () => lines.push(`error readyState=${socket.readyState}`))
  socket.addEventListener('close', (event) =>
    lines.push(
      `close code=${event.code} reason=${JSON.stringify(event.reason)} wasClean=${event.wasClean} readyState=${socket.readyState}`,
    ),
  )
  return lines
}

/** Waits until a trace has a close line. */
export function traceClosed(lines: string[]): Promise<void> {
  return eventually(() => {
    if (!lines.some((line) => line.startsWith('close '))) throw new Error('not closed yet')
  })
}

/** Resolves with the next `type` event of a native socket (or rejects after `timeout` ms). */
export function nextEvent<K extends keyof WebSocketEventMap>(
  socket: WebSocket,
  type: K,
  timeout = WAIT_MS,
): Promise<WebSocketEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeout} ms`)), timeout)
    socket.addEventListener(
      type,
      (event) => {
        clearTimeout(timer)
        resolve(event)
      },
      { once: true },
    )
  })
}

/** Resolves with the next `type` event of a wrapper (or rejects after `timeout` ms). */
export function nextResilientEvent<K extends EventName>(
  socket: ResilientWebSocket,
  type: K,
  timeout = WAIT_MS,
): Promise<EventOf<K>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeout} ms`)), timeout)
    const listener = (event: Event) => {
      clearTimeout(timer)
      resolve(event as EventOf<K>)
    }
    // One listener for whichever event K is; `on()`'s per-event signature cannot express that.
    socket.once(type, listener as never)
  })
}

/** What `action` throws, as a comparable name ("DOMException SyntaxError", "TypeError"), or "nothing thrown". */
export function thrownName(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    return error instanceof DOMException ? `DOMException ${error.name}` : (error as Error).constructor.name
  }
  return 'nothing thrown'
}
