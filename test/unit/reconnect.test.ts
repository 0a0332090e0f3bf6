import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CloseCodeError, ConnectTimeoutError } from '../../src/index.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

const delaysOf = (log: ReturnType<typeof recordEvents>) => log.of('reconnecting').map((event) => event.delayMs)

describe('retrying', () => {
  it('counts attempts from 1 and waits the backoff delay before each new attempt', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    for (const [attempt, delay] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
    ] as const) {
      FakeWebSocket.latest().fail()
      expect(log.of('reconnecting').at(-1)).toMatchObject({ attempt, delayMs: delay, code: 1006 })
      expect(ws.retryCount).toBe(attempt)
      await vi.advanceTimersByTimeAsync(delay - 1)
      expect(FakeWebSocket.instances).toHaveLength(attempt)
      await vi.advanceTimersByTimeAsync(1)
      expect(FakeWebSocket.instances).toHaveLength(attempt + 1)
    }
    ws.close()
  })

  it('reports a failed attempt as a 1006 close that was not clean, never as a clean 1000', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    expect(log.of('close')).toEqual([expect.objectContaining({ code: 1006, wasClean: false, willReconnect: true })])
    ws.close()
  })

  it('emits error, then close, then reconnecting when a failing attempt will be retried', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    expect(log.types()).toEqual(['error', 'close', 'reconnecting'])
    ws.close()
  })

  it('shows CONNECTING inside every listener when a retry follows', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    expect(log.map((entry) => entry.readyState)).toEqual([ws.CONNECTING, ws.CONNECTING, ws.CONNECTING])
    expect(ws.readyState).toBe(ws.CONNECTING)
    ws.close()
  })

  it('ignores late events from a socket it has left behind', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    const first = FakeWebSocket.latest()
    first.open()
    ws.reconnect()
    await tick()
    const before = log.length
    first.finishClose()
    expect(log.length).toBe(before)
    ws.close()
  })

  it('never holds two native sockets CONNECTING or OPEN at once', async () => {
    const ws = createSocket({ connectTimeoutMs: 500 })
    await tick()
    FakeWebSocket.latest().open()
    ws.reconnect()
    await tick()
    expect(FakeWebSocket.live()).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(500)
    expect(FakeWebSocket.live()).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.live()).toHaveLength(1)
    expect(FakeWebSocket.instances).toHaveLength(3)
    ws.close()
  })
})

describe('backoff through the socket', () => {
  it('feeds each delay back to decorrelated jitter as the previous delay', async () => {
    const ws = createSocket({ backoff: { jitter: 'decorrelated' }, random: () => 0.5 })
    const log = recordEvents(ws)
    await tick()
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.latest().fail()
      await vi.advanceTimersByTimeAsync(log.of('reconnecting').at(-1)!.delayMs)
    }
    // 1000 + 0.5 × (3 × previous − 1000), starting from a previous delay of initialDelayMs.
    expect(delaysOf(log)).toEqual([2000, 3500, 5750])
    ws.close()
  })

  it('uses the injected random source for jitter', async () => {
    const ws = createSocket({ backoff: { jitter: 'full' }, random: () => 0.25 })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(250)
    FakeWebSocket.latest().fail()
    expect(delaysOf(log)).toEqual([250, 500])
    ws.close()
  })
})

describe('stable connections', () => {
  it('resets the attempt counter once a connection stayed open for stableAfterMs', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(2000)
    FakeWebSocket.latest().open()
    expect(ws.retryCount).toBe(2)
    await vi.advanceTimersByTimeAsync(5000)
    expect(ws.retryCount).toBe(0)
    FakeWebSocket.latest().serverClose(1001)
    expect(log.of('reconnecting').at(-1)).toMatchObject({ attempt: 1, delayMs: 1000 })
    ws.close()
  })

  it('keeps counting when a connection closes before stableAfterMs', async () => {
    const ws = createSocket({ stableAfterMs: 3000 })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    await vi.advanceTimersByTimeAsync(2999)
    FakeWebSocket.latest().serverClose(1001)
    expect(log.of('reconnecting').at(-1)).toMatchObject({ attempt: 2, delayMs: 2000 })
    ws.close()
  })

  it('gives a server that accepts and closes at once growing delays', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    for (let i = 0; i < 5; i++) {
      FakeWebSocket.latest().open()
      FakeWebSocket.latest().serverClose(1012)
      await vi.advanceTimersByTimeAsync(log.of('reconnecting').at(-1)!.delayMs)
    }
    expect(delaysOf(log)).toEqual([1000, 2000, 4000, 8000, 16_000])
    expect(log.of('open')).toHaveLength(5)
    ws.close()
  })
})

describe('maxRetries', () => {
  it('stops with a CloseCodeError carrying the last close code once retries run out', async () => {
    const ws = createSocket({ maxRetries: 2 })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1012, 'restart')
    await vi.advanceTimersByTimeAsync(2000)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1011, 'crashed')
    await tick()

    expect(log.of('reconnecting')).toHaveLength(2)
    expect(log.types().slice(-2)).toEqual(['error', 'close'])
    const error = log.of('error').at(-1)!.error
    expect(error).toBeInstanceOf(CloseCodeError)
    expect(error).toMatchObject({ name: 'CloseCodeError', code: 1011, reason: 'crashed' })
    expect(log.of('close').at(-1)).toMatchObject({ code: 1011, willReconnect: false })
    expect(log.at(-1)!.readyState).toBe(ws.CLOSED)
    expect(log.at(-2)!.readyState).toBe(ws.CLOSED)
    expect(ws.readyState).toBe(ws.CLOSED)

    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(3)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('behaves like a native socket with maxRetries 0: no reconnecting and no CloseCodeError', async () => {
    const ws = createSocket({ maxRetries: 0 })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    await tick()
    expect(log.types()).toEqual(['error', 'close'])
    expect(log.of('error')[0]!.error).not.toBeInstanceOf(CloseCodeError)
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false, willReconnect: false })
    expect(log[0]!.readyState).toBe(ws.CLOSED)
    expect(ws.readyState).toBe(ws.CLOSED)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('emits only the close when a server closes a maxRetries 0 socket with a retry code', async () => {
    const ws = createSocket({ maxRetries: 0 })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1001, 'bye')
    await tick()
    expect(log.types()).toEqual(['open', 'close'])
    expect(log.of('close')[0]).toMatchObject({ code: 1001, reason: 'bye', wasClean: true, willReconnect: false })
  })

  it("still surfaces an 'error' policy with maxRetries 0", async () => {
    const ws = createSocket({ maxRetries: 0 })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1008, 'no')
    await tick()
    expect(log.types()).toEqual(['open', 'error', 'close'])
    expect(log.of('error')[0]!.error).toMatchObject({ name: 'CloseCodeError', code: 1008 })
  })
})

describe('reconnect()', () => {
  it('closes the current socket with the given code and reports it at once', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    const first = FakeWebSocket.latest()
    first.open()
    ws.reconnect(4000, 'switching')
    expect(first.closeCalls).toEqual([{ code: 4000, reason: 'switching' }])
    expect(log.types()).toEqual(['open', 'close'])
    expect(log.of('close')[0]).toMatchObject({ code: 4000, reason: 'switching', wasClean: false, willReconnect: true })
    expect(ws.readyState).toBe(ws.CONNECTING)
  })

  it('uses code 1000 by default', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    const first = FakeWebSocket.latest()
    first.open()
    ws.reconnect()
    expect(first.closeCalls[0]?.code).toBe(1000)
    expect(log.of('close')[0]).toMatchObject({ code: 1000, wasClean: false, willReconnect: true })
    ws.close()
  })

  it('connects again now, without waiting and without a reconnecting event', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    ws.reconnect()
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(log.of('reconnecting')).toHaveLength(0)
    FakeWebSocket.latest().open()
    expect(log.of('open')).toHaveLength(2)
    ws.close()
  })

  it('resets the attempt counter, also during a retry wait', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().fail()
    expect(ws.retryCount).toBe(2)
    ws.reconnect()
    await tick()
    expect(ws.retryCount).toBe(0)
    expect(FakeWebSocket.instances).toHaveLength(3)
    FakeWebSocket.latest().fail()
    expect(log.of('reconnecting').at(-1)).toMatchObject({ attempt: 1, delayMs: 1000 })
    await vi.advanceTimersByTimeAsync(5000)
    expect(FakeWebSocket.instances).toHaveLength(4)
    ws.close()
  })

  it('starts a new run after the socket stopped for good', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    ws.close()
    FakeWebSocket.latest().finishClose()
    expect(ws.readyState).toBe(ws.CLOSED)
    ws.reconnect()
    await tick()
    expect(ws.readyState).toBe(ws.CONNECTING)
    expect(FakeWebSocket.instances).toHaveLength(2)
    FakeWebSocket.latest().open()
    expect(ws.readyState).toBe(ws.OPEN)
    FakeWebSocket.latest().fail()
    expect(log.of('reconnecting').at(-1)).toMatchObject({ attempt: 1 })
    ws.close()
  })
})

describe('close()', () => {
  it('stops an open socket for good, whatever code the server echoes', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    const socket = FakeWebSocket.latest()
    socket.open()
    ws.close(4000, 'done')
    expect(socket.closeCalls).toEqual([{ code: 4000, reason: 'done' }])
    expect(ws.readyState).toBe(ws.CLOSING)
    socket.serverClose(1001, 'going away')
    await tick()
    expect(log.of('close')).toEqual([expect.objectContaining({ willReconnect: false })])
    expect(log.of('reconnecting')).toHaveLength(0)
    expect(ws.readyState).toBe(ws.CLOSED)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('emits exactly one final close with willReconnect false when called during a retry wait', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    log.length = 0
    ws.close()
    expect(ws.readyState).toBe(ws.CLOSING)
    await tick()
    expect(log.types()).toEqual(['error', 'close'])
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false, willReconnect: false })
    expect(log.map((entry) => entry.readyState)).toEqual([ws.CLOSED, ws.CLOSED])
    await vi.advanceTimersByTimeAsync(120_000)
    expect(log.of('close')).toHaveLength(1)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('cancels the scheduled retry when called from a close listener', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    ws.on('close', (event) => {
      if (event.willReconnect) ws.close()
    })
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1001)
    await tick()
    expect(log.of('reconnecting')).toEqual([])
    expect(log.of('close').map((event) => event.willReconnect)).toEqual([true, false])
    expect(ws.readyState).toBe(ws.CLOSED)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('moves to CLOSING synchronously while the native socket connects, then errors and closes with 1006', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    const socket = FakeWebSocket.latest()
    ws.close()
    expect(ws.readyState).toBe(ws.CLOSING)
    expect(socket.closeCalls).toHaveLength(1)
    await tick()
    expect(log.types()).toEqual(['error', 'close'])
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false, willReconnect: false })
    socket.fail()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(log.of('close')).toHaveLength(1)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('leaves no timers behind once the final close of an open socket arrived', async () => {
    const ws = createSocket({ heartbeat: { intervalMs: 1000, timeoutMs: 500 } })
    await tick()
    FakeWebSocket.latest().open()
    await vi.advanceTimersByTimeAsync(1200)
    ws.close()
    FakeWebSocket.latest().finishClose()
    await tick()
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('validates its arguments like native', async () => {
    const ws = createSocket()
    await tick()
    expect(() => ws.close(1001)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }))
    expect(() => ws.close(5000)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }))
    expect(() => ws.close(1000, 'é'.repeat(62))).toThrow(expect.objectContaining({ name: 'SyntaxError' }))
    expect(ws.readyState).toBe(ws.CONNECTING)
    expect(() => ws.close(3000, 'x'.repeat(123))).not.toThrow()
  })
})

describe('re-entering from listeners and policies never makes two sockets', () => {
  it('reconnect() while CLOSING, with a close listener that reconnects too: one live socket, no stray timeout', async () => {
    const ws = createSocket({ connectTimeoutMs: 5000 })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    ws.close()
    ws.on('close', (event) => {
      if (!event.willReconnect) ws.reconnect()
    })
    ws.reconnect()
    expect(FakeWebSocket.live()).toHaveLength(1)
    FakeWebSocket.latest().open()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(FakeWebSocket.live()).toHaveLength(1)
    expect(ws.readyState).toBe(ws.OPEN)
    expect(log.of('error')).toEqual([])
    ws.close()
  })

  it('a policy function that calls reconnect() takes over: the close it decides is reported as one that reconnects, one live socket, no retry scheduled', async () => {
    const ws = createSocket({
      policies: {
        4001: () => {
          ws.reconnect()
          return 'retry'
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
    expect(log.of('reconnecting')).toEqual([])
    FakeWebSocket.latest().open()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.live()).toHaveLength(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })
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
})

describe('nothing throws out of an event path', () => {
  it('a random source that throws: reported, and the socket does not hang in CONNECTING with no timer', async () => {
    let calls = 0
    const ws = createSocket({
      backoff: { jitter: 'full' },
      random: () => {
        if (++calls === 1) throw new Error('entropy ran out')
        return 0.5
      },
    })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    let thrown: unknown
    try {
      FakeWebSocket.latest().serverClose(1001)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeUndefined()
    expect(log.types()).toContain('close')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.instances.length).toBeGreaterThan(1)
  })
})
