import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ResilientWebSocket, type ResilientWebSocketOptions } from '../../src/index.js'
import { CONTRACT_DEFAULTS } from '../support/contract.js'
import { FakeWebSocket, FakeWebSocketConstructor } from '../support/fake-websocket.js'
import { TEST_URL } from '../support/harness.js'

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

/** Constructs with options the types would reject, and returns what was thrown. */
function constructionError(options: Record<string, unknown>): unknown {
  try {
    new ResilientWebSocket(TEST_URL, undefined, { WebSocket: FakeWebSocketConstructor, ...options } as any)
  } catch (error) {
    return error
  }
  throw new Error(`construction with ${JSON.stringify(options)} did not throw`)
}

const INVALID: Array<[description: string, options: Record<string, unknown>, names: RegExp]> = [
  ['a negative initialDelayMs', { backoff: { initialDelayMs: -1 } }, /initialDelayMs/],
  ['a NaN initialDelayMs', { backoff: { initialDelayMs: Number.NaN } }, /initialDelayMs/],
  ['a negative maxDelayMs', { backoff: { maxDelayMs: -5 } }, /maxDelayMs/],
  ['a factor below 1', { backoff: { factor: 0.5 } }, /factor/],
  ['an unknown jitter', { backoff: { jitter: 'random' } }, /jitter/],
  ['a negative maxRetries', { maxRetries: -1 }, /maxRetries/],
  ['a NaN maxRetries', { maxRetries: Number.NaN }, /maxRetries/],
  ['a negative stableAfterMs', { stableAfterMs: -1 }, /stableAfterMs/],
  ['a negative connectTimeoutMs', { connectTimeoutMs: -1 }, /connectTimeoutMs/],
  ['a negative buffer.maxMessages', { buffer: { maxMessages: -1 } }, /maxMessages/],
  ['a negative buffer.maxBytes', { buffer: { maxBytes: -1 } }, /maxBytes/],
  ['an unknown buffer.overflow', { buffer: { overflow: 'drop-random' } }, /overflow/],
  ['a negative heartbeat.intervalMs', { heartbeat: { intervalMs: -1, timeoutMs: 1000 } }, /intervalMs/],
  ['a negative heartbeat.timeoutMs', { heartbeat: { intervalMs: 1000, timeoutMs: -1 } }, /timeoutMs/],
  ['a policy key that is not a code, range or default', { policies: { sometimes: 'stop' } }, /polic/],
  ['a policy code above 4999', { policies: { 5000: 'stop' } }, /polic/],
  ['a policy range reaching beyond 4999', { policies: { '4000-5000': 'stop' } }, /polic/],
  ['an unknown policy action', { policies: { 4001: 'explode' } }, /polic/],
  ['a policy value that is neither a decision nor a function', { policies: { 4001: 42 } }, /polic/],
  ['an unknown action in a policy object', { policies: { 4001: { action: 'later' } } }, /polic/],
  ['a negative policy maxRetries', { policies: { 4001: { action: 'retry', maxRetries: -1 } } }, /maxRetries/],
  ['a policy backoff factor below 1', { policies: { 4001: { action: 'retry', backoff: { factor: 0 } } } }, /factor/],
]

describe('invalid options', () => {
  it.each(INVALID)('rejects %s at construction, naming the option', (_description, options, names) => {
    const error = constructionError(options)
    expect(error instanceof TypeError || error instanceof RangeError).toBe(true)
    expect((error as Error).message).toMatch(names)
    expect(FakeWebSocket.instances).toHaveLength(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('names the offending policy key', () => {
    expect((constructionError({ policies: { sometimes: 'stop' } }) as Error).message).toContain('sometimes')
    expect((constructionError({ policies: { 5000: 'stop' } }) as Error).message).toContain('5000')
  })
})

describe('valid edge values', () => {
  it.each([
    ['factor 1', { backoff: { factor: 1 } }],
    ['initialDelayMs 0', { backoff: { initialDelayMs: 0 } }],
    ['maxRetries 0', { maxRetries: 0 }],
    ['maxRetries Infinity', { maxRetries: Number.POSITIVE_INFINITY }],
    ['connectTimeoutMs 0', { connectTimeoutMs: 0 }],
    ['stableAfterMs 0', { stableAfterMs: 0 }],
    ['buffer false', { buffer: false }],
    ['policy code 0 and range 0-999', { policies: { 0: 'stop', '0-999': 'stop' } }],
    ['policy code 4999', { policies: { 4999: 'stop', default: 'retry' } }],
  ])('accepts %s', (_description, options) => {
    const ws = new ResilientWebSocket(TEST_URL, undefined, { WebSocket: FakeWebSocketConstructor, ...options } as any)
    expect(ws.readyState).toBe(ws.CONNECTING)
    ws.close()
  })
})

describe('defaults', () => {
  it('reads null as "use the default" for every option, as configs parsed from JSON carry it', async () => {
    const nulls = {
      maxRetries: null,
      reconnectOnOnline: null,
      random: null,
      buffer: null,
      heartbeat: null,
      backoff: null,
    }
    const ws = new ResilientWebSocket(TEST_URL, undefined, {
      WebSocket: FakeWebSocketConstructor,
      ...(nulls as unknown as ResilientWebSocketOptions),
    })
    await vi.advanceTimersByTimeAsync(0)
    ws.send('queued while connecting')
    expect(ws.bufferedAmount).toBe('queued while connecting'.length)
    ws.close()
  })

  it('uses full jitter over the contract’s initial delay by default', async () => {
    const ws = new ResilientWebSocket(TEST_URL, undefined, { WebSocket: FakeWebSocketConstructor, random: () => 0.5 })
    const delays: number[] = []
    ws.on('reconnecting', (event) => delays.push(event.delayMs))
    await vi.advanceTimersByTimeAsync(0)
    FakeWebSocket.latest().fail()
    expect(delays).toEqual([0.5 * CONTRACT_DEFAULTS.backoff.initialDelayMs])
    ws.close()
  })

  it('falls back to globalThis.WebSocket when no constructor is given', async () => {
    vi.stubGlobal('WebSocket', FakeWebSocketConstructor)
    try {
      const ws = new ResilientWebSocket(TEST_URL)
      await vi.advanceTimersByTimeAsync(0)
      expect(FakeWebSocket.instances).toHaveLength(1)
      ws.close()
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
