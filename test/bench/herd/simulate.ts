/**
 * Thundering-herd model (issue 5): N clients lose their connection at t = 0 and
 * reconnect against a server that admits a fixed number of connections per
 * second. No network, no timers: a discrete-event simulation over pure
 * functions, deterministic for a given seed.
 *
 * Server: admits `admissionPerSecond` connections per second, modelled either
 * as admission slots (each 1 s window of the clock has `admissionPerSecond`
 * slots; the default, and the model that reproduces the reference
 * numbers for sockette and reconnecting-websocket) or as a token bucket
 * refilled at `admissionPerSecond` and holding at most `burst` tokens (full at
 * t = 0). An attempt that finds capacity is admitted and the client stays
 * connected; one that finds none is refused at once and the client sees a
 * close with `refusedCloseCode` (1006: no close frame).
 *
 * Our library is simulated with the very functions the socket uses
 * (`jitterStrategies`/`createBackoff`, `DEFAULT_OPTIONS.backoff`, the rows of
 * `CLOSE_CODES`), merged the way `socket.ts` merges them:
 * `delay = jitterStrategies[j]({ ...backoff, ...rowBackoff })(attempt, previousDelayMs, random())`,
 * `attempt` counting from 1 since the last stable open and `previousDelayMs`
 * the last delay used (shared across codes, like the socket's counters).
 */
import {
  type BackoffFunction,
  type BackoffOptions,
  CLOSE_CODES,
  type CloseAction,
  createBackoff,
  DEFAULT_OPTIONS,
  jitterStrategies,
} from '../../../src/index.js'
import { mulberry32 } from '../../support/random.js'

/** A source of numbers in [0, 1). */
export type Random = () => number

/** The seeded PRNG the simulation uses (shared with the fault lab). */
export { mulberry32 }

/**
 * One client's reconnect logic, called once per close in order: the close code
 * in, the delay before the next attempt out (`undefined`: the client stops).
 */
export type ClientSchedule = (code: number) => number | undefined

/** A reconnect strategy: makes one schedule per client (a client may draw per-client constants). */
export interface Strategy {
  readonly name: string
  createClient(random: Random): ClientSchedule
}

/** The server and the drop. */
export interface Scenario {
  readonly name: string
  /** How many clients were connected at t = 0. */
  readonly clients: number
  /** The code every client sees when its connection drops (1012 restart, 1006 crash). */
  readonly closeCode: number
  /** The code a refused attempt reports (no close frame: 1006). */
  readonly refusedCloseCode: number
  /** `slots`: `admissionPerSecond` slots in each 1 s window; `bucket`: a token bucket. */
  readonly admission: AdmissionModel
  /** Connections the server admits per second. */
  readonly admissionPerSecond: number
  /** Token-bucket size (and its content when the server comes up); `bucket` only. */
  readonly burst: number
  /** The server refuses everything before this time (0: it is back at once, the setup). */
  readonly downMs: number
  /** Clients notice the drop at a uniform random time in [0, dropSpreadMs] (0: all at t = 0). */
  readonly dropSpreadMs: number
  /** Width of the windows attempts are counted in. */
  readonly windowMs: number
  /** The simulation stops here even if clients are still out. */
  readonly horizonMs: number
}

/** The setup: 10,000 clients, 500 admissions/s, 100 ms windows. */
export const BASE_SCENARIO = {
  clients: 10_000,
  refusedCloseCode: 1006,
  admission: 'slots',
  admissionPerSecond: 500,
  burst: 500,
  dropSpreadMs: 0,
  downMs: 0,
  windowMs: 100,
  horizonMs: 600_000,
} as const satisfies Omit<Scenario, 'name' | 'closeCode'>

export const RESTART_1012: Scenario = { name: 'restart (1012)', closeCode: 1012, ...BASE_SCENARIO }
export const CRASH_1006: Scenario = { name: 'crash (1006)', closeCode: 1006, ...BASE_SCENARIO }
export const SCENARIOS: readonly Scenario[] = [RESTART_1012, CRASH_1006]

/** What one run measured. */
export interface RunResult {
  /** Connection attempts made after the drop (admitted + refused). */
  attempts: number
  refused: number
  /** Clients connected again by the end. */
  connected: number
  /** Clients that gave up (their schedule returned `undefined`). */
  stopped: number
  /** When the last client got back in; `null` if some never did. */
  recoveredMs: number | null
  /** Most attempts in one window. */
  peakPerWindow: number
  /** Attempts per window, from t = 0 to the last attempt. */
  perWindow: number[]
  /** Admitted attempts per window (same windows). */
  admittedPerWindow: number[]
}

interface Pending {
  time: number
  client: number
}

/** A binary min-heap on (time, client): equal times run in client order, so runs are reproducible. */
class Queue {
  readonly #items: Pending[] = []

  get size(): number {
    return this.#items.length
  }

  static #before(a: Pending, b: Pending): boolean {
    return a.time < b.time || (a.time === b.time && a.client < b.client)
  }

  push(item: Pending): void {
    const items = this.#items
    let i = items.push(item) - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!Queue.#before(items[i]!, items[parent]!)) break
      ;[items[i], items[parent]] = [items[parent]!, items[i]!]
      i = parent
    }
  }

  pop(): Pending | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (items.length > 0 && last) {
      items[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < items.length && Queue.#before(items[l]!, items[m]!)) m = l
        if (r < items.length && Queue.#before(items[r]!, items[m]!)) m = r
        if (m === i) break
        ;[items[i], items[m]] = [items[m]!, items[i]!]
        i = m
      }
    }
    return top
  }
}

/** How the server's capacity is shaped in time. */
export type AdmissionModel = 'slots' | 'bucket'

/**
 * The server's admission control: call with non-decreasing times; each call
 * is one attempt and returns whether it is admitted.
 */
export function createAdmission(
  scenario: Pick<Scenario, 'admission' | 'admissionPerSecond' | 'burst' | 'downMs'>,
): (time: number) => boolean {
  const rate = scenario.admissionPerSecond
  const up = scenario.downMs
  if (scenario.admission === 'slots') {
    let second = Number.NaN
    let used = 0
    return (time) => {
      if (time < up) return false
      const s = Math.floor((time - up) / 1000)
      if (s !== second) {
        second = s
        used = 0
      }
      if (used >= rate) return false
      used++
      return true
    }
  }
  let tokens = scenario.burst
  let last = up
  return (time) => {
    if (time < up) return false
    tokens = Math.min(scenario.burst, tokens + ((time - last) * rate) / 1000)
    last = time
    if (tokens < 1) return false
    tokens -= 1
    return true
  }
}

/** Runs one scenario for one strategy with one seed. */
export function simulate(strategy: Strategy, scenario: Scenario, seed: number): RunResult {
  const random = mulberry32(seed)
  const clients = Array.from({ length: scenario.clients }, () => strategy.createClient(random))
  const queue = new Queue()
  const perWindow: number[] = []
  const admittedPerWindow: number[] = []
  const admit = createAdmission(scenario)
  let attempts = 0
  let refused = 0
  let connected = 0
  let stopped = 0
  let lastAdmission = 0

  const closed = (client: number, time: number, code: number): void => {
    const delay = clients[client]!(code)
    if (delay === undefined) stopped++
    else queue.push({ time: time + delay, client })
  }

  for (let client = 0; client < scenario.clients; client++) {
    const noticed = scenario.dropSpreadMs > 0 ? random() * scenario.dropSpreadMs : 0
    closed(client, noticed, scenario.closeCode)
  }

  for (let next = queue.pop(); next && next.time <= scenario.horizonMs; next = queue.pop()) {
    attempts++
    const window = Math.floor(next.time / scenario.windowMs)
    while (perWindow.length <= window) {
      perWindow.push(0)
      admittedPerWindow.push(0)
    }
    perWindow[window]!++
    if (admit(next.time)) {
      admittedPerWindow[window]!++
      connected++
      lastAdmission = next.time
    } else {
      refused++
      closed(next.client, next.time, scenario.refusedCloseCode)
    }
  }

  return {
    attempts,
    refused,
    connected,
    stopped,
    recoveredMs: connected === scenario.clients ? lastAdmission : null,
    peakPerWindow: perWindow.reduce((a, b) => Math.max(a, b), 0),
    perWindow,
    admittedPerWindow,
  }
}

// ---------------------------------------------------------------------------
// Our library

/** A row's backoff override (the same shape a `{ action: 'retry', backoff }` policy takes). */
export type RowBackoff = Partial<BackoffOptions>

/**
 * The configuration under test: the global `backoff` option and per-code row
 * backoffs. Rows given here replace the backoff of that code's `CLOSE_CODES`
 * row (`null` removes it); codes not given keep what `CLOSE_CODES` says
 * (today only 1013 has a backoff of its own). Actions always come from
 * `CLOSE_CODES` (unlisted codes: `retry`).
 */
export interface BackoffConfig {
  readonly backoff?: Partial<BackoffOptions>
  readonly rows?: Readonly<Record<number, RowBackoff | null>>
}

/** The defaults the library ships: `DEFAULT_OPTIONS.backoff` and the rows of `CLOSE_CODES`. */
export const CURRENT_DEFAULTS: BackoffConfig = {}

function rowOf(code: number): { action: CloseAction; backoff: RowBackoff } {
  const row = Object.hasOwn(CLOSE_CODES, code) ? CLOSE_CODES[code as keyof typeof CLOSE_CODES] : undefined
  const policy = row?.policy ?? 'retry'
  return typeof policy === 'string' ? { action: policy, backoff: {} } : { action: 'retry', backoff: policy.backoff }
}

/** The complete backoff the socket would use for a close with `code`, or `undefined` if it does not retry. */
export function effectiveBackoff(config: BackoffConfig, code: number): BackoffOptions | undefined {
  const row = rowOf(code)
  if (row.action !== 'retry') return undefined
  const override = config.rows?.[code]
  const rowBackoff = override === undefined ? row.backoff : (override ?? {})
  return { ...DEFAULT_OPTIONS.backoff, ...config.backoff, ...rowBackoff }
}

/**
 * The delay the socket picks for a close: `jitterStrategies` on the merged
 * backoff, exactly as `socket.ts` calls it. `undefined` when the code stops.
 */
export function ourDelay(
  config: BackoffConfig,
  code: number,
  attempt: number,
  previousDelayMs: number,
  random: number,
): number | undefined {
  const backoff = effectiveBackoff(config, code)
  return backoff && jitterStrategies[backoff.jitter](backoff)(attempt, previousDelayMs, random)
}

/**
 * Our socket as a strategy. Each code's schedule is built once with
 * `createBackoff` (which validates the configuration like the socket's option
 * checks, and fills defaults the same way).
 */
export function resilientStrategy(name: string, config: BackoffConfig = CURRENT_DEFAULTS): Strategy {
  const schedules = new Map<number, BackoffFunction | undefined>()
  const scheduleFor = (code: number): BackoffFunction | undefined => {
    if (!schedules.has(code)) {
      const backoff = effectiveBackoff(config, code)
      schedules.set(code, backoff && createBackoff(backoff))
    }
    return schedules.get(code)
  }
  // Validate eagerly so a bad configuration fails before any run.
  scheduleFor(1006)
  scheduleFor(1012)
  return {
    name,
    createClient(random) {
      let attempt = 0
      let previousDelayMs = 0
      return (code) => {
        const schedule = scheduleFor(code)
        if (!schedule) return undefined
        attempt++
        previousDelayMs = schedule(attempt, previousDelayMs, random())
        return previousDelayMs
      }
    },
  }
}

// ---------------------------------------------------------------------------
// Statistics

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Medians (and ranges) over several seeds. `recoveredMs` is `null` if any seed left clients out. */
export interface Summary {
  strategy: string
  scenario: string
  seeds: number[]
  peakPerWindow: { median: number; min: number; max: number }
  attempts: { median: number; min: number; max: number }
  recoveredMs: { median: number; min: number; max: number } | null
  connected: number
  /** The run of the first seed, for charts. */
  perWindow: number[]
}

function stats(values: readonly number[]): { median: number; min: number; max: number } {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) }
}

export function runSeeds(strategy: Strategy, scenario: Scenario, seeds: readonly number[]): Summary {
  const runs = seeds.map((seed) => simulate(strategy, scenario, seed))
  const recovered = runs.map((r) => r.recoveredMs)
  return {
    strategy: strategy.name,
    scenario: scenario.name,
    seeds: [...seeds],
    peakPerWindow: stats(runs.map((r) => r.peakPerWindow)),
    attempts: stats(runs.map((r) => r.attempts)),
    recoveredMs: recovered.every((r): r is number => r !== null) ? stats(recovered) : null,
    connected: Math.min(...runs.map((r) => r.connected)),
    perWindow: runs[0]?.perWindow ?? [],
  }
}

/**
 * The target for one scenario: among the subjects that bring every
 * client back, ours has the lowest peak and the fewest attempts, and recovers
 * no later than 1.1 × the best-behaved peer (the recovering peer with the
 * lowest peak). Compares medians.
 */
export function meetsTarget(
  ours: Summary,
  peers: readonly Summary[],
  slack = 1.1,
): { ok: boolean; bestPeer: string | undefined; reasons: string[] } {
  const recovering = peers.filter((p) => p.recoveredMs !== null)
  const best = [...recovering].sort((a, b) => a.peakPerWindow.median - b.peakPerWindow.median)[0]
  const reasons: string[] = []
  if (ours.recoveredMs === null) reasons.push('not every client reconnects')
  for (const p of recovering) {
    if (ours.peakPerWindow.median >= p.peakPerWindow.median) reasons.push(`peak ≥ ${p.strategy}`)
    if (ours.attempts.median >= p.attempts.median) reasons.push(`attempts ≥ ${p.strategy}`)
  }
  if (best?.recoveredMs && ours.recoveredMs && ours.recoveredMs.median > slack * best.recoveredMs.median) {
    reasons.push(`all back > ${slack} × ${best.strategy}`)
  }
  return { ok: reasons.length === 0, bestPeer: best?.strategy, reasons }
}
