/**
 * Small helpers shared by the unit tests: build a socket around the fake
 * WebSocket, and let fake time run. (`recordEvents` lives in
 * record-events.ts, shared with the browser suites; it is re-exported here.)
 */
import { vi } from 'vitest'
import { ResilientWebSocket, type ResilientWebSocketOptions } from '../../src/index.js'
import { FakeWebSocketConstructor } from './fake-websocket.js'

export { recordEvents } from './record-events.js'

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

/** Lets pending microtasks and zero-delay tasks run (fake timers must be installed). */
export async function tick(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0)
}
