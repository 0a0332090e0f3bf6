/**
 * The peers' default reconnect schedules, as documented and as their shipped
 * source actually computes them (read in node_modules at the pinned versions).
 * Each client is a separate browser, so anything a peer randomises once per
 * page load is drawn once per client here.
 */
import type { Strategy } from './simulate.js'

/** What a peer documents and where; `formula` is what the simulation runs. */
export interface PeerInfo {
  readonly strategy: Strategy
  readonly formula: string
  readonly source: string
  /** Shipped behaviour that differs from the documentation, if any. */
  readonly note?: string
  /** `false` for configurations that are not the peer's default (shown for reference only). */
  readonly isDefault: boolean
}

/**
 * reconnecting-websocket 4.4.0.
 * Defaults: node_modules/reconnecting-websocket/reconnecting-websocket.ts:39-49
 * (`maxReconnectionDelay: 10000, minReconnectionDelay: 1000 + Math.random() * 4000,
 * reconnectionDelayGrowFactor: 1.3`), README "Options → Default values".
 * `_getNextDelay()` (reconnecting-websocket.ts:309-325): `min × 1.3^(retryCount − 1)`
 * capped at `max`; `_connect()` (:349, `this._retryCount++` at :366) increments
 * before waiting, and `_acceptOpen()` (:411) resets it to 0 after `minUptime`,
 * so the n-th retry after a stable connection waits `min × 1.3^(n−1)`.
 * `minReconnectionDelay` is evaluated once, when the module loads: one random
 * value per page, so per client. A refused attempt (`error` then `close`)
 * schedules one retry: `_handleError` → `_disconnect` → `_handleClose` →
 * `_connect`, and the second `_connect` is blocked by `_connectLock`.
 * Reconnects on every close code unless `close()` was called.
 */
export const reconnectingWebsocket: Strategy = {
  name: 'reconnecting-websocket 4.4.0',
  createClient(random) {
    const min = 1000 + random() * 4000
    let retryCount = 0
    return () => {
      retryCount++
      return Math.min(min * 1.3 ** (retryCount - 1), 10_000)
    }
  },
}

/**
 * partysocket 1.3.0 (`partysocket/ws`, also the base class of `PartySocket`).
 * README "Options → Default values" documents reconnecting-websocket's
 * `minReconnectionDelay: 1000 + Math.random() * 4000`, but the shipped code
 * (node_modules/partysocket/dist/ws.js:55-65) has `minReconnectionDelay: 3e3`,
 * `maxReconnectionDelay: 1e4`, `reconnectionDelayGrowFactor: 1.3`: no
 * randomness at all. `_getNextDelay()` (dist/ws.js:292-306) is the same
 * formula, so the n-th retry waits `min(3000 × 1.3^(n−1), 10000)` for every
 * client alike. Reconnects on every code unless `shouldReconnectOnClose`
 * (undefined by default, dist/ws.js:457) says otherwise.
 */
export const partysocket: Strategy = {
  name: 'partysocket 1.3.0',
  createClient() {
    let retryCount = 0
    return () => {
      retryCount++
      return Math.min(3000 * 1.3 ** (retryCount - 1), 10_000)
    }
  },
}

/**
 * websocket-ts 2.3.0: no reconnect by default. README "Usage → Reconnect &
 * Backoff (Optional)": "If no backoff is provided, the websocket will not
 * attempt to reconnect." Source: node_modules/websocket-ts/src/websocket.ts:457
 * (`if (this.backoff === undefined) return; // no backoff defined, no retry`).
 */
export const websocketTs: Strategy = {
  name: 'websocket-ts 2.3.0',
  createClient: () => () => undefined,
}

/**
 * websocket-ts 2.3.0 as its README "Quickstart" configures it:
 * `.withBackoff(new ConstantBackoff(1000)) // retry every 1s`
 * (src/backoff/constantbackoff.ts: `next()` returns the constant). Not a
 * default; shown because it is what the README tells users to write.
 */
export const websocketTsQuickstart: Strategy = {
  name: 'websocket-ts (README quickstart)',
  createClient: () => () => 1000,
}

/**
 * sockette 2.0.6: README "API → options.timeout": "Default: 1000 … The amount
 * of time (in ms) to wait in between reconnection attempts". Source:
 * node_modules/sockette/dist/sockette.mjs:20 (`e.code === 1e3 || e.code === 1001
 * || e.code === 1005 || $.reconnect(e)`) and :34 (`setTimeout(…, opts.timeout || 1e3)`):
 * a fixed 1 s, no growth, no jitter; no reconnect after 1000/1001/1005.
 */
export const sockette: Strategy = {
  name: 'sockette 2.0.6',
  createClient: () => (code) => (code === 1000 || code === 1001 || code === 1005 ? undefined : 1000),
}

export const PEERS: readonly PeerInfo[] = [
  {
    strategy: reconnectingWebsocket,
    formula: 'n-th retry: min(m × 1.3^(n−1), 10 s), m = 1 s + U(0, 4 s) drawn once per page',
    source:
      'reconnecting-websocket/reconnecting-websocket.ts:39-49 (DEFAULT), :309 _getNextDelay; README "Options → Default values"',
    isDefault: true,
  },
  {
    strategy: partysocket,
    formula: 'n-th retry: min(3 s × 1.3^(n−1), 10 s), no jitter',
    source: 'partysocket/dist/ws.js:55-65 (DEFAULT), :292 _getNextDelay; README "Options → Default values"',
    note: 'README documents 1 s + U(0, 4 s) like reconnecting-websocket; the shipped code uses a fixed 3 s',
    isDefault: true,
  },
  {
    strategy: websocketTs,
    formula: 'no reconnect (no Backoff configured)',
    source: 'websocket-ts/src/websocket.ts:457; README "Reconnect & Backoff (Optional)"',
    isDefault: true,
  },
  {
    strategy: sockette,
    formula: 'every retry: 1 s, no jitter (stops on 1000/1001/1005)',
    source: 'sockette/dist/sockette.mjs:20,34; README "options.timeout"',
    isDefault: true,
  },
  {
    strategy: websocketTsQuickstart,
    formula: 'every retry: 1 s (ConstantBackoff(1000))',
    source: 'websocket-ts README "Quickstart"; src/backoff/constantbackoff.ts',
    isDefault: false,
  },
]
