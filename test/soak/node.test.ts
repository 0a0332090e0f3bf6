/**
 * Long run in Node (issue 4, item 3): the library with `ws`'s WebSocket as
 * `options.WebSocket`, thousands of reconnect cycles (test/soak/cycles.ts).
 * Needs `--expose-gc` (the Vitest project passes it in `execArgv`).
 *
 * Checked: heap after forced GC grows less than HEAP_BOUND_BYTES over the
 * cycles; old native sockets are collected (FinalizationRegistry) while the
 * wrapper lives on; listener counts on the wrapper are the same before and
 * after; no timer is left once the wrapper is closed; never two native
 * sockets at once. `SOAK_CYCLES` sets the count (`npm run soak`: 10,000).
 */
import { createServer, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket as WsWebSocket } from 'ws'
import { ResilientWebSocket } from '../../src/index.js'
import { sleep } from '../support/wait.js'
import { Cycler, countTimers, instrument, listenerCounts } from './cycles.js'
import { CYCLES, HEAP_BOUND_BYTES, heapFigures, WARMUP_CYCLES } from './limits.js'
import { type SoakServer, startSoakServer } from './soak-server.js'

type NativeConstructor = Parameters<typeof instrument>[0]

let server: SoakServer
beforeAll(async () => {
  server = await startSoakServer()
})
afterAll(() => server?.stop())

const gc = (globalThis as { gc?: () => void }).gc

/** Heap used after full collections, with FinalizationRegistry callbacks given the chance to run in between. */
async function heapAfterGc(): Promise<number> {
  let used = Number.POSITIVE_INFINITY
  for (let i = 0; i < 6; i++) {
    gc!()
    await new Promise((resolve) => setImmediate(resolve))
    used = Math.min(used, process.memoryUsage().heapUsed)
  }
  return used
}

/**
 * `ws`'s WebSocket is an EventEmitter: an `error` it emits with no listener
 * throws out of the event loop. Browsers never do that, so this subclass
 * records such errors instead of crashing the run.
 */
function guarded(unhandled: unknown[]): NativeConstructor {
  class Guarded extends WsWebSocket {
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'error' && this.listenerCount('error') === 0) {
        unhandled.push(args[0])
        return false
      }
      return super.emit(event, ...args)
    }
  }
  return Guarded
}

describe('Node, ws as the native socket', () => {
  it(`${CYCLES} reconnect cycles: bounded heap, old sockets collected, listeners and timers constant`, async () => {
    expect(gc, 'run with --expose-gc').toBeTypeOf('function')
    const unhandled: unknown[] = []
    const timers = countTimers((stack) => stack.includes('/src/') || stack.includes('/node_modules/ws/'))
    try {
      const { WebSocket, census } = instrument(guarded(unhandled))
      const cycler = new Cycler({ url: `ws://127.0.0.1:${server.port}/`, WebSocket, timers })
      await cycler.run(WARMUP_CYCLES.node)
      const warm = cycler.opens
      const listenersBefore = listenerCounts(cycler.socket)
      const heapBefore = await heapAfterGc()
      const started = performance.now()
      const points = [{ cycles: 0, heap: heapBefore }]
      for (let i = 1; i <= 10; i++) {
        await cycler.run(Math.ceil(CYCLES / 10))
        points.push({ cycles: cycler.opens - warm, heap: await heapAfterGc() })
      }
      const elapsedMs = performance.now() - started
      const heapAfter = points.at(-1)!.heap
      const listenersAfter = listenerCounts(cycler.socket)
      const uncollectedWhileOpen = census.created - census.finalized

      await cycler.close()
      await heapAfterGc()
      const figures = {
        cycles: cycler.opens - warm,
        warmup: warm,
        ...heapFigures(points, heapBefore, elapsedMs),
        nativeSockets: census.created,
        collected: census.finalized,
        uncollectedWhileOpen,
        uncollectedAfterClose: census.created - census.finalized,
        pendingTimersAfterClose: timers.pending(),
        peakPendingTimers: timers.peak,
      }
      console.log(`Node soak: ${JSON.stringify(figures)}`)

      expect(cycler.opens - warm).toBeGreaterThanOrEqual(CYCLES)
      expect(heapAfter - heapBefore).toBeLessThan(HEAP_BOUND_BYTES)
      expect(listenersAfter).toEqual(listenersBefore)
      expect(census.doubleSockets).toBe(0)
      // With the socket open, only its native socket (and at most one left by reconnect() that may still be
      // finishing its closing handshake) survives a collection; after close() the wrapper holds its last one
      // (for `url`/`protocol`) and every older one is collected.
      expect(uncollectedWhileOpen).toBeLessThanOrEqual(2)
      expect(census.created - census.finalized).toBeLessThanOrEqual(1)
      expect(timers.pending()).toBe(0)
      // The wrapper's stable/heartbeat/connect timers plus `ws`'s closing-handshake timers of both ends.
      expect(timers.peak).toBeLessThanOrEqual(8)
      expect(cycler.finalCloses).toBe(1)
      expect(cycler.socket.readyState).toBe(ResilientWebSocket.CLOSED)
      expect(unhandled).toEqual([])
    } finally {
      timers.restore()
    }
  })
})

describe('Node, ws as the native socket: abandoning a CONNECTING socket', () => {
  // ws emits `error` when a CONNECTING socket is closed; the wrapper has taken its
  // listeners off by then, and an EventEmitter `error` with no listener throws.
  it.each([
    ['close() while connecting', (socket: ResilientWebSocket) => socket.close()],
    ['reconnect() while connecting', (socket: ResilientWebSocket) => socket.reconnect()],
  ])('%s raises no unhandled error', async (_name, act) => {
    const unhandled: unknown[] = []
    const socket = new ResilientWebSocket(`ws://127.0.0.1:${server.port}/`, undefined, {
      WebSocket: guarded(unhandled),
      backoff: { initialDelayMs: 1, maxDelayMs: 2 },
    })
    act(socket)
    await sleep(100)
    socket.close()
    await sleep(50)
    expect(unhandled.map(String)).toEqual([])
  })

  it('a connect timeout raises no unhandled error', async () => {
    const unhandled: unknown[] = []
    // A listener that never answers the upgrade.
    const held = new Set<Socket>()
    const silent = createServer((connection) => held.add(connection))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    const socket = new ResilientWebSocket(`ws://127.0.0.1:${port}/`, undefined, {
      WebSocket: guarded(unhandled),
      connectTimeoutMs: 50,
      maxRetries: 0,
    })
    await new Promise((resolve) => socket.once('close', resolve))
    await sleep(50)
    for (const connection of held) connection.destroy()
    silent.close()
    expect(unhandled.map(String)).toEqual([])
  })
})
