import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'
import {
  type DocumentStub,
  type PageOptions,
  type PageStub,
  stubPage,
  type WindowStub,
} from '../support/window-stub.js'

let page: PageStub
let win: WindowStub
let doc: DocumentStub

/** A page that starts in another state than the default (online, visible, showing). */
function restub(options: PageOptions): void {
  vi.unstubAllGlobals()
  page = stubPage(options)
  win = page.window
  doc = page.document
}

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers()
  restub({})
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('offline and online', () => {
  it('holds a retry scheduled after an offline event until the online event, then connects at once', async () => {
    const ws = createSocket()
    await tick()
    win.goOffline()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(ws.readyState).toBe(ws.CONNECTING)
    win.goOnline()
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('holds a pending retry when the offline event arrives during the wait', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().fail()
    win.goOffline()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    win.goOnline()
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('holds a retry scheduled while navigator.onLine is false (a page that started offline sees no offline event)', async () => {
    restub({ onLine: false })
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    win.goOnline()
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('fires a pending retry at once on the online event, cutting what is left of the wait', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(100)
    // 1900 ms of the 2000 ms wait are left; a browser fires online only after an offline.
    win.goOffline()
    win.goOnline()
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(3)
    ws.close()
  })

  it('leaves a connected socket alone on the online event', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    win.goOffline()
    win.goOnline()
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(FakeWebSocket.latest().closeCalls).toEqual([])
    expect(log.types()).toEqual(['open'])
    ws.close()
  })

  it('ignores offline and online with reconnectOnOnline false', async () => {
    const ws = createSocket({ reconnectOnOnline: false })
    await tick()
    win.goOffline()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.instances).toHaveLength(2)
    FakeWebSocket.latest().fail()
    win.goOnline()
    await tick()
    expect(FakeWebSocket.instances).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(2000)
    expect(FakeWebSocket.instances).toHaveLength(3)
    ws.close()
  })
})

describe('visibility', () => {
  it('connects at once with the attempt counter reset when a hidden page becomes visible during a retry wait', async () => {
    restub({ visibilityState: 'hidden' })
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
    restub({ visibilityState: 'hidden' })
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
    win.pageHide(true)
    expect(first.closeCalls).toHaveLength(1)
    expect(log.of('close')).toEqual([expect.objectContaining({ wasClean: false, willReconnect: true })])
    expect(log.of('reconnecting')).toEqual([])
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    first.finishClose()
    expect(log.of('close')).toHaveLength(1)
    win.pageShow(true)
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
    win.pageHide(true)
    ws.close()
    await tick()
    expect(log.of('close').map((event) => event.willReconnect)).toEqual([true, false])
    expect(ws.readyState).toBe(ws.CLOSED)
    win.pageShow(true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(win.total()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('ignores a pagehide that is not persisted (the page is unloaded, not cached)', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    win.pageHide(false)
    await tick()
    expect(FakeWebSocket.latest().closeCalls).toEqual([])
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(log.types()).toEqual(['open'])
    ws.close()
  })

  it('ignores a pageshow that is not persisted (the first show of a page created while loading)', async () => {
    restub({ showing: false })
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    win.pageShow(false)
    await tick()
    expect(FakeWebSocket.latest().closeCalls).toEqual([])
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(log.types()).toEqual(['open'])
    ws.close()
  })
})

describe('delays the server asked for', () => {
  async function waitingAfter1013() {
    restub({ visibilityState: 'hidden' })
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
    win.goOffline()
    win.goOnline()
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
    win.pageHide(true)
    win.pageShow(true)
    await vi.advanceTimersByTimeAsync(4999)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('a 1013 wait frozen in the back/forward cache past its end connects at once on pageshow', async () => {
    const ws = await waitingAfter1013()
    await vi.advanceTimersByTimeAsync(1000)
    win.pageHide(true)
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    win.pageShow(true)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('a 1013 wait restored before its end runs only what is left of it', async () => {
    const ws = await waitingAfter1013()
    await vi.advanceTimersByTimeAsync(1000)
    win.pageHide(true)
    await vi.advanceTimersByTimeAsync(1000)
    win.pageShow(true)
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
    win.pageHide(true)
    win.pageShow(true)
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(ws.retryCount).toBe(1)
    ws.close()
  })

  it('does not let the online event or a visible page cut a delay a policy returned', async () => {
    restub({ visibilityState: 'hidden' })
    const ws = createSocket({ policies: { 4001: (event) => ({ action: 'retry', delayMs: Number(event.reason) }) } })
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001, '3000')
    win.goOffline()
    win.goOnline()
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
    expect(win.total()).toBe(0)
    expect(doc.total()).toBe(0)
  })

  it('removes its listeners when close() stops it during a retry wait', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().fail()
    ws.close()
    await tick()
    expect(win.total()).toBe(0)
    expect(doc.total()).toBe(0)
  })

  it('removes its listeners when a policy stops it, and then ignores the environment', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1008)
    await tick()
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(win.total()).toBe(0)
    expect(doc.total()).toBe(0)
    win.goOffline()
    win.goOnline()
    win.pageHide(true)
    win.pageShow(true)
    doc.becomeHidden()
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
    expect(win.total()).toBe(0)
    expect(doc.total()).toBe(0)
  })
})
