/**
 * Small helpers shared by the unit tests: build a socket around the fake
 * WebSocket, and record what the wrapper emits (with the `readyState` each
 * listener saw) so a test can assert the order of events.
 */
import { vi } from 'vitest'
import { ResilientWebSocket, type ResilientWebSocketOptions } from '../../src/index.js'
import { FakeWebSocketConstructor } from './fake-websocket.js'

export const TEST_URL = 'ws://example.test/socket'

type UrlArgument = ConstructorParameters<typeof ResilientWebSocket>[0]
type ProtocolsArgument = ConstructorParameters<typeof ResilientWebSocket>[1]

/**
 * A `ResilientWebSocket` wrapping `FakeWebSocket`. Backoff is 1000 ms × 2 per
 * retry up to 30 s with jitter `'none'` unless the test says otherwise, so
 * retry delays are 1000, 2000, 4000… ms.
 */
export function createSocket(
  options: ResilientWebSocketOptions = {},
  url: UrlArgument = TEST_URL,
  protocols?: ProtocolsArgument,
): ResilientWebSocket {
  return new ResilientWebSocket(url, protocols, {
    WebSocket: FakeWebSocketConstructor,
    ...options,
    // Fixed, readable delays for the tests (not the library's defaults, which options.test.ts pins).
    backoff: { initialDelayMs: 1000, maxDelayMs: 30_000, jitter: 'none', ...options.backoff },
  })
}

export const EVENT_TYPES = ['open', 'message', 'error', 'close', 'reconnecting', 'drop'] as const
export type EventType = (typeof EVENT_TYPES)[number]

export interface RecordedEvent {
  type: EventType
  event: any
  /** `ws.readyState` as the listener saw it. */
  readyState: number
}

export interface EventLog extends Array<RecordedEvent> {
  types(): EventType[]
  of(type: EventType): any[]
}

interface LooseEmitter {
  on(type: string, listener: (event: any) => void): unknown
}

/** Records every event the socket emits, in order. */
export function recordEvents(ws: ResilientWebSocket): EventLog {
  const log = [] as unknown as EventLog
  log.types = () => log.map((entry) => entry.type)
  log.of = (type) => log.filter((entry) => entry.type === type).map((entry) => entry.event)
  for (const type of EVENT_TYPES) {
    ;(ws as unknown as LooseEmitter).on(type, (event) => {
      log.push({ type, event, readyState: ws.readyState })
    })
  }
  return log
}

/** Lets pending microtasks and zero-delay tasks run (fake timers must be installed). */
export async function tick(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0)
}
