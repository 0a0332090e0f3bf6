/**
 * The page half of the Chromium soak, bundled by esbuild (test/soak/soak-server.ts)
 * and driven from Node (test/soak/chromium.test.ts) through `window.soak`.
 * Timers and window/document listeners are counted from before the library
 * runs; native sockets are counted by the instrumented constructor.
 */
import { Cycler, countTimers, instrument, listenerCounts } from './cycles.js'

const timers = countTimers()

/** Net listeners the page environment holds, per event type the library may listen to. */
const environmentListeners: Record<string, number> = {}
for (const target of [window, document] as EventTarget[]) {
  const add = target.addEventListener.bind(target)
  const remove = target.removeEventListener.bind(target)
  const watched = new Set(['online', 'offline', 'pagehide', 'pageshow', 'visibilitychange'])
  target.addEventListener = (type: string, ...rest: [EventListenerOrEventListenerObject | null, unknown?]) => {
    if (watched.has(type)) environmentListeners[type] = (environmentListeners[type] ?? 0) + 1
    add(type, ...(rest as [EventListenerOrEventListenerObject | null]))
  }
  target.removeEventListener = (type: string, ...rest: [EventListenerOrEventListenerObject | null, unknown?]) => {
    if (watched.has(type)) environmentListeners[type] = (environmentListeners[type] ?? 0) - 1
    remove(type, ...(rest as [EventListenerOrEventListenerObject | null]))
  }
}

const { WebSocket, census } = instrument(globalThis.WebSocket)
let cycler: Cycler | undefined

function snapshot() {
  if (!cycler) throw new Error('soak.start() first')
  return {
    opens: cycler.opens,
    closes: cycler.closes,
    errors: cycler.errors,
    finalCloses: cycler.finalCloses,
    readyState: cycler.socket.readyState,
    nativeSockets: census.created,
    collected: census.finalized,
    liveNatives: census.live(),
    doubleSockets: census.doubleSockets,
    pendingTimers: timers.pending(),
    peakPendingTimers: timers.peak,
    listeners: listenerCounts(cycler.socket),
    environmentListeners: { ...environmentListeners },
  }
}

export type SoakSnapshot = ReturnType<typeof snapshot>

const soak = {
  start(url: string): void {
    cycler = new Cycler({ url, WebSocket, timers })
  },
  async run(cycles: number): Promise<SoakSnapshot> {
    await cycler!.run(cycles)
    return snapshot()
  },
  async close(): Promise<SoakSnapshot> {
    await cycler!.close()
    return snapshot()
  },
  snapshot,
}

export type Soak = typeof soak
;(globalThis as unknown as { soak: Soak }).soak = soak
