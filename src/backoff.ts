import { resolveBackoff } from './options.js'

/**
 * Retry delays as pure functions of the attempt number, the previous delay
 * and one random number, so tests and simulations can call them directly.
 */

/** How randomness spreads the delays of many clients that lost their server at the same moment. */
export type Jitter = 'full' | 'equal' | 'decorrelated' | 'none'

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

/**
 * The schedule the options describe; missing fields take the defaults.
 * Throws a `TypeError`/`RangeError` naming the field for invalid options.
 */
export function createBackoff(options: Partial<BackoffOptions> = {}): BackoffFunction {
  const resolved = resolveBackoff(options, 'backoff')
  return jitterStrategies[resolved.jitter](resolved)
}
