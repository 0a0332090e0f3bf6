/**
 * The WebSocket close codes (RFC 6455 §7.4 and the IANA "WebSocket Close Code
 * Number" registry) as data, each with the policy this library applies to it
 * by default.
 */

/** What happens after a close: stop quietly, reconnect with backoff, or stop and surface a `CloseCodeError`. */
export type CloseAction = 'stop' | 'retry' | 'error'

/** A row's default policy: an action, or `retry` with a backoff of its own. */
export type DefaultPolicy =
  | CloseAction
  | { readonly action: 'retry'; readonly backoff: Readonly<{ initialDelayMs: number; maxDelayMs: number }> }

/** One row of the close-code table. */
export interface CloseCodeInfo {
  /** The registry's name for the code. */
  readonly name: string
  /** What the code means, in a sentence. */
  readonly meaning: string
  /** What this library does by default when a connection closes with the code. */
  readonly policy: DefaultPolicy
}

/** A described close code, registered or not. */
export interface CloseCodeDescription extends CloseCodeInfo {
  readonly code: number
  /** `true` when the code has its own row in the registry. */
  readonly registered: boolean
}

/**
 * The registered codes and the default policy for each. The reasoning for
 * every default is on its row: stop when the close was intended, retry when
 * the condition is transient, surface an error when retrying would only
 * repeat a failure the application has to fix.
 */
export const CLOSE_CODES = {
  // The purpose was fulfilled; the server meant to end the session.
  1000: { name: 'Normal Closure', meaning: 'The connection did what it was opened for.', policy: 'stop' },
  // A server shutting down or a deploy draining connections; the next instance will accept us.
  1001: {
    name: 'Going Away',
    meaning: 'The endpoint is going away (server shutdown, page navigation).',
    policy: 'retry',
  },
  // Reconnecting would speak the same broken protocol again.
  1002: { name: 'Protocol Error', meaning: 'The endpoint received a frame that breaks the protocol.', policy: 'error' },
  // The client sends a data type the server will never accept; retrying repeats it.
  1003: { name: 'Unsupported Data', meaning: 'The endpoint received a data type it cannot accept.', policy: 'error' },
  // Never sent on the wire (reserved, RFC 6455 §7.4.1); a page cannot see it, so it is only here for completeness.
  1004: { name: 'Reserved', meaning: 'Reserved; no meaning is defined.', policy: 'retry' },
  // Never sent on the wire: the close frame had no status code. Usually a proxy or a server without a reason.
  1005: { name: 'No Status Received', meaning: 'The close frame carried no status code.', policy: 'retry' },
  // Never sent on the wire: no close frame at all — network drop, refused or failed handshake.
  1006: {
    name: 'Abnormal Closure',
    meaning: 'The connection dropped without a close frame (network drop, refused or failed handshake).',
    policy: 'retry',
  },
  // The client sent text that is not UTF-8 (or similar); the same client would do it again.
  1007: {
    name: 'Invalid Frame Payload Data',
    meaning: 'A message did not match its type (e.g. bad UTF-8).',
    policy: 'error',
  },
  // The server rejects this client (auth, abuse, policy); hammering it helps nobody.
  1008: { name: 'Policy Violation', meaning: 'A message violated the endpoint’s policy.', policy: 'error' },
  // The client sent a message the server will not take; retrying sends it again.
  1009: { name: 'Message Too Big', meaning: 'A message was too big to process.', policy: 'error' },
  // Sent by clients when the server did not negotiate a required extension; configuration, not weather.
  1010: {
    name: 'Mandatory Extension',
    meaning: 'The server did not negotiate an extension the client requires.',
    policy: 'error',
  },
  // A server bug or crash while handling us; often transient, and backoff keeps the load bounded.
  1011: { name: 'Internal Error', meaning: 'The server hit an unexpected condition.', policy: 'retry' },
  // The registry's own note: the client should reconnect, after a randomised delay.
  1012: { name: 'Service Restart', meaning: 'The service is restarting.', policy: 'retry' },
  // Overload: come back later, not sooner. Its retries start at 5 s and may wait up to a
  // minute (jitter as configured); the online/visible shortcuts never cut this delay.
  1013: {
    name: 'Try Again Later',
    meaning: 'The service is overloaded; try again later.',
    policy: { action: 'retry', backoff: { initialDelayMs: 5000, maxDelayMs: 60_000 } },
  },
  // A gateway got a bad answer upstream; the upstream may be back soon.
  1014: { name: 'Bad Gateway', meaning: 'A gateway or proxy received an invalid response upstream.', policy: 'retry' },
  // Never sent on the wire: the TLS handshake failed (bad certificate); retrying cannot fix it.
  1015: { name: 'TLS Handshake', meaning: 'The TLS handshake failed.', policy: 'error' },
  // Registered by IANA for frameworks: the client is not authenticated; a new token needs the application.
  3000: { name: 'Unauthorized', meaning: 'The client is not authenticated.', policy: 'error' },
  // Registered by IANA for frameworks: authenticated but not allowed; retrying will not change that.
  3003: { name: 'Forbidden', meaning: 'The client is not allowed to do this.', policy: 'error' },
  // Registered by IANA for frameworks: the server timed the session out; a fresh connection is fine.
  3008: { name: 'Timeout', meaning: 'The server timed the connection out.', policy: 'retry' },
} as const satisfies Readonly<Record<number, CloseCodeInfo>>

/** A code with its own row in {@link CLOSE_CODES}. */
export type RegisteredCloseCode = keyof typeof CLOSE_CODES

/**
 * The ranges of RFC 6455 §7.4.2, used to describe codes without a row. No
 * range carries a policy of its own, so a `default` policy you set decides
 * every unlisted code.
 */
const RANGES: readonly { from: number; to: number; name: string; meaning: string }[] = [
  { from: 0, to: 999, name: 'Unused', meaning: 'Codes below 1000 are not used.' },
  { from: 1000, to: 2999, name: 'Reserved', meaning: 'Reserved for the WebSocket protocol and its extensions.' },
  { from: 3000, to: 3999, name: 'Registered', meaning: 'For libraries and frameworks, registered with IANA.' },
  { from: 4000, to: 4999, name: 'Private Use', meaning: 'For applications, by private agreement.' },
]

/** The default policy for a code that has no row of its own. */
export const DEFAULT_CLOSE_ACTION: CloseAction = 'retry'

/** Looks up a code's registry row without describing unregistered codes. */
export function registeredCloseCode(code: number): CloseCodeInfo | undefined {
  return Object.hasOwn(CLOSE_CODES, code) ? CLOSE_CODES[code as RegisteredCloseCode] : undefined
}

/**
 * Describes any close code: its registry row, or for an unregistered code the
 * range it falls in (3000–3999, 4000–4999, …) or `Invalid`.
 */
export function describeCloseCode(code: number): CloseCodeDescription {
  const row = registeredCloseCode(code)
  if (row) return { code, registered: true, ...row }
  const range = Number.isInteger(code) ? RANGES.find((r) => code >= r.from && code <= r.to) : undefined
  if (range) return { code, registered: false, name: range.name, meaning: range.meaning, policy: DEFAULT_CLOSE_ACTION }
  return {
    code,
    registered: false,
    name: 'Invalid',
    meaning: 'Not a close code: valid codes are integers from 0 to 4999.',
    policy: DEFAULT_CLOSE_ACTION,
  }
}
