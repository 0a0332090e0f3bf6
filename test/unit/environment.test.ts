import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

/** An EventTarget that knows which listeners are currently registered on it. */
class TrackingTarget extends EventTarget {
  readonly registered = new Set<string>()
  private readonly keys = new Map<string, string>()
  private nextId = 0

  /** One key per (type, listener, capture), the triple EventTarget dedupes on. */
  private key(type: string, listener: unknown, options?: boolean | EventListenerOptions): string {
    const capture = typeof options === 'boolean' ? options : Boolean(options?.capture)
    const ids = this.listenerIds
    if (!ids.has(listener)) ids.set(listener, ++this.nextId)
    const key = `${type}#${ids.get(listener)}.${capture}`
    this.keys.set(key, key)
    return key
  }

  private readonly listenerIds = new Map<unknown, number>()

  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (listener) this.registered.add(this.key(type, listener, options))
    super.addEventListener(type, listener, options)
  }

  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    if (listener) this.registered.delete(this.key(type, listener, options))
    super.removeEventListener(type, listener, options)
  }

  /** How many listeners are registered per event type. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const key of this.registered) {
      const type = key.slice(0, key.indexOf('#'))
      counts[type] = (counts[type] ?? 0) + 1
    }
    return counts
  }
}

class FakeDocument extends TrackingTarget {
  visibilityState: DocumentVisibilityState = 'visible'

  becomeVisible(): void {
    this.visibilityState = 'visible'
    this.dispatchEvent(new Event('visibilitychange'))
  }

  becomeHidden(): void {
    this.visibilityState = 'hidden'
    this.dispatchEvent(new Event('visibilitychange'))
  }
}

let win: TrackingTarget
let doc: FakeDocument
let nav: { onLine: boolean }

function pageTransition(type: 'pagehide' | 'pageshow', persisted: boolean): void {
  win.dispatchEvent(Object.assign(new Event(type), { persisted }))
}

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers()
  win = new TrackingTarget()
  doc = new FakeDocument()
  nav = { onLine: true }
  vi.stubGlobal('addEventListener', win.addEventListener.bind(win))
  vi.stubGlobal('removeEventListener', win.removeEventListener.bind(win))
  vi.stubGlobal('document', doc)
  vi.stubGlobal('navigator', nav)
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('offline and online', () => {
  it('holds a retry scheduled after an offline event until the online event, then connects at once', async () => {
    const ws = createSocket()
    await tick()
    win.dispatchEvent(new Event('offline'))
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(ws.readyState).toBe(ws.CONNECTING)
    win.dispatchEvent(new Event('online'))
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('holds a pending retry when the offline event arrives during the wait', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().fail()
    win.dispatchEvent(new Event('offline'))
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    win.dispatchEvent(new Event('online'))
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('holds a retry scheduled while navigator.onLine is false', async () => {
    const ws = createSocket()
    await tick()
    nav.onLine = false
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    nav.onLine = true
    win.dispatchEvent(new Event('online'))
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('fires a pending retry at once on the online event', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(100)
    win.dispatchEvent(new Event('online'))
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(3)
    ws.close()
  })

  it('leaves a connected socket alone on the online event', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    win.dispatchEvent(new Event('offline'))
    win.dispatchEvent(new Event('online'))
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(FakeWebSocket.latest().closeCalls).toEqual([])
    expect(log.types()).toEqual(['open'])
    ws.close()
  })

  it('ignores offline and online with reconnectOnOnline false', async () => {
    const ws = createSocket({ reconnectOnOnline: false })
    await tick()
    win.dispatchEvent(new Event('offline'))
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.instances).toHaveLength(2)
    FakeWebSocket.latest().fail()
    win.dispatchEvent(new Event('online'))
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(2000)
    expect(FakeWebSocket.instances).toHaveLength(3)
    ws.close()
  })
})

describe('visibility', () => {
  it('connects at once with the attempt counter reset when a hidden page becomes visible during a retry wait', async () => {
    doc.visibilityState = 'hidden'
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    for (const delay of [1000, 2000]) {
      FakeWebSocket.latest().fail()
      await vi.advanceTimersByTimeAsync(delay)
    }
    FakeWebSocket.latest().fail()
    expect(log.of('reconnecting').at(-1)).toMatchObject({ attempt: 3, delayMs: 4000 })
    doc.becomeVisible()
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(4)
    expect(ws.retryCount).toBe(0)
    FakeWebSocket.latest().fail()
    expect(log.of('reconnecting').at(-1)).toMatchObject({ attempt: 1, delayMs: 1000 })
    ws.close()
  })

  it('does nothing when the page becomes hidden', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().fail()
    doc.becomeHidden()
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('leaves an open connection alone when the page becomes visible', async () => {
    doc.visibilityState = 'hidden'
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    doc.becomeVisible()
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(FakeWebSocket.latest().closeCalls).toEqual([])
    expect(log.types()).toEqual(['open'])
    ws.close()
  })
})

describe('back/forward cache', () => {
  it('closes the native socket on a persisted pagehide without scheduling a retry, and reconnects on pageshow', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    const first = FakeWebSocket.latest()
    first.open()
    pageTransition('pagehide', true)
    expect(first.closeCalls).toHaveLength(1)
    expect(log.of('close')).toEqual([expect.objectContaining({ wasClean: false, willReconnect: true })])
    expect(log.of('reconnecting')).toEqual([])
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    first.finishClose()
    expect(log.of('close')).toHaveLength(1)
    pageTransition('pageshow', true)
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    FakeWebSocket.latest().open()
    expect(log.of('open')).toHaveLength(2)
    ws.close()
  })

  it('ends with one final close when close() is called while the page is in the back/forward cache', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    pageTransition('pagehide', true)
    ws.close()
    await tick()
    expect(log.of('close').map((event) => event.willReconnect)).toEqual([true, false])
    expect(ws.readyState).toBe(ws.CLOSED)
    pageTransition('pageshow', true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(win.registered.size).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('ignores pagehide and pageshow that are not persisted', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    pageTransition('pagehide', false)
    pageTransition('pageshow', false)
    await tick()
    expect(FakeWebSocket.latest().closeCalls).toEqual([])
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(log.types()).toEqual(['open'])
    ws.close()
  })
})

describe('delays the server asked for', () => {
  async function waitingAfter1013() {
    doc.visibilityState = 'hidden'
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1013, 'overloaded')
    expect(log.of('reconnecting')[0]).toMatchObject({ delayMs: 5000 })
    return ws
  }

  it('does not let the online event cut a 1013 delay', async () => {
    const ws = await waitingAfter1013()
    win.dispatchEvent(new Event('online'))
    await vi.advanceTimersByTimeAsync(4999)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('does not let a page becoming visible cut a 1013 delay', async () => {
    const ws = await waitingAfter1013()
    doc.becomeVisible()
    await vi.advanceTimersByTimeAsync(4999)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('does not let a persisted pageshow cut a 1013 delay', async () => {
    const ws = await waitingAfter1013()
    pageTransition('pagehide', true)
    pageTransition('pageshow', true)
    await vi.advanceTimersByTimeAsync(4999)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('a 1013 wait frozen in the back/forward cache past its end connects at once on pageshow', async () => {
    const ws = await waitingAfter1013()
    await vi.advanceTimersByTimeAsync(1000)
    pageTransition('pagehide', true)
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    pageTransition('pageshow', true)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('a 1013 wait restored before its end runs only what is left of it', async () => {
    const ws = await waitingAfter1013()
    await vi.advanceTimersByTimeAsync(1000)
    pageTransition('pagehide', true)
    await vi.advanceTimersByTimeAsync(1000)
    pageTransition('pageshow', true)
    await vi.advanceTimersByTimeAsync(2999)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('a backoff wait frozen in the back/forward cache connects at once on pageshow, keeping the retry count', async () => {
    const ws = createSocket({ backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 'none' } })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1001, 'deploy')
    expect(log.of('reconnecting')[0]).toMatchObject({ attempt: 1, delayMs: 60_000 })
    pageTransition('pagehide', true)
    pageTransition('pageshow', true)
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(ws.retryCount).toBe(1)
    ws.close()
  })

  it('does not let the online event or a visible page cut a delay a policy returned', async () => {
    doc.visibilityState = 'hidden'
    const ws = createSocket({ policies: { 4001: (event) => ({ action: 'retry', delayMs: Number(event.reason) }) } })
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001, '3000')
    win.dispatchEvent(new Event('online'))
    doc.becomeVisible()
    await vi.advanceTimersByTimeAsync(2999)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })
})

describe('window and document listeners', () => {
  const WINDOW_TYPES = ['offline', 'online', 'pagehide', 'pageshow']

  it('adds one listener per event once per instance, however often it reconnects', async () => {
    const ws = createSocket()
    await tick()
    for (let i = 0; i < 3; i++) {
      FakeWebSocket.latest().fail()
      await vi.advanceTimersByTimeAsync(2 ** i * 1000)
    }
    FakeWebSocket.latest().open()
    ws.reconnect()
    await tick()
    expect(win.counts()).toEqual(Object.fromEntries(WINDOW_TYPES.map((type) => [type, 1])))
    expect(doc.counts()).toEqual({ visibilitychange: 1 })
    ws.close()
  })

  it('removes its listeners when close() stops it', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().open()
    ws.close()
    FakeWebSocket.latest().finishClose()
    await tick()
    expect(win.registered.size).toBe(0)
    expect(doc.registered.size).toBe(0)
  })

  it('removes its listeners when close() stops it during a retry wait', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().fail()
    ws.close()
    await tick()
    expect(win.registered.size).toBe(0)
    expect(doc.registered.size).toBe(0)
  })

  it('removes its listeners when a policy stops it, and then ignores the environment', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1008)
    await tick()
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(win.registered.size).toBe(0)
    expect(doc.registered.size).toBe(0)
    win.dispatchEvent(new Event('online'))
    pageTransition('pageshow', true)
    doc.becomeVisible()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('removes its listeners when retries run out', async () => {
    const ws = createSocket({ maxRetries: 1 })
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().fail()
    await tick()
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(win.registered.size).toBe(0)
    expect(doc.registered.size).toBe(0)
  })
})
