/**
 * The public contract's tables, written once for every suite, from the
 * README ("Options", "Close codes and the default policies"), never imported
 * from `src`: a test that reads its expectation from the code it checks
 * cannot fail. `test/unit/contract.test.ts` is the one place the two meet,
 * checking that `DEFAULT_OPTIONS` and `DEFAULT_POLICIES` say the same.
 *
 * Plain data with no imports, so it loads in Node and in the browser suites.
 */

/** What happens after a close: stop quietly, reconnect with backoff, or stop and surface a `CloseCodeError`. */
export type ContractAction = 'stop' | 'retry' | 'error'

export interface ContractRow {
  readonly code: number
  readonly name: string
  readonly action: ContractAction
  /** A row's own backoff, merged over the configured one (1013 alone has one). */
  readonly backoff?: { readonly initialDelayMs: number; readonly maxDelayMs: number }
}

/** The README's default-policy table, row by row. */
export const CONTRACT_CLOSE_CODES: readonly ContractRow[] = [
  { code: 1000, name: 'Normal Closure', action: 'stop' },
  { code: 1001, name: 'Going Away', action: 'retry' },
  { code: 1002, name: 'Protocol Error', action: 'error' },
  { code: 1003, name: 'Unsupported Data', action: 'error' },
  { code: 1005, name: 'No Status Received', action: 'retry' },
  { code: 1006, name: 'Abnormal Closure', action: 'retry' },
  { code: 1007, name: 'Invalid Frame Payload Data', action: 'error' },
  { code: 1008, name: 'Policy Violation', action: 'error' },
  { code: 1009, name: 'Message Too Big', action: 'error' },
  { code: 1010, name: 'Mandatory Extension', action: 'error' },
  { code: 1011, name: 'Internal Error', action: 'retry' },
  { code: 1012, name: 'Service Restart', action: 'retry' },
  // "retry, backoff from 5 s up to 60 s"
  { code: 1013, name: 'Try Again Later', action: 'retry', backoff: { initialDelayMs: 5000, maxDelayMs: 60_000 } },
  { code: 1014, name: 'Bad Gateway', action: 'retry' },
  { code: 1015, name: 'TLS Handshake', action: 'error' },
  { code: 3000, name: 'Unauthorized', action: 'error' },
  { code: 3003, name: 'Forbidden', action: 'error' },
  { code: 3008, name: 'Timeout', action: 'retry' },
]

/** "anything else: retry": the action for a code no row names. */
export const CONTRACT_DEFAULT_ACTION: ContractAction = 'retry'

/** "1005, 1006 and 1015 are never sent on the wire": the browser reports them; a server cannot send them. */
export const NEVER_ON_THE_WIRE: readonly number[] = [1005, 1006, 1015]

/** The row for `code`, or `undefined` when the table does not name it. */
export function contractRow(code: number): ContractRow | undefined {
  return CONTRACT_CLOSE_CODES.find((row) => row.code === code)
}

/** What the contract does after a close with `code` when no policy of the application decides. */
export function contractAction(code: number): ContractAction {
  return contractRow(code)?.action ?? CONTRACT_DEFAULT_ACTION
}

/** The README's option defaults (its "Options" table). */
export const CONTRACT_DEFAULTS = {
  backoff: { initialDelayMs: 5000, maxDelayMs: 15_000, factor: 2, jitter: 'full' },
  maxRetries: Number.POSITIVE_INFINITY,
  stableAfterMs: 5000,
  connectTimeoutMs: 10_000,
  buffer: { maxMessages: 1000, maxBytes: 1_048_576, overflow: 'drop-oldest' },
  /** Off. */
  heartbeat: false,
  reconnectOnOnline: true,
} as const

/** A heartbeat's `message` when the option leaves it out. */
export const CONTRACT_HEARTBEAT_MESSAGE = 'ping'
