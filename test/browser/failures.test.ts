/**
 * Network failures end to end against the real server: drops, refused and
 * rejected connections, hung handshakes, silent servers, sending while
 * disconnected, and closing during a retry wait.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCodeError, ConnectTimeoutError, HeartbeatTimeoutError, ResilientWebSocket } from '../../src/index.js'
import { recordEvents } from '../support/record-events.js'
import { eventually, settle } from '../support/wait.js'
import {
  closeOpenedSockets,
  FAST_OPTIONS,
  finalClose,
  refusedUrl,
  resilient,
  serverStats,
  uniqueKey,
  wsUrl,
} from './helpers.js'

afterEach(closeOpenedSockets)

describe('server drops the connection without a close frame', () => {
  // The server drops the TCP connection when the page's first message arrives, so the
  // page has seen `open` in every engine: a drop right after the handshake races it,
  // and Firefox then reports a connection that never opened.
  it('is reported as 1006 unclean and the socket reconnects', async () => {
    const key = uniqueKey('drop')
    const socket = resilient(wsUrl(`/plan/${key}?steps=drop-on-message,open`), undefined, FAST_OPTIONS)
    const log = recordEvents(socket)
    socket.send('drop now')
    await eventually(() => expect(log.of('open')).toHaveLength(2))
    expect(log.of('close')).toMatchObject([{ code: 1006, wasClean: false, willReconnect: true }])
    expect(log.of('reconnecting')).toMatchObject([{ attempt: 1, code: 1006 }])
    expect((await serverStats(key)).connections).toBe(2)
    expect(socket.readyState).toBe(ResilientWebSocket.OPEN)
  })

  it('the reconnected socket works: messages echo on the new connection', async () => {
    const key = uniqueKey('drop-echo')
    const socket = resilient(wsUrl(`/plan/${key}?steps=drop-on-message,open`), undefined, FAST_OPTIONS)
    const log = recordEvents(socket)
    socket.send('drop now')
    await eventually(() => expect(log.of('open')).toHaveLength(2))
    socket.send('after reconnect')
    await eventually(() => expect(log.of('message').map((event) => event.data)).toEqual(['after reconnect']))
  })
})

describe('connection refused', () => {
  it('with maxRetries: 0: error, then close 1006 unclean and final — never a made-up 1000', async () => {
    const socket = resilient(refusedUrl(), undefined, { ...FAST_OPTIONS, maxRetries: 0 })
    const log = recordEvents(socket)
    const final = await finalClose(log)
    expect(log.types()).toEqual(['error', 'close'])
    expect([final.code, final.wasClean, final.willReconnect]).toEqual([1006, false, false])
    expect(log.map((entry) => entry.readyState)).toEqual([ResilientWebSocket.CLOSED, ResilientWebSocket.CLOSED])
  })

  it('with retries: every failed attempt is error → close 1006 → reconnecting, then CloseCodeError(1006) and the final close', async () => {
    const socket = resilient(refusedUrl(), undefined, { ...FAST_OPTIONS, maxRetries: 2 })
    const log = recordEvents(socket)
    const final = await finalClose(log)
    expect(log.types()).toEqual([
      'error',
      'close',
      'reconnecting',
      'error',
      'close',
      'reconnecting',
      'error',
      'error',
      'close',
    ])
    const closes = log.of('close')
    expect(closes.map((event) => [event.code, event.wasClean, event.willReconnect])).toEqual([
      [1006, false, true],
      [1006, false, true],
      [1006, false, false],
    ])
    expect(log.of('reconnecting').map((event) => event.attempt)).toEqual([1, 2])
    const failure = log.of('error').at(-1)?.error
    expect(failure).toBeInstanceOf(CloseCodeError)
    expect(failure).toMatchObject({ code: 1006 })
    expect(final.code).toBe(1006)
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSED)
  })

  it('readyState is CONNECTING in the error listener when a retry will follow, CLOSED when it will not', async () => {
    const socket = resilient(refusedUrl(), undefined, { ...FAST_OPTIONS, maxRetries: 1 })
    const log = recordEvents(socket)
    await finalClose(log)
    const errorStates = log.filter((entry) => entry.type === 'error').map((entry) => entry.readyState)
    expect(errorStates).toEqual([ResilientWebSocket.CONNECTING, ResilientWebSocket.CLOSED, ResilientWebSocket.CLOSED])
  })
})

describe('handshake rejected by the server', () => {
  it.for([401, 503])(
    'HTTP %i: error, close 1006 unclean, then a retry that reaches the server and opens',
    async (status) => {
      const key = uniqueKey(`reject-${status}`)
      const socket = resilient(wsUrl(`/plan/${key}?steps=reject:${status},open`), undefined, FAST_OPTIONS)
      const log = recordEvents(socket)
      await eventually(() => expect(log.of('open')).toHaveLength(1))
      expect(log.types()).toEqual(['error', 'close', 'reconnecting', 'open'])
      expect(log.of('close')).toMatchObject([{ code: 1006, wasClean: false, willReconnect: true }])
      expect((await serverStats(key)).connections).toBe(2)
    },
  )
})

describe('hung handshake', () => {
  // An engine starts one handshake to a host at a time (RFC 6455 §4.1): a retry can wait
  // behind the abandoned attempt until the engine lets go of it, and time out in turn.
  // Firefox keeps that TCP connection until the server drops it (HANG_HOLD_MS), and a
  // loaded machine can delay the others, so the test allows any number of such rounds.
  it('connectTimeoutMs abandons the attempt: ConnectTimeoutError, close 1006 unclean, then a retry that opens', async () => {
    const key = uniqueKey('hang')
    const socket = resilient(wsUrl(`/plan/${key}?steps=hang,open`), undefined, {
      ...FAST_OPTIONS,
      connectTimeoutMs: 1_000,
    })
    const log = recordEvents(socket)
    await eventually(() => expect(log.of('open')).toHaveLength(1))
    const rounds = log.of('reconnecting').length
    expect(rounds).toBeGreaterThanOrEqual(1)
    expect(log.types()).toEqual([
      ...Array.from({ length: rounds }, () => ['error', 'close', 'reconnecting']).flat(),
      'open',
    ])
    for (const { error } of log.of('error')) {
      expect(error).toBeInstanceOf(ConnectTimeoutError)
      expect(error).toMatchObject({ name: 'ConnectTimeoutError', timeoutMs: 1_000 })
    }
    for (const close of log.of('close')) {
      expect(close).toMatchObject({ code: 1006, wasClean: false, willReconnect: true })
    }
    const { connections } = await serverStats(key)
    expect(connections).toBeGreaterThanOrEqual(2)
    expect(connections).toBeLessThanOrEqual(rounds + 1)
    await settle()
    expect(log.of('close')).toHaveLength(rounds)
  })

  it('with connectTimeoutMs: 0 a hung handshake is never abandoned by the wrapper', async () => {
    const key = uniqueKey('hang-forever')
    const socket = resilient(wsUrl(`/hang?key=${key}`), undefined, { ...FAST_OPTIONS, connectTimeoutMs: 0 })
    const log = recordEvents(socket)
    await eventually(async () => expect((await serverStats(key)).connections).toBe(1))
    await settle(500)
    expect(log).toEqual([])
    expect(socket.readyState).toBe(ResilientWebSocket.CONNECTING)
  })
})

describe('heartbeat', () => {
  it('detects a silent server: HeartbeatTimeoutError, close 1006 unclean, then a reconnect', async () => {
    const key = uniqueKey('silent')
    const socket = resilient(wsUrl(`/plan/${key}?steps=silent,open`), undefined, {
      ...FAST_OPTIONS,
      heartbeat: { intervalMs: 100, timeoutMs: 200 },
    })
    const log = recordEvents(socket)
    await eventually(() => expect(log.of('open')).toHaveLength(2))
    expect(log.types().slice(0, 5)).toEqual(['open', 'error', 'close', 'reconnecting', 'open'])
    const dead = log.of('error')[0]?.error
    expect(dead).toBeInstanceOf(HeartbeatTimeoutError)
    expect(dead).toMatchObject({ name: 'HeartbeatTimeoutError', timeoutMs: 200 })
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false, willReconnect: true })
    expect((await serverStats(key)).received).toContain('ping')
  })

  it('a server that answers stays connected, and its replies reach the app as messages', async () => {
    const key = uniqueKey('heartbeat-echo')
    const socket = resilient(wsUrl(`/echo?key=${key}`), undefined, {
      ...FAST_OPTIONS,
      // A generous timeout: a loaded machine must not turn a slow answer into a reconnect.
      heartbeat: { intervalMs: 50, timeoutMs: 600, message: 'are-you-there' },
    })
    const log = recordEvents(socket)
    await eventually(() => expect(log.of('message').length).toBeGreaterThanOrEqual(3))
    expect(new Set(log.of('message').map((event) => event.data))).toEqual(new Set(['are-you-there']))
    expect(log.of('close')).toHaveLength(0)
    expect((await serverStats(key)).connections).toBe(1)
  })
})

describe('sending while disconnected', () => {
  it('send() during the retry wait is queued and delivered, in order, before later sends, after the reconnect', async () => {
    const key = uniqueKey('queue')
    const socket = resilient(wsUrl(`/plan/${key}?steps=drop-on-message,open`), undefined, FAST_OPTIONS)
    const log = recordEvents(socket)
    const statesWhenQueued: number[] = []
    socket.once('open', () => socket.send('first'))
    socket.once('close', () => {
      statesWhenQueued.push(socket.readyState)
      socket.send('queued-1')
      socket.send('queued-2')
      statesWhenQueued.push(socket.bufferedAmount)
    })
    await eventually(() => expect(log.of('open')).toHaveLength(2))
    socket.send('after')
    await eventually(async () =>
      expect((await serverStats(key)).received).toEqual(['first', 'queued-1', 'queued-2', 'after']),
    )
    expect(statesWhenQueued[0]).toBe(ResilientWebSocket.CONNECTING)
    expect(statesWhenQueued[1]).toBeGreaterThanOrEqual('queued-1queued-2'.length)
    expect(log.of('drop')).toHaveLength(0)
    expect((await serverStats(key)).connections).toBe(2)
  })

  it('a send() in the open listener of the reconnected socket still comes after the queued messages', async () => {
    const key = uniqueKey('queue-open')
    const socket = resilient(wsUrl(`/plan/${key}?steps=drop-on-message,open`), undefined, FAST_OPTIONS)
    const log = recordEvents(socket)
    let opens = 0
    socket.on('open', () => {
      opens += 1
      socket.send(opens === 1 ? 'first' : 'from-open-listener')
    })
    socket.once('close', () => socket.send('queued'))
    await eventually(() => expect(log.of('open')).toHaveLength(2))
    await eventually(async () =>
      expect((await serverStats(key)).received).toEqual(['first', 'queued', 'from-open-listener']),
    )
  })

  it('messages sent before the first connection opens are queued and delivered', async () => {
    const key = uniqueKey('queue-initial')
    const socket = resilient(wsUrl(`/echo?key=${key}`), undefined, FAST_OPTIONS)
    expect(() => socket.send('early')).not.toThrow()
    await eventually(async () => expect((await serverStats(key)).received).toEqual(['early']))
  })
})

describe('close() during a retry wait', () => {
  it('ends with exactly one final close (1006 unclean, after an error, like native close-while-connecting) and no new connection', async () => {
    const key = uniqueKey('close-while-waiting')
    const socket = resilient(wsUrl(`/plan/${key}?steps=close:1001,open`), undefined, {
      ...FAST_OPTIONS,
      backoff: { initialDelayMs: 10_000, maxDelayMs: 10_000, jitter: 'none' },
    })
    const log = recordEvents(socket)
    await eventually(() => expect(log.of('reconnecting')).toHaveLength(1))
    expect(socket.readyState).toBe(ResilientWebSocket.CONNECTING)
    socket.close()
    const statesAfterClose = [socket.readyState]
    const final = await finalClose(log)
    expect(statesAfterClose).toEqual([ResilientWebSocket.CLOSING])
    expect([final.code, final.wasClean, final.willReconnect]).toEqual([1006, false, false])
    expect(log.types()).toEqual(['open', 'close', 'reconnecting', 'error', 'close'])
    await settle()
    expect(log.of('close').filter((event) => !event.willReconnect)).toHaveLength(1)
    expect(log.types()).toHaveLength(5)
    expect((await serverStats(key)).connections).toBe(1)
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSED)
  })

  it('messages queued during the wait are dropped with reason "closed" before the error and the final close', async () => {
    const key = uniqueKey('close-drops-queue')
    const socket = resilient(wsUrl(`/plan/${key}?steps=close:1001,open`), undefined, {
      ...FAST_OPTIONS,
      backoff: { initialDelayMs: 10_000, maxDelayMs: 10_000, jitter: 'none' },
    })
    const log = recordEvents(socket)
    await eventually(() => expect(log.of('reconnecting')).toHaveLength(1))
    socket.send('never-sent-1')
    socket.send('never-sent-2')
    socket.close()
    await finalClose(log)
    expect(log.types()).toEqual(['open', 'close', 'reconnecting', 'drop', 'drop', 'error', 'close'])
    expect(log.of('drop').map((event) => [event.data, event.reason])).toEqual([
      ['never-sent-1', 'closed'],
      ['never-sent-2', 'closed'],
    ])
    expect(socket.bufferedAmount).toBe(0)
    expect((await serverStats(key)).received).toEqual([])
  })

  it('close() while a retry attempt is still connecting also ends with one final close and no open', async () => {
    const key = uniqueKey('close-while-retrying')
    const socket = resilient(wsUrl(`/plan/${key}?steps=close:1001,hang`), undefined, {
      ...FAST_OPTIONS,
      connectTimeoutMs: 0,
    })
    const log = recordEvents(socket)
    await eventually(async () => expect((await serverStats(key)).connections).toBe(2))
    socket.close()
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSING)
    const final = await finalClose(log)
    expect([final.code, final.wasClean, final.willReconnect]).toEqual([1006, false, false])
    await settle()
    expect(log.types()).toEqual(['open', 'close', 'reconnecting', 'error', 'close'])
    expect((await serverStats(key)).connections).toBe(2)
  })
})
