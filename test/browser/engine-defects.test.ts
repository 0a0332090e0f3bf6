/**
 * Defects found by running the suites in Firefox and WebKitGTK (issue 11),
 * each pinned in every engine: a native error that no close follows, and a
 * page restored from the back/forward cache during a retry wait.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ResilientWebSocket } from '../../src/index.js'
import { recordEvents } from '../support/record-events.js'
import { eventually, settle, WAIT_MS } from '../support/wait.js'
import { engine } from './engines.js'
import {
  closeOpenedSockets,
  FAST_OPTIONS,
  finalClose,
  NATIVE_LIKE,
  native,
  refusedUrl,
  resilient,
  serverStats,
  uniqueKey,
  wsUrl,
} from './helpers.js'

afterEach(closeOpenedSockets)

/**
 * The engine's own WebSocket, except that no `close` follows an `error`: what
 * WebKit does for some failures, in any engine. Records every native socket
 * made, to check listeners and how many are alive at once.
 */
function silentAfterError() {
  const made: WebSocket[] = []
  let mostAlive = 0
  class ErrorWithoutClose extends WebSocket {
    #errored = false
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      made.push(this)
      mostAlive = Math.max(mostAlive, made.filter((s) => s.readyState <= WebSocket.OPEN).length)
      super.addEventListener('error', () => (this.#errored = true))
    }
    override set onclose(handler: WebSocket['onclose']) {
      super.onclose = handler === null ? null : (event) => (this.#errored ? undefined : handler.call(this, event))
    }
    override get onclose(): WebSocket['onclose'] {
      return super.onclose
    }
  }
  return { WebSocket: ErrorWithoutClose, made, mostAlive: () => mostAlive }
}

describe('a native error that no close follows (WebKit: a blocked port)', () => {
  it('fails the attempt at once: error, then close 1006 unclean, readyState CLOSED — not CONNECTING for good', async () => {
    const stub = silentAfterError()
    const socket = resilient(refusedUrl(), undefined, { ...NATIVE_LIKE, WebSocket: stub.WebSocket })
    const log = recordEvents(socket)
    const final = await finalClose(log)
    expect(log.types()).toEqual(['error', 'close'])
    expect([final.code, final.wasClean]).toEqual([1006, false])
    expect(log.map((entry) => entry.readyState)).toEqual([ResilientWebSocket.CLOSED, ResilientWebSocket.CLOSED])
    expect(log.of('error')[0]?.error).toBeUndefined()
  })

  it('then applies the 1006 policy: one error and one close per attempt, never two live native sockets, no listener left on a dead one', async () => {
    const stub = silentAfterError()
    const socket = resilient(refusedUrl(), undefined, { ...FAST_OPTIONS, maxRetries: 2, WebSocket: stub.WebSocket })
    const log = recordEvents(socket)
    await finalClose(log)
    await settle()
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
    expect(log.of('error').at(-1)?.error).toMatchObject({ name: 'CloseCodeError', code: 1006 })
    expect(stub.made).toHaveLength(3)
    expect(stub.mostAlive()).toBe(1)
    for (const dead of stub.made) expect([dead.onopen, dead.onmessage, dead.onclose]).toEqual([null, null, null])
  })

  it('a late native close of that socket is ignored: one error and one close, with the real engine (a refused connection)', async () => {
    const socket = resilient(refusedUrl(), undefined, NATIVE_LIKE)
    const log = recordEvents(socket)
    await finalClose(log)
    await settle()
    expect(log.types()).toEqual(['error', 'close'])
  })

  it('a blocked port (ws://127.0.0.1:25, WPT Create-blocked-port) ends with error and close 1006 in this engine', async () => {
    let socket: ResilientWebSocket
    try {
      socket = resilient('ws://127.0.0.1:25/', undefined, NATIVE_LIKE)
    } catch (error) {
      // An engine may refuse the port in the constructor instead, like native.
      expect(() => new WebSocket('ws://127.0.0.1:25/')).toThrow((error as Error).constructor as ErrorConstructor)
      return
    }
    const log = recordEvents(socket)
    const final = await finalClose(log)
    expect(log.types()).toEqual(['error', 'close'])
    expect([final.code, final.wasClean, socket.readyState]).toEqual([1006, false, ResilientWebSocket.CLOSED])
  })
})

/** What the page does when it enters and leaves the back/forward cache. */
function pageTransition(type: 'pagehide' | 'pageshow'): void {
  window.dispatchEvent(new PageTransitionEvent(type, { persisted: true }))
}

describe('a page restored from the back/forward cache during a retry wait', () => {
  it('connects at once on pageshow instead of waiting out the stale delay', async () => {
    const key = uniqueKey('bfcache-wait')
    const socket = resilient(wsUrl(`/plan/${key}?steps=close:1001,open`), undefined, {
      ...FAST_OPTIONS,
      backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 'none' },
    })
    const log = recordEvents(socket)
    await eventually(() => expect(log.of('reconnecting')).toHaveLength(1))
    pageTransition('pagehide')
    await settle(100)
    expect((await serverStats(key)).connections).toBe(1)
    pageTransition('pageshow')
    await eventually(() => expect(log.of('open')).toHaveLength(2), WAIT_MS)
    expect(log.types()).toEqual(['open', 'close', 'reconnecting', 'open'])
    expect((await serverStats(key)).connections).toBe(2)
  })

  it('lets a server-dictated delay (a policy delayMs, like 1013) run its course', async () => {
    const key = uniqueKey('bfcache-dictated')
    const socket = resilient(wsUrl(`/plan/${key}?steps=close:4001,open`), undefined, {
      ...FAST_OPTIONS,
      policies: { 4001: { action: 'retry', delayMs: 60_000 } },
    })
    const log = recordEvents(socket)
    await eventually(() => expect(log.of('reconnecting')).toHaveLength(1))
    pageTransition('pagehide')
    pageTransition('pageshow')
    await settle()
    expect(log.types()).toEqual(['open', 'close', 'reconnecting'])
    expect(socket.readyState).toBe(ResilientWebSocket.CONNECTING)
    expect((await serverStats(key)).connections).toBe(1)
  })
})

describe(`${engine}: the native socket after a blocked port`, () => {
  it('native: what the engine itself reports for ws://127.0.0.1:25 (WebKitGTK: an error while CONNECTING, and no close)', async () => {
    let reference: WebSocket
    try {
      reference = native('ws://127.0.0.1:25/')
    } catch (error) {
      expect(engine).not.toBe('webkit')
      expect(error).toBeInstanceOf(DOMException)
      return
    }
    const seen: string[] = []
    reference.onerror = () => seen.push(`error readyState=${reference.readyState}`)
    reference.onclose = (event) => seen.push(`close ${event.code}`)
    await eventually(() => expect(seen.length).toBeGreaterThan(0))
    await settle(1_000)
    seen.push(`then readyState=${reference.readyState}`)
    if (engine === 'webkit') expect(seen).toEqual(['error readyState=0', 'then readyState=3'])
    else expect(seen).toEqual(['error readyState=3', 'close 1006', 'then readyState=3'])
  })
})
