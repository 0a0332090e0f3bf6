/**
 * Long run in Chromium (issue 4, item 3): thousands of reconnect cycles in a
 * real page against a real `ws` server (test/soak/cycles.ts), driven from
 * Node with playwright-core. The heap is measured over the DevTools protocol
 * after forced collections (`HeapProfiler.collectGarbage`,
 * `Runtime.getHeapUsage`); native sockets, timers and window/document
 * listeners are counted in the page (test/soak/page.ts). `SOAK_CYCLES` sets
 * the count (`npm run soak`: 10,000).
 */
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_ARGS, CHROMIUM_PATH, UNTHROTTLED_ARGS } from '../support/chromium.js'
import { CYCLES, HEAP_BOUND_BYTES, heapFigures, WARMUP_CYCLES } from './limits.js'
import type { Soak, SoakSnapshot } from './page.js'
import { type SoakServer, startSoakServer } from './soak-server.js'

let server: SoakServer
let browser: Browser
let page: Page
let cdp: CDPSession

beforeAll(async () => {
  server = await startSoakServer({ page: true })
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...UNTHROTTLED_ARGS],
    timeout: 30_000,
  })
  page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${server.port}/`)
  cdp = await page.context().newCDPSession(page)
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** Calls a method of the page's `soak` object (test/soak/page.ts). */
function soak<K extends keyof Soak>(method: K, ...args: Parameters<Soak[K]>): Promise<Awaited<ReturnType<Soak[K]>>> {
  return page.evaluate(
    ([name, rest]) =>
      (globalThis as unknown as { soak: Record<string, (...a: unknown[]) => unknown> }).soak[name]!(...rest),
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<Soak[K]>>>
}

/** JS heap used after full collections, with a task turn in between for FinalizationRegistry callbacks. */
async function heapAfterGc(): Promise<number> {
  let used = Number.POSITIVE_INFINITY
  for (let i = 0; i < 4; i++) {
    await cdp.send('HeapProfiler.collectGarbage')
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const channel = new MessageChannel()
          channel.port1.onmessage = () => resolve()
          channel.port2.postMessage(0)
        }),
    )
    used = Math.min(used, (await cdp.send('Runtime.getHeapUsage')).usedSize)
  }
  return used
}

describe('Chromium', () => {
  it(`${CYCLES} reconnect cycles: bounded heap, old sockets collected, listeners and timers constant`, async () => {
    await soak('start', `ws://127.0.0.1:${server.port}/`)
    const warm = await soak('run', WARMUP_CYCLES.chromium)
    const heapBefore = await heapAfterGc()
    const started = performance.now()
    const points = [{ cycles: 0, heap: heapBefore }]
    let running: SoakSnapshot = warm
    for (let i = 1; i <= 10; i++) {
      running = await soak('run', Math.ceil(CYCLES / 10))
      points.push({ cycles: running.opens - warm.opens, heap: await heapAfterGc() })
    }
    const elapsedMs = performance.now() - started
    // Read after the last collection: what the page still holds with the socket open.
    const idle = await soak('snapshot')
    const heapAfter = points.at(-1)!.heap
    const closed = await soak('close')
    await heapAfterGc()
    const final = await soak('snapshot')

    const figures = {
      cycles: running.opens - warm.opens,
      warmup: warm.opens,
      ...heapFigures(points, heapBefore, elapsedMs),
      nativeSockets: final.nativeSockets,
      collected: final.collected,
      uncollectedWhileOpen: idle.nativeSockets - idle.collected,
      uncollectedAfterClose: final.nativeSockets - final.collected,
      pendingTimersAfterClose: final.pendingTimers,
      peakPendingTimers: final.peakPendingTimers,
      serverConnections: server.connections(),
    }
    console.log(`Chromium soak: ${JSON.stringify(figures)}`)

    expect(running.opens - warm.opens).toBeGreaterThanOrEqual(CYCLES)
    expect(heapAfter - heapBefore).toBeLessThan(HEAP_BOUND_BYTES)
    expect(running.listeners).toEqual(warm.listeners)
    // One window/document listener per type while the socket runs, none once it stopped for good.
    expect(running.environmentListeners).toEqual({
      online: 1,
      offline: 1,
      pagehide: 1,
      pageshow: 1,
      visibilitychange: 1,
    })
    expect(closed.environmentListeners).toEqual({
      online: 0,
      offline: 0,
      pagehide: 0,
      pageshow: 0,
      visibilitychange: 0,
    })
    expect(final.doubleSockets).toBe(0)
    // With the socket open, only its native socket (and at most one left by reconnect() that may still be
    // finishing its closing handshake) survives a collection; after close() the wrapper holds its last one
    // (for `url`/`protocol`) and every older one is collected.
    expect(idle.nativeSockets - idle.collected).toBeLessThanOrEqual(2)
    expect(final.nativeSockets - final.collected).toBeLessThanOrEqual(1)
    expect(final.liveNatives).toBe(0)
    expect(final.pendingTimers).toBe(0)
    expect(final.peakPendingTimers).toBeLessThanOrEqual(4)
    expect(final.finalCloses).toBe(1)
    expect(final.readyState).toBe(3)
  })
})
