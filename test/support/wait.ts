/**
 * Waiting in the suites that run on real time (browser, React, fault lab,
 * soak): one copy of each helper. Timing is never an assertion: `eventually`
 * only bounds how long a test waits for something that must happen, and
 * `settle` only gives something that must not happen many chances to.
 */
import { vi } from 'vitest'

/** Upper bound for one wait, well under the browser suites' 20 s testTimeout. */
export const WAIT_MS = 8_000

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Lets the page run for a while so that something that must not happen (a
 * reconnect, a second close) would have had many chances to. Never asserted on.
 */
export function settle(ms = 300): Promise<void> {
  return sleep(ms)
}

/** Polls `check` (which throws until satisfied) for at most `timeout` ms, and returns what it returned. */
export function eventually<T>(check: () => T | Promise<T>, timeout = WAIT_MS): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 10 })
}
