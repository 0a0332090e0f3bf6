/**
 * Every row of the default-policy table (issue 2, "Default policies"), end to
 * end: a real server closes the connection and the test checks what the
 * wrapper does about it and whether a new connection reaches the server.
 *
 * What a page can be sent: a `ws` server can close with any code valid on the
 * wire (1000–1003, 1007–1014, 3000–4999). 1005 is what the page sees when the
 * close frame has no status code, 1006 when the TCP connection ends without a
 * close frame. Chromium passes other unusual codes on the wire through as they
 * are (999, 1004, 1016, 2999, 5000), but a close frame that carries 1005,
 * 1006 or 1015 fails the connection: the page sees `error`, then 1006 unclean.
 * So the 1015 row ('error') cannot be reached from a server; it is covered in
 * the unit tests, and here we pin down that a 1015 on the wire is a 1006.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCodeError, ResilientWebSocket } from '../../src/index.js'
import {
  closeOpenedSockets,
  eventually,
  FAST_OPTIONS,
  finalClose,
  ofType,
  record,
  resilient,
  serverStats,
  settle,
  types,
  uniqueKey,
  wsUrl,
} from './helpers.js'

afterEach(closeOpenedSockets)

/** A `/plan` URL: the first connection does `first`, every later one opens and echoes. */
function planUrl(key: string, first: string, query = ''): string {
  return wsUrl(`/plan/${key}?steps=${first},open${query}`)
}

describe("'stop' rows: the socket closes for good and never reconnects", () => {
  it('1000 Normal Closure: one close with willReconnect false, readyState CLOSED, one connection only', async () => {
    const key = uniqueKey('policy-1000')
    const socket = resilient(planUrl(key, 'close:1000', '&reason=done'), undefined, FAST_OPTIONS)
    const log = record(socket)
    const final = await finalClose(log)
    expect([final.code, final.reason, final.wasClean, final.willReconnect]).toEqual([1000, 'done', true, false])
    expect(types(log)).toEqual(['open', 'close'])
    expect(log.at(-1)?.readyState).toBe(ResilientWebSocket.CLOSED)
    await settle()
    expect(types(log)).toEqual(['open', 'close'])
    expect((await serverStats(key)).connections).toBe(1)
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSED)
  })

  it('a close() by the application stops whatever code the server echoes (3008 would otherwise retry)', async () => {
    const key = uniqueKey('policy-app-close')
    const socket = resilient(planUrl(key, 'open'), undefined, FAST_OPTIONS)
    const log = record(socket)
    socket.onopen = () => socket.close(3008, 'bye')
    const final = await finalClose(log)
    expect([final.code, final.willReconnect]).toEqual([3008, false])
    await settle()
    expect(ofType(log, 'reconnecting')).toHaveLength(0)
    expect((await serverStats(key)).connections).toBe(1)
  })
})

const ERROR_ROWS: [number, string][] = [
  [1002, 'Protocol Error'],
  [1003, 'Unsupported Data'],
  [1007, 'Invalid Frame Payload Data'],
  [1008, 'Policy Violation'],
  [1009, 'Message Too Big'],
  [1010, 'Mandatory Extension'],
  [3000, 'Unauthorized'],
  [3003, 'Forbidden'],
]

describe("'error' rows: an error event with a CloseCodeError, then the final close, and no reconnect", () => {
  it.for(ERROR_ROWS)('%i %s', async ([code]) => {
    const key = uniqueKey(`policy-${code}`)
    const socket = resilient(planUrl(key, `close:${code}`, `&reason=why-${code}`), undefined, FAST_OPTIONS)
    const log = record(socket)
    const final = await finalClose(log)
    expect(types(log)).toEqual(['open', 'error', 'close'])
    const [errorEvent] = ofType(log, 'error')
    const error = errorEvent?.error
    expect(error).toBeInstanceOf(CloseCodeError)
    expect(error).toMatchObject({ name: 'CloseCodeError', code, reason: `why-${code}` })
    expect([final.code, final.reason, final.wasClean, final.willReconnect]).toEqual([code, `why-${code}`, true, false])
    expect(log.map((entry) => entry.readyState).slice(1)).toEqual([
      ResilientWebSocket.CLOSED,
      ResilientWebSocket.CLOSED,
    ])
    await settle()
    expect(types(log)).toEqual(['open', 'error', 'close'])
    expect((await serverStats(key)).connections).toBe(1)
  })
})

/** Server behaviours for the 'retry' rows: what the first connection does, and the code the page sees. */
const RETRY_ROWS: [string, string, number][] = [
  ['1001 Going Away', 'close:1001', 1001],
  ['1005 No Status Received (close frame without a status code)', 'close', 1005],
  ['1006 Abnormal Closure (TCP connection ends without a close frame)', 'drop', 1006],
  ['1011 Internal Error', 'close:1011', 1011],
  ['1012 Service Restart', 'close:1012', 1012],
  ['1014 Bad Gateway', 'close:1014', 1014],
  ['3008 Timeout', 'close:3008', 3008],
  ['anything else: 4000', 'close:4000', 4000],
  ['anything else: 4999', 'close:4999', 4999],
  ['anything else: 1004 (reserved, but Chromium passes it through)', 'raw-close:1004', 1004],
  ['anything else: 2999 (unregistered, Chromium passes it through)', 'raw-close:2999', 2999],
]

describe("'retry' rows: close with willReconnect, a reconnecting event, and a second connection that opens", () => {
  it.for(RETRY_ROWS)('%s', async ([, step, code]) => {
    const key = uniqueKey(`policy-retry-${code}`)
    const socket = resilient(planUrl(key, step), undefined, FAST_OPTIONS)
    const log = record(socket)
    await eventually(() => expect(ofType(log, 'open')).toHaveLength(2))
    const [close] = ofType(log, 'close')
    expect(close).toMatchObject({ code, willReconnect: true })
    const closeEntry = log.find((entry) => entry.type === 'close')
    expect(closeEntry?.readyState).toBe(ResilientWebSocket.CONNECTING)
    const [reconnecting] = ofType(log, 'reconnecting')
    expect(reconnecting).toMatchObject({ attempt: 1, code })
    expect(types(log).filter((type) => type !== 'error')).toEqual(['open', 'close', 'reconnecting', 'open'])
    expect(ofType(log, 'error').map((event) => event.error)).not.toContainEqual(expect.any(CloseCodeError))
    expect(socket.readyState).toBe(ResilientWebSocket.OPEN)
    expect((await serverStats(key)).connections).toBe(2)
  })

  it('the close reason reaches the close and reconnecting events', async () => {
    const key = uniqueKey('policy-retry-reason')
    const socket = resilient(planUrl(key, 'close:1012', '&reason=deploying'), undefined, FAST_OPTIONS)
    const log = record(socket)
    await eventually(() => expect(ofType(log, 'open')).toHaveLength(2))
    expect(ofType(log, 'close')[0]).toMatchObject({ code: 1012, reason: 'deploying', wasClean: true })
    expect(ofType(log, 'reconnecting')[0]).toMatchObject({ code: 1012, reason: 'deploying' })
  })

  it('1013 Try Again Later: retries with its own backoff (initial 5000 ms), not the configured 10 ms', async () => {
    const key = uniqueKey('policy-1013')
    // Full jitter with random 0.1: the 1013 row gives 0.1 × 5000 = 500 ms; the configured backoff would give 1 ms.
    const socket = resilient(planUrl(key, 'close:1013'), undefined, { ...FAST_OPTIONS, random: () => 0.1 })
    const log = record(socket)
    const reconnecting = await eventually(() => {
      const [event] = ofType(log, 'reconnecting')
      if (!event) throw new Error('no reconnecting event yet')
      return event
    })
    expect(reconnecting.code).toBe(1013)
    expect(reconnecting.delayMs).toBeCloseTo(500, 6)
    await eventually(() => expect(ofType(log, 'open')).toHaveLength(2))
    expect((await serverStats(key)).connections).toBe(2)
  })

  it('the configured backoff decides the other rows’ delays (same random source, 1001 → 0.1 × 10 ms)', async () => {
    const key = uniqueKey('policy-1001-delay')
    const socket = resilient(planUrl(key, 'close:1001'), undefined, { ...FAST_OPTIONS, random: () => 0.1 })
    const log = record(socket)
    await eventually(() => expect(ofType(log, 'open')).toHaveLength(2))
    expect(ofType(log, 'reconnecting')[0]?.delayMs).toBeCloseTo(1, 6)
  })
})

describe('codes that cannot reach a page unchanged', () => {
  it.for([1005, 1006, 1015])(
    'a close frame carrying %i fails the connection in Chromium: error, then 1006 unclean, handled by the 1006 row (retry)',
    async (code) => {
      const key = uniqueKey(`policy-wire-${code}`)
      const socket = resilient(planUrl(key, `raw-close:${code}`), undefined, FAST_OPTIONS)
      const log = record(socket)
      await eventually(() => expect(ofType(log, 'open')).toHaveLength(2))
      expect(types(log)).toEqual(['open', 'error', 'close', 'reconnecting', 'open'])
      expect(ofType(log, 'close')[0]).toMatchObject({ code: 1006, wasClean: false, willReconnect: true })
      expect(ofType(log, 'error')[0]?.error).toBeUndefined()
      expect((await serverStats(key)).connections).toBe(2)
    },
  )
})

describe('retries run out', () => {
  it('maxRetries: 1 with a server that keeps closing 1012: one retry, then CloseCodeError(1012) and the final close', async () => {
    const key = uniqueKey('policy-exhausted')
    const socket = resilient(wsUrl(`/plan/${key}?steps=close:1012`), undefined, { ...FAST_OPTIONS, maxRetries: 1 })
    const log = record(socket)
    const final = await finalClose(log)
    expect(types(log)).toEqual(['open', 'close', 'reconnecting', 'open', 'error', 'close'])
    expect(ofType(log, 'error')[0]?.error).toMatchObject({ name: 'CloseCodeError', code: 1012 })
    expect([final.code, final.willReconnect]).toEqual([1012, false])
    await settle()
    expect((await serverStats(key)).connections).toBe(2)
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSED)
  })
})
