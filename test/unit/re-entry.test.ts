import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BufferOverflowError, CloseCodeError, ConnectTimeoutError } from '../../src/index.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('close() or reconnect() called while a close is being decided or reported', () => {
  it('close() from an error listener during a retry: that close is the final one, with no second error or 1006', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    ws.on('error', () => ws.close())
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log.types()).toEqual(['open', 'error', 'close'])
    expect(log.of('close')[0]).toMatchObject({ code: 1006, willReconnect: false })
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('close() from a policy function: the close it decides is the final one, with its own code and reason', async () => {
    const ws = createSocket({
      policies: {
        4001: () => {
          ws.close()
          return 'retry'
        },
      },
    })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001, 'bye')
    expect(log.types()).toEqual(['open', 'close'])
    expect(log.of('close')[0]).toMatchObject({ code: 4001, reason: 'bye', willReconnect: false })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log.types()).toEqual(['open', 'close'])
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('reconnect() from a policy function: the close it decides is reported as one that reconnects, then one new attempt', async () => {
    const ws = createSocket({
      policies: {
        4001: () => {
          ws.reconnect()
          return 'stop'
        },
      },
    })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001, 'again')
    expect(log.types()).toEqual(['open', 'close'])
    expect(log.of('close')[0]).toMatchObject({ code: 4001, reason: 'again', willReconnect: true })
    expect(FakeWebSocket.live()).toHaveLength(1)
    FakeWebSocket.latest().open()
    expect(ws.readyState).toBe(ws.OPEN)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('reconnect() from an error listener during a retry: one close (willReconnect), one new attempt, no scheduled retry', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    ws.once('error', () => ws.reconnect())
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().fail()
    expect(log.types()).toEqual(['open', 'error', 'close'])
    expect(log.of('close')[0]).toMatchObject({ code: 1006, willReconnect: true })
    expect(FakeWebSocket.live()).toHaveLength(1)
    FakeWebSocket.latest().open()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(log.of('reconnecting')).toEqual([])
    ws.close()
  })

  it('the close a policy saw is the event the application gets, willReconnect set once the retry is decided', async () => {
    let seen: unknown
    let willReconnectThen: boolean | undefined
    const ws = createSocket({
      policies: {
        4002: (event) => {
          seen = event
          willReconnectThen = event.willReconnect
          return 'retry'
        },
      },
    })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4002)
    expect(willReconnectThen).toBe(false)
    expect(log.of('close')[0]).toBe(seen)
    expect(log.of('close')[0]!.willReconnect).toBe(true)
    ws.close()
  })
})

describe('errors carry their cause', () => {
  it('a CloseCodeError for exhausted retries links the last failure (here the connect timeout)', async () => {
    const ws = createSocket({ maxRetries: 1, connectTimeoutMs: 1000 })
    const log = recordEvents(ws)
    await tick()
    await vi.advanceTimersByTimeAsync(1000) // attempt 1 times out, retry scheduled
    await vi.advanceTimersByTimeAsync(1000) // retry 1 starts
    await vi.advanceTimersByTimeAsync(1000) // and times out: retries exhausted
    const final = log.of('error').at(-1)!.error as CloseCodeError
    expect(final).toBeInstanceOf(CloseCodeError)
    expect(final.retriesExhausted).toBe(true)
    expect(final.cause).toBeInstanceOf(ConnectTimeoutError)
    expect(final.cause).toBe(log.of('error').at(-2)!.error)
  })

  it('a CloseCodeError from an error policy has no cause: the close is all there is', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1008)
    expect(log.of('error')[0]!.error).toBeInstanceOf(CloseCodeError)
    expect('cause' in (log.of('error')[0]!.error as CloseCodeError)).toBe(false)
  })

  it('a BufferOverflowError names the limit and keeps its value', async () => {
    const ws = createSocket({ buffer: { maxMessages: 2, overflow: 'error' } })
    ws.send('a')
    ws.send('b')
    let thrown: unknown
    try {
      ws.send('c')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(BufferOverflowError)
    expect(thrown).toMatchObject({ limit: 'maxMessages', value: 2 })
    expect((thrown as Error).message).toContain('maxMessages (2)')
    ws.close()
    await tick()
  })
})
