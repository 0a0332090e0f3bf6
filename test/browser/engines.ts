/**
 * How the engine under test differs from the others, as data the suites
 * read instead of assuming Chromium. Each row is pinned against a native
 * socket in engine-differences.test.ts, so a change in an engine shows up
 * there by name, and the README's "Browser differences" list says the same.
 */
import { inject } from 'vitest'
import type { EngineName } from '../support/engines/engines.mjs'

export const engine: EngineName = inject('engine')

/** A close code on the wire and what the engine hands the page for it. */
export interface WireOutcome {
  /** The code in the page's close event. */
  code: number
  /** Whether the engine fails the connection (an `error` event, then 1006 unclean) instead of passing the code on. */
  failed: boolean
}

const inRange = (code: number, low: number, high: number) => code >= low && code <= high

/**
 * Close codes a server can put in a close frame that the engine does not
 * pass to the page as they are, but fails the connection for.
 * - Chromium: the three codes that must never be on the wire (1005, 1006, 1015).
 * - Firefox: none; it passes even 1005, 1006 and 1015 through as clean closes.
 * - WebKitGTK: anything outside 1000–1003, 1007–1011 and 3000–4999, so the
 *   newer registry entries 1012–1014 too.
 */
const FAILS_ON_WIRE: Record<EngineName, (code: number) => boolean> = {
  chromium: (code) => code === 1005 || code === 1006 || code === 1015,
  firefox: () => false,
  webkit: (code) => !(inRange(code, 1000, 1003) || inRange(code, 1007, 1011) || inRange(code, 3000, 4999)),
}

/** What the page sees when the server closes with `code` in the engine under test. */
export function onWire(code: number, name: EngineName = engine): WireOutcome {
  return FAILS_ON_WIRE[name](code) ? { code: 1006, failed: true } : { code, failed: false }
}
