/**
 * The WebSocket close codes (RFC 6455 §7.4 and the IANA "WebSocket Close Code
 * Number" registry) as data: names, meanings, and the default policy of each
 * (declared in default-policies.ts, where the reasoning for each lives).
 */
import { DEFAULT_CLOSE_ACTION, type DefaultPolicy, defaultPolicyFor } from './default-policies.js'

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

// 1004, 1005, 1006 and 1015 are never sent in a close frame (RFC 6455 §7.4.1):
// the first is reserved, the others are what an endpoint reports when a frame
// had no code, when there was no close frame at all, or when TLS failed.
const REGISTRY = {
  1000: ['Normal Closure', 'The connection did what it was opened for.'],
  1001: ['Going Away', 'The endpoint is going away (server shutdown, page navigation).'],
  1002: ['Protocol Error', 'The endpoint received a frame that breaks the protocol.'],
  1003: ['Unsupported Data', 'The endpoint received a data type it cannot accept.'],
  1004: ['Reserved', 'Reserved; no meaning is defined. Never sent in a close frame.'],
  1005: ['No Status Received', 'The close frame carried no status code. Never sent in a close frame.'],
  1006: [
    'Abnormal Closure',
    'The connection dropped without a close frame (network drop, refused or failed handshake). Never sent in a close frame.',
  ],
  1007: ['Invalid Frame Payload Data', 'A message did not match its type (e.g. bad UTF-8).'],
  1008: ['Policy Violation', 'A message violated the endpoint’s policy.'],
  1009: ['Message Too Big', 'A message was too big to process.'],
  1010: ['Mandatory Extension', 'The server did not negotiate an extension the client requires.'],
  1011: ['Internal Error', 'The server hit an unexpected condition.'],
  1012: ['Service Restart', 'The service is restarting.'],
  1013: ['Try Again Later', 'The service is overloaded; try again later.'],
  1014: ['Bad Gateway', 'A gateway or proxy received an invalid response upstream.'],
  1015: ['TLS Handshake', 'The TLS handshake failed. Never sent in a close frame.'],
  3000: ['Unauthorized', 'The client is not authenticated.'],
  3003: ['Forbidden', 'The client is not allowed to do this.'],
  3008: ['Timeout', 'The server timed the connection out.'],
} as const satisfies Record<number, readonly [string, string]>

/** A code with its own row in the IANA registry. */
export type RegisteredCloseCode = keyof typeof REGISTRY

/**
 * Every registered code: its name, meaning and default policy (a code without
 * a policy row, like 1004, shows the built-in default, `retry`).
 */
export const CLOSE_CODES: { readonly [K in RegisteredCloseCode]: CloseCodeInfo } = /* @__PURE__ */ Object.fromEntries(
  Object.entries(REGISTRY).map(([code, [name, meaning]]) => [
    code,
    { name, meaning, policy: defaultPolicyFor(Number(code)) ?? DEFAULT_CLOSE_ACTION },
  ]),
) as never

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

/**
 * Describes any close code: its registry row, or for an unregistered code the
 * range it falls in (3000–3999, 4000–4999, …) or `Invalid`.
 */
export function describeCloseCode(code: number): CloseCodeDescription {
  const row = Object.hasOwn(CLOSE_CODES, code) ? CLOSE_CODES[code as RegisteredCloseCode] : undefined
  if (row) return { code, registered: true, ...row }
  const range = Number.isInteger(code) ? RANGES.find((r) => code >= r.from && code <= r.to) : undefined
  const { name, meaning } = range ?? {
    name: 'Invalid',
    meaning: 'Not a close code: valid codes are integers from 0 to 4999.',
  }
  return { code, registered: false, name, meaning, policy: DEFAULT_CLOSE_ACTION }
}
