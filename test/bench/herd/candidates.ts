/**
 * Alternative defaults evaluated against the peers. Each is a configuration the
 * socket could ship without renaming or changing the meaning of any option:
 * (a) new numbers for the global `backoff` default, or (b) the global default
 * kept and the 1012/1006 rows of `CLOSE_CODES` given a backoff of their own,
 * like 1013 has. Jitter is `full` unless the label says otherwise; a row with
 * its own `jitter` would need `DefaultPolicy`'s row type widened from
 * `{ initialDelayMs, maxDelayMs }` to `Partial<BackoffOptions>`.
 *
 * Standards: RFC 6455 §7.2.3 suggests a random first delay of 0–5 s after an
 * abnormal closure, then a growing one (e.g. truncated binary exponential
 * backoff); the IANA registry's note for 1012 (Service Restart) says clients
 * should reconnect after a randomised 5–30 s.
 */
import type { BackoffConfig } from './simulate.js'

export interface Candidate {
  readonly id: string
  readonly shape: 'current' | 'a' | 'b'
  readonly label: string
  readonly config: BackoffConfig
}

/** What the library ships today (`DEFAULT_OPTIONS.backoff` and `CLOSE_CODES` as they are in src). */
export const CURRENT: Candidate = {
  id: 'current',
  shape: 'current',
  label: 'ours, current defaults',
  config: {},
}

/**
 * The library ships shape (a): `DEFAULT_OPTIONS.backoff` is `{ 5000, 15000, ×2, full }`
 * (CURRENT above). Shape (a) won over this (b) alternative because a user's own
 * `backoff` then applies to every code alike, and 1001 (a deploy draining
 * connections, as herd-prone as 1012) gets the same spread. This alternative
 * is kept for comparison (shape b: the 1012 and 1006 rows given a backoff of their own, full jitter):
 * - 1006: `{ initialDelayMs: 5000, maxDelayMs: 15000 }` — RFC 6455 §7.2.3's random 0–5 s
 *   first delay, then ×2 (global factor) up to 15 s;
 * - 1012: `{ initialDelayMs: 30000, maxDelayMs: 30000 }` — one random delay in 0–30 s,
 *   the IANA note's upper bound (full jitter cannot express its 5 s floor).
 * A refused retry after a 1012 is a 1006 and follows the 1006 row.
 */
export const RECOMMENDED: Candidate = {
  id: 'b-1012-30-1006-5-15',
  shape: 'b',
  label: 'ours (b) 1012 {30000, 30000}, 1006 {5000, 15000}',
  config: {
    rows: {
      1006: { initialDelayMs: 5000, maxDelayMs: 15_000 },
      1012: { initialDelayMs: 30_000, maxDelayMs: 30_000 },
    },
  },
}

export const CANDIDATES: readonly Candidate[] = [
  CURRENT,
  {
    id: 'a-5-30',
    shape: 'a',
    label: 'ours (a) backoff {5000, 30000}',
    config: { backoff: { initialDelayMs: 5000, maxDelayMs: 30_000 } },
  },
  {
    id: 'a-5-15',
    shape: 'a',
    label: 'ours (a) backoff {5000, 15000}',
    config: { backoff: { initialDelayMs: 5000, maxDelayMs: 15_000 } },
  },
  {
    id: 'a-5-10',
    shape: 'a',
    label: 'ours (a) backoff {5000, 10000}',
    config: { backoff: { initialDelayMs: 5000, maxDelayMs: 10_000 } },
  },
  {
    id: 'a-5-15-equal',
    shape: 'a',
    label: "ours (a) backoff {5000, 15000, 'equal'}",
    config: { backoff: { initialDelayMs: 5000, maxDelayMs: 15_000, jitter: 'equal' } },
  },
  {
    id: 'a-1667-15-decorrelated',
    shape: 'a',
    label: "ours (a) backoff {1667, 15000, 'decorrelated'}",
    config: { backoff: { initialDelayMs: 1667, maxDelayMs: 15_000, jitter: 'decorrelated' } },
  },
  {
    id: 'b-1012-5-1006-5-30',
    shape: 'b',
    label: 'ours (b) 1012 {5000, 30000}, 1006 {5000, 30000}',
    config: {
      rows: {
        1006: { initialDelayMs: 5000, maxDelayMs: 30_000 },
        1012: { initialDelayMs: 5000, maxDelayMs: 30_000 },
      },
    },
  },
  RECOMMENDED,
  {
    id: 'b-1012-25-1006-5-15',
    shape: 'b',
    label: 'ours (b) 1012 {25000, 30000}, 1006 {5000, 15000}',
    config: {
      rows: {
        1006: { initialDelayMs: 5000, maxDelayMs: 15_000 },
        1012: { initialDelayMs: 25_000, maxDelayMs: 30_000 },
      },
    },
  },
  {
    id: 'b-1012-30-1006-5-10',
    shape: 'b',
    label: 'ours (b) 1012 {30000, 30000}, 1006 {5000, 10000}',
    config: {
      rows: {
        1006: { initialDelayMs: 5000, maxDelayMs: 10_000 },
        1012: { initialDelayMs: 30_000, maxDelayMs: 30_000 },
      },
    },
  },
  {
    id: 'b-equal',
    shape: 'b',
    label: "ours (b) as recommended, rows 'equal'",
    config: {
      rows: {
        1006: { initialDelayMs: 5000, maxDelayMs: 15_000, jitter: 'equal' },
        1012: { initialDelayMs: 30_000, maxDelayMs: 30_000, jitter: 'equal' },
      },
    },
  },
  {
    id: 'b-decorrelated',
    shape: 'b',
    label: "ours (b) 1012 {10000, 30000}, 1006 {1667, 15000}, rows 'decorrelated'",
    config: {
      rows: {
        1006: { initialDelayMs: 1667, maxDelayMs: 15_000, jitter: 'decorrelated' },
        1012: { initialDelayMs: 10_000, maxDelayMs: 30_000, jitter: 'decorrelated' },
      },
    },
  },
]
