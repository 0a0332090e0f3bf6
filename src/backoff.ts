/**
 * Retry delays as pure functions of the attempt number, the previous delay
 * and one random number, so tests and simulations can call them directly.
 */
import { checkChoice, checkNumber, checkObject } from './validate.js'

/** The jitter modes; the runtime list the `Jitter` type is read from. */
export const JITTERS = ['full', 'equal', 'decorrelated', 'none'] as const

/** How randomness spreads the delays of many clients that lost their server at the same moment. */
export type Jitter = (typeof JITTERS)[number]

/** How long to wait before each retry. */
export interface BackoffOptions {
  /**
   * The delay before the first retry, before jitter (with full jitter, the first retry comes at a random point in [0, initialDelayMs]).
   * @default 5000
   */
  initialDelayMs: number
  /**
   * No computed delay is longer than this.
   * @default 15000
   */
  maxDelayMs: number
  /**
   * Each retry's delay is this many times the previous one, before jitter (`decorrelated` grows by up to 3× instead).
   * @default 2
   */
  factor: number
  /**
   * `full`: random in [0, d]; `equal`: random in [d/2, d]; `decorrelated`: random in
   * [initialDelayMs, 3 × previous delay] (AWS's "decorrelated jitter"); `none`: exactly d,
   * where d = initialDelayMs × factor^(attempt − 1).
   * @default 'full'
   */
  jitter: Jitter
}

/**
 * A delay schedule: `attempt` counts from 1, `previousDelayMs` is the delay
 * used before the previous retry (0 before the first), `random` is a number
 * in [0, 1). Returns milliseconds.
 */
export type BackoffFunction = (attempt: number, previousDelayMs: number, random: number) => number

/** The longest delay `setTimeout` can hold (2^31 − 1 ms); longer ones fire at once. */
export const MAX_DELAY_MS = 2_147_483_647

/** Clamps a delay to what `setTimeout` can hold, mapping NaN to 0. */
export function clampDelay(ms: number, maxMs: number = MAX_DELAY_MS): number {
  const upper = Math.min(maxMs, MAX_DELAY_MS)
  return ms > 0 ? Math.min(ms, upper) : 0
}

/** The exponential delay before jitter: initialDelayMs × factor^(attempt − 1), capped at maxDelayMs. */
export function exponentialDelay(options: BackoffOptions, attempt: number): number {
  return clampDelay(options.initialDelayMs * options.factor ** Math.max(0, attempt - 1), options.maxDelayMs)
}

/** One schedule per jitter mode, each clamped to [0, maxDelayMs]. */
export const jitterStrategies: Readonly<Record<Jitter, (options: BackoffOptions) => BackoffFunction>> = {
  none: (o) => (attempt) => exponentialDelay(o, attempt),
  full: (o) => (attempt, _previous, random) => clampDelay(random * exponentialDelay(o, attempt), o.maxDelayMs),
  equal: (o) => (attempt, _previous, random) => {
    const d = exponentialDelay(o, attempt)
    return clampDelay(d / 2 + (random * d) / 2, o.maxDelayMs)
  },
  decorrelated: (o) => (_attempt, previous, random) => {
    const floor = o.initialDelayMs
    const ceiling = Math.max(previous, floor) * 3
    return clampDelay(floor + random * (ceiling - floor), o.maxDelayMs)
  },
}

/** The default schedule (`DEFAULT_OPTIONS.backoff`). */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = {
  // A first retry at a random point in 0–5 s is what RFC 6455 §7.2.3 suggests after an
  // abnormal close. The 15 s cap: with full jitter the last of a herd of clients waits up
  // to the cap, so a longer one slows recovery after an outage without lowering the peak
  // (test/bench/herd simulates 10,000 clients against a server admitting 500/s).
  initialDelayMs: 5000,
  maxDelayMs: 15_000,
  factor: 2,
  jitter: 'full',
}

/** Checks a partial backoff (the socket's, or a policy's) without filling defaults. */
export function checkBackoff(value: unknown, name: string): Partial<BackoffOptions> {
  const o = checkObject(value, name, ['initialDelayMs', 'maxDelayMs', 'factor', 'jitter'])
  const out: Partial<BackoffOptions> = {}
  for (const key of ['initialDelayMs', 'maxDelayMs', 'factor'] as const) {
    if (o[key] !== undefined) out[key] = checkNumber(o[key], `${name}.${key}`, key === 'factor' ? 1 : 0)
  }
  if (o.jitter !== undefined) out.jitter = checkChoice(o.jitter, `${name}.jitter`, JITTERS)
  return out
}

/** A checked backoff with the defaults filled in. */
export function resolveBackoff(value: unknown, name: string): BackoffOptions {
  return { ...DEFAULT_BACKOFF, ...checkBackoff(value ?? {}, name) }
}

/**
 * The schedule the options describe; missing fields take the defaults.
 * Throws a `TypeError`/`RangeError` naming the field for invalid options.
 */
export function createBackoff(options: Partial<BackoffOptions> = {}): BackoffFunction {
  const resolved = resolveBackoff(options, 'backoff')
  return jitterStrategies[resolved.jitter](resolved)
}
