// Compile-time contract of the public types: what must type-check, and
// (with @ts-expect-error) what must not.
import { describe, expectTypeOf, it } from 'vitest'
import {
  createBackoff,
  type DropEvent,
  type Policies,
  type ReconnectingEvent,
  type ResilientCloseEvent,
  type ResilientErrorEvent,
  ResilientWebSocket,
  type ResilientWebSocketOptions,
} from '../../src/index.js'

declare const ws: ResilientWebSocket

describe('event payload types', () => {
  it('gives each on() listener its own event type', () => {
    ws.on('open', (event) => expectTypeOf(event).toEqualTypeOf<Event>())
    ws.on('message', (event) => expectTypeOf(event).toEqualTypeOf<MessageEvent>())
    ws.on('close', (event) => {
      expectTypeOf(event).toEqualTypeOf<ResilientCloseEvent>()
      expectTypeOf(event.willReconnect).toEqualTypeOf<boolean>()
      expectTypeOf(event.code).toEqualTypeOf<number>()
    })
    ws.on('error', (event) => expectTypeOf(event).toEqualTypeOf<ResilientErrorEvent>())
    ws.on('reconnecting', (event) => {
      expectTypeOf(event).toEqualTypeOf<ReconnectingEvent>()
      expectTypeOf(event.attempt).toEqualTypeOf<number>()
      expectTypeOf(event.delayMs).toEqualTypeOf<number>()
    })
    ws.on('drop', (event) => {
      expectTypeOf(event).toEqualTypeOf<DropEvent>()
      expectTypeOf(event.reason).toEqualTypeOf<'overflow' | 'closed'>()
    })
  })

  it('types addEventListener by event name too', () => {
    ws.addEventListener('close', (event) => expectTypeOf(event).toEqualTypeOf<ResilientCloseEvent>())
    ws.addEventListener('reconnecting', (event) => expectTypeOf(event).toEqualTypeOf<ReconnectingEvent>())
  })

  it('rejects an unknown event name', () => {
    // @ts-expect-error 'reconnect' is not an event (it is 'reconnecting')
    ws.on('reconnect', () => {})
    // @ts-expect-error 'closed' is not an event
    ws.once('closed', () => {})
  })

  it('rejects a listener whose signature does not match the event', () => {
    // @ts-expect-error a close listener receives a ResilientCloseEvent, not a string
    ws.on('close', (reason: string) => reason)
    // @ts-expect-error a reconnecting listener's event has no `data`
    ws.on('reconnecting', (event: MessageEvent) => event.data)
    // @ts-expect-error the error event's `error` is unknown and must be narrowed before use
    ws.on('error', (event) => event.error.message)
  })

  it('rejects emitting an event with the wrong payload', () => {
    // @ts-expect-error `open` takes an Event, not a number
    ws.emit('open', 42)
  })
})

describe('drop-in typing', () => {
  it('is assignable where a WebSocket is expected', () => {
    expectTypeOf(ws).toExtend<WebSocket>()
  })

  it('accepts a URL provider and a protocols provider', () => {
    expectTypeOf(ResilientWebSocket).toBeConstructibleWith(
      async () => 'wss://example.test',
      () => ['v1'],
    )
  })

  it('accepts codes, ranges and default as policy keys, and policy functions', () => {
    const policies: Policies = {
      4001: 'stop',
      '4000-4099': { action: 'retry', maxRetries: 3 },
      default: (event, { attempt }) =>
        event.code === 4500 && attempt < 3 ? { action: 'retry', delayMs: 100 } : undefined,
    }
    expectTypeOf(policies).toExtend<ResilientWebSocketOptions['policies']>()
    // @ts-expect-error 'restart' is not an action
    const bad: Policies = { 4001: 'restart' }
    void bad
  })

  it('types the exported backoff as a pure function of numbers', () => {
    expectTypeOf(createBackoff({ jitter: 'equal' })).toEqualTypeOf<
      (attempt: number, previousDelayMs: number, random: number) => number
    >()
    // @ts-expect-error unknown jitter mode
    createBackoff({ jitter: 'random' })
  })
})
