// Compile-time contract of the React binding and the logger option.
import { describe, expectTypeOf, it } from 'vitest'
import {
  consoleLogger,
  type LogEntry,
  type LogEvent,
  type Logger,
  type ResilientCloseEvent,
  type ResilientWebSocket,
  ResilientWebSocket as Socket,
} from '../../src/index.js'
import { type UseResilientWebSocketResult, useResilientWebSocket } from '../../src/react.js'

describe('logger', () => {
  it('takes a function of one LogEntry, whose event is one of the documented names', () => {
    new Socket('ws://example.test', undefined, {
      logger: (entry) => {
        expectTypeOf(entry).toEqualTypeOf<LogEntry>()
        expectTypeOf(entry.level).toEqualTypeOf<'debug' | 'info' | 'warn' | 'error'>()
        expectTypeOf(entry.event).toEqualTypeOf<LogEvent>()
        // @ts-expect-error not a documented event name
        const wrong: LogEvent = 'connect.attmpt'
        void wrong
      },
    })
    expectTypeOf(consoleLogger('warn')).toEqualTypeOf<Logger>()
    // @ts-expect-error not a level
    consoleLogger('verbose')
    // @ts-expect-error a logger is a function, not a level
    new Socket('ws://example.test', undefined, { logger: 'debug' })
  })
})

describe('useResilientWebSocket', () => {
  it('returns the state, a send that reports whether it had a socket, and the socket', () => {
    const result = useResilientWebSocket('wss://example.test/live')
    expectTypeOf(result).toEqualTypeOf<UseResilientWebSocketResult>()
    expectTypeOf(result.readyState).toEqualTypeOf<number>()
    expectTypeOf(result.lastMessage).toEqualTypeOf<MessageEvent | null>()
    expectTypeOf(result.lastClose).toEqualTypeOf<ResilientCloseEvent | null>()
    expectTypeOf(result.retryCount).toEqualTypeOf<number>()
    expectTypeOf(result.send).toEqualTypeOf<(data: string | ArrayBufferLike | Blob | ArrayBufferView) => boolean>()
    expectTypeOf(result.socket).toEqualTypeOf<ResilientWebSocket | null>()
  })

  it('takes null for no connection, providers, and the socket options plus share and filter', () => {
    useResilientWebSocket(null)
    useResilientWebSocket(undefined)
    useResilientWebSocket(new URL('wss://example.test'), ['v1'])
    useResilientWebSocket(
      async () => 'wss://example.test',
      () => 'v1',
    )
    useResilientWebSocket('wss://example.test', undefined, {
      share: true,
      filter: (event) => typeof event.data === 'string',
      maxRetries: 3,
      policies: { 4001: 'stop' },
    })
    // @ts-expect-error filter gets a MessageEvent and returns a boolean
    useResilientWebSocket('wss://example.test', undefined, { filter: (event: CloseEvent) => event.code })
    // @ts-expect-error unknown option
    useResilientWebSocket('wss://example.test', undefined, { shared: true })
  })
})
