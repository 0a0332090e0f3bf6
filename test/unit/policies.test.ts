import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CloseCodeError, MAX_DELAY_MS, type ResilientWebSocketOptions } from '../../src/index.js'
import { contractRow } from '../support/contract.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

type Policies = NonNullable<ResilientWebSocketOptions['policies']>

/** Connects, lets the server close with `code`, and reports what the wrapper decided. */
async function decide(policies: Policies, code: number, reason = '') {
  const ws = createSocket({ policies })
  const log = recordEvents(ws)
  await tick()
  FakeWebSocket.latest().open()
  FakeWebSocket.latest().serverClose(code, reason)
  await tick()
  const closeCodeErrors = log.of('error').filter((event) => event.error instanceof CloseCodeError)
  const decision = log.of('reconnecting').length > 0 ? 'retry' : closeCodeErrors.length > 0 ? 'error' : 'stop'
  ws.close()
  return { decision, log }
}

describe('lookup order', () => {
  it('lets your exact code beat your range', async () => {
    expect((await decide({ 4001: 'stop', '4000-4099': 'error' }, 4001)).decision).toBe('stop')
    expect((await decide({ 4001: 'stop', '4000-4099': 'error' }, 4002)).decision).toBe('error')
  })

  it('lets your narrowest range beat a wider one', async () => {
    const policies: Policies = { '4000-4999': 'error', '4000-4099': 'stop', '4000-4009': 'retry' }
    expect((await decide(policies, 4005)).decision).toBe('retry')
    expect((await decide(policies, 4050)).decision).toBe('stop')
    expect((await decide(policies, 4500)).decision).toBe('error')
  })

  it('lets your range beat a built-in exact row', async () => {
    expect((await decide({ '1000-1015': 'retry' }, 1008)).decision).toBe('retry')
    expect((await decide({ '1000-1015': 'retry' }, 1000)).decision).toBe('retry')
    expect((await decide({ '3000-3999': 'stop' }, 3008)).decision).toBe('stop')
  })

  it('lets a built-in exact row beat your default', async () => {
    expect((await decide({ default: 'stop' }, 1001)).decision).toBe('retry')
    expect((await decide({ default: 'retry' }, 1008)).decision).toBe('error')
    expect((await decide({ default: 'error' }, 1000)).decision).toBe('stop')
  })

  it('lets your default decide codes no entry names', async () => {
    expect((await decide({ default: 'stop' }, 4321)).decision).toBe('stop')
    expect((await decide({ default: 'error' }, 3500)).decision).toBe('error')
  })

  it('falls back to the built-in default, retry, for codes nothing names', async () => {
    expect((await decide({}, 4321)).decision).toBe('retry')
    expect((await decide({ 4000: 'stop', '4100-4199': 'stop' }, 4321)).decision).toBe('retry')
  })

  it('lets your exact code override a built-in row', async () => {
    expect((await decide({ 1006: 'stop' }, 1006)).decision).toBe('stop')
    expect((await decide({ 1008: 'retry' }, 1008)).decision).toBe('retry')
    expect((await decide({ 1000: 'error' }, 1000)).decision).toBe('error')
  })
})

describe('policy functions', () => {
  it('continues the lookup when a function returns undefined', async () => {
    expect((await decide({ 4001: () => undefined, '4000-4099': 'stop' }, 4001)).decision).toBe('stop')
    expect((await decide({ '4000-4099': () => undefined, default: 'error' }, 4001)).decision).toBe('error')
    expect((await decide({ 1008: () => undefined }, 1008)).decision).toBe('error')
  })

  it('uses the decision a function returns', async () => {
    expect((await decide({ 4001: () => 'error' }, 4001)).decision).toBe('error')
    expect((await decide({ 1001: () => 'stop' }, 1001)).decision).toBe('stop')
    expect(
      (await decide({ default: (event) => (event.reason === 'bye' ? 'stop' : undefined) }, 4444, 'bye')).decision,
    ).toBe('stop')
  })

  it('receives the close event and the attempt number the retry would get', async () => {
    const calls: Array<{ code: number; reason: string; attempt: number }> = []
    const ws = createSocket({
      policies: {
        4001: (event, context) => {
          calls.push({ code: event.code, reason: event.reason, attempt: context.attempt })
          return undefined
        },
      },
    })
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001, 'first')
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001, 'second')
    expect(calls).toEqual([
      { code: 4001, reason: 'first', attempt: 1 },
      { code: 4001, reason: 'second', attempt: 2 },
    ])
    ws.close()
  })

  it('waits exactly the delayMs a function returns, beyond maxDelayMs', async () => {
    const ws = createSocket({
      backoff: { maxDelayMs: 1000 },
      policies: { 4001: (event) => ({ action: 'retry', delayMs: Number(event.reason) }) },
    })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001, '45000')
    expect(log.of('reconnecting')).toEqual([expect.objectContaining({ attempt: 1, delayMs: 45_000, code: 4001 })])
    await vi.advanceTimersByTimeAsync(44_999)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('clamps a returned delayMs above what setTimeout can hold to 2^31-1', async () => {
    const ws = createSocket({ policies: { 4001: () => ({ action: 'retry', delayMs: 1e12 }) } })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001)
    expect(log.of('reconnecting')[0]!.delayMs).toBe(MAX_DELAY_MS)
    await vi.advanceTimersByTimeAsync(MAX_DELAY_MS - 1)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('clamps a negative returned delayMs to 0 and retries at once', async () => {
    const ws = createSocket({ policies: { 4001: () => ({ action: 'retry', delayMs: -50 }) } })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001)
    expect(log.of('error')).toEqual([])
    expect(log.of('reconnecting')).toEqual([expect.objectContaining({ attempt: 1, delayMs: 0, code: 4001 })])
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('counts a retry with a returned delayMs toward maxRetries', async () => {
    const ws = createSocket({ maxRetries: 2, policies: { 4001: () => ({ action: 'retry', delayMs: 10 }) } })
    const log = recordEvents(ws)
    await tick()
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.latest().open()
      FakeWebSocket.latest().serverClose(4001, `close ${i}`)
      await vi.advanceTimersByTimeAsync(10)
    }
    expect(log.of('reconnecting').map((event) => event.attempt)).toEqual([1, 2])
    expect(log.of('error').at(-1)!.error).toMatchObject({ name: 'CloseCodeError', code: 4001, reason: 'close 2' })
    expect(FakeWebSocket.instances).toHaveLength(3)
    expect(ws.readyState).toBe(ws.CLOSED)
  })

  it('reports a throwing policy function and continues the lookup', async () => {
    const failure = new Error('policy bug')
    const { decision, log } = await decide(
      {
        4001: () => {
          throw failure
        },
        '4000-4099': 'stop',
      },
      4001,
    )
    expect(decision).toBe('stop')
    expect(log.of('error').map((event) => event.error)).toContain(failure)
  })
})

describe('policy maxRetries', () => {
  it('limits the retries of closes that policy decides', async () => {
    const ws = createSocket({ policies: { 4001: { action: 'retry', maxRetries: 1 } } })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001, 'one')
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001, 'two')
    await tick()
    expect(log.of('reconnecting')).toHaveLength(1)
    expect(log.of('error').at(-1)!.error).toMatchObject({ name: 'CloseCodeError', code: 4001, reason: 'two' })
    expect(log.of('close').at(-1)).toMatchObject({ willReconnect: false })
    expect(ws.readyState).toBe(ws.CLOSED)
  })

  it('shares the retry count with other codes', async () => {
    const ws = createSocket({ policies: { 4001: { action: 'retry', maxRetries: 1 } } })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001)
    await tick()
    expect(log.of('reconnecting')).toHaveLength(1)
    expect(log.of('error').at(-1)!.error).toMatchObject({ name: 'CloseCodeError', code: 4001 })
    expect(ws.readyState).toBe(ws.CLOSED)
  })

  it('does not limit closes other policies decide', async () => {
    const ws = createSocket({ policies: { 4001: { action: 'retry', maxRetries: 1 } } })
    const log = recordEvents(ws)
    await tick()
    for (let attempt = 1; attempt <= 4; attempt++) {
      FakeWebSocket.latest().fail()
      await vi.advanceTimersByTimeAsync(log.of('reconnecting').at(-1)!.delayMs)
    }
    expect(log.of('reconnecting').map((event) => event.attempt)).toEqual([1, 2, 3, 4])
    expect(ws.readyState).toBe(ws.CONNECTING)
    ws.close()
  })
})

describe('policy backoff', () => {
  it('gives 1013 its own backoff (5000 ms initial, 60000 ms maximum), doubling with the configured factor', async () => {
    const { initialDelayMs, maxDelayMs } = contractRow(1013)!.backoff!
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    for (let i = 0; i < 6; i++) {
      FakeWebSocket.latest().open()
      FakeWebSocket.latest().serverClose(1013)
      await vi.advanceTimersByTimeAsync(log.of('reconnecting').at(-1)!.delayMs)
    }
    const expected = [1, 2, 3, 4, 5, 6].map((attempt) => Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1)))
    expect(log.of('reconnecting').map((event) => event.delayMs)).toEqual(expected)
    ws.close()
  })

  it('applies the configured jitter to the 1013 backoff', async () => {
    const ws = createSocket({ backoff: { jitter: 'full' }, random: () => 0.5 })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1013)
    expect(log.of('reconnecting')[0]!.delayMs).toBe(2500)
    ws.close()
  })

  it('merges a policy backoff over the configured backoff', async () => {
    const ws = createSocket({
      backoff: { factor: 3 },
      policies: { 4001: { action: 'retry', backoff: { initialDelayMs: 200 } } },
    })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001)
    await vi.advanceTimersByTimeAsync(200)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001)
    await vi.advanceTimersByTimeAsync(600)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().fail()
    expect(log.of('reconnecting').map((event) => event.delayMs)).toEqual([200, 600, 9000])
    ws.close()
  })
})

describe('policy validation', () => {
  it('rejects two overlapping ranges of equal width', () => {
    expect(() => createSocket({ policies: { '4000-4099': 'stop', '4050-4149': 'retry' } })).toThrow(/polic/i)
    const error = (() => {
      try {
        createSocket({ policies: { '4000-4099': 'stop', '4050-4149': 'retry' } })
      } catch (caught) {
        return caught
      }
    })()
    expect(error instanceof TypeError || error instanceof RangeError).toBe(true)
    expect(FakeWebSocket.instances).toHaveLength(0)
  })

  it('accepts equal-width ranges that only touch, and nested ranges of different width', () => {
    expect(() => createSocket({ policies: { '4000-4099': 'stop', '4100-4199': 'retry' } }).close()).not.toThrow()
    expect(() => createSocket({ policies: { '4000-4999': 'stop', '4000-4099': 'retry' } }).close()).not.toThrow()
  })
})
