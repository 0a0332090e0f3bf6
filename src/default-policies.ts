/**
 * What this library does by default after each close code. Kept apart from
 * the registry's names and descriptions (close-codes.ts) so the socket ships
 * only this small table; `CLOSE_CODES` joins the two.
 */

/** The actions; the runtime list the `CloseAction` type is read from. */
export const CLOSE_ACTIONS = ['stop', 'retry', 'error'] as const

/** What happens after a close: stop quietly, reconnect with backoff, or stop and surface a `CloseCodeError`. */
export type CloseAction = (typeof CLOSE_ACTIONS)[number]

/** A row's default policy: an action, or `retry` with a backoff of its own. */
export type DefaultPolicy =
  | CloseAction
  | { readonly action: 'retry'; readonly backoff: Readonly<{ initialDelayMs: number; maxDelayMs: number }> }

/**
 * The default per registered code: stop when the close was intended, retry
 * when the condition is transient, surface an error when retrying would only
 * repeat a failure the application has to fix.
 */
export const DEFAULT_POLICIES = {
  // The purpose was fulfilled; the server meant to end the session.
  1000: 'stop',
  // A server shutting down or a deploy draining connections; the next instance will accept us.
  1001: 'retry',
  // Reconnecting would speak the same broken protocol again.
  1002: 'error',
  // The client sends a data type the server will never accept; retrying repeats it.
  1003: 'error',
  // The close frame had no code: often a proxy; nothing says "go away".
  1005: 'retry',
  // No close frame at all: network drop, refused or failed handshake.
  1006: 'retry',
  // The client sent text that is not UTF-8 (or similar); the same client would do it again.
  1007: 'error',
  // The server rejects this client (auth, abuse, policy); hammering it helps nobody.
  1008: 'error',
  // The client sent a message the server will not take; retrying sends it again.
  1009: 'error',
  // The server did not negotiate an extension the client requires: configuration, not weather.
  1010: 'error',
  // A server bug or crash while handling us; often transient, and backoff keeps the load bounded.
  1011: 'retry',
  // The registry's own note: the client should reconnect, after a randomised delay.
  1012: 'retry',
  // Overload: come back later, not sooner. Retries start at 5 s and may wait up to a
  // minute (jitter as configured); the online/visible shortcuts never cut this delay.
  1013: { action: 'retry', backoff: { initialDelayMs: 5000, maxDelayMs: 60_000 } },
  // A gateway got a bad answer upstream; the upstream may be back soon.
  1014: 'retry',
  // The TLS handshake failed (bad certificate): retrying cannot fix it.
  1015: 'error',
  // IANA-registered for frameworks: not authenticated; a new token needs the application.
  3000: 'error',
  // IANA-registered for frameworks: authenticated but not allowed; retrying will not change that.
  3003: 'error',
  // IANA-registered for frameworks: the server timed the session out; a fresh connection is fine.
  3008: 'retry',
} as const satisfies Readonly<Record<number, DefaultPolicy>>

/** A code with its own policy row (1004, reserved and never sent, has none: your `default` decides it). */
export type PolicyCode = keyof typeof DEFAULT_POLICIES

/** The default for a code that has no row. */
export const DEFAULT_CLOSE_ACTION: CloseAction = 'retry'

/** The built-in policy of a registered code, or `undefined`. */
export function defaultPolicyFor(code: number): DefaultPolicy | undefined {
  return Object.hasOwn(DEFAULT_POLICIES, code) ? DEFAULT_POLICIES[code as PolicyCode] : undefined
}
