/**
 * The options interface, its defaults (declared once, here) and the checks
 * that turn a user's options into a resolved, validated set.
 */
import type { BackoffOptions, Jitter } from './backoff.js'
import type { Logger } from './logger.js'
import type { SendData, WebSocketConstructor } from './native-socket.js'
import { type CompiledPolicies, compilePolicies, type Policies } from './policies.js'

// Defined with the native socket's other types; exported from here too, where they always were.
export type { SendData, WebSocketConstructor }

/** What happens to a `send()` that would exceed the buffer while disconnected. */
export type OverflowStrategy = 'drop-oldest' | 'drop-newest' | 'error'

/** The queue that holds `send()` calls made while the socket is not open yet. */
export interface BufferOptions {
  /**
   * The most messages the queue holds.
   * @default 1000
   */
  maxMessages: number
  /**
   * The most bytes the queue holds (strings count their UTF-8 length).
   * @default 1048576
   */
  maxBytes: number
  /**
   * `drop-oldest` evicts the oldest queued messages to make room, `drop-newest`
   * refuses the new message; both emit `drop` events. `error` makes `send()`
   * throw a `BufferOverflowError` and leaves the queue unchanged.
   * @default 'drop-oldest'
   */
  overflow: OverflowStrategy
}

/** Application-level keep-alive: detects a connection that died without telling anyone. */
export interface HeartbeatOptions {
  /**
   * How often to send the ping message while the connection is open (one ping is
   * outstanding at a time, so the period is `timeoutMs` when that is longer).
   * (no default: required when `heartbeat` is set)
   */
  intervalMs: number
  /**
   * How long to wait for any incoming message after a ping before the connection counts as dead.
   * (no default: required when `heartbeat` is set)
   */
  timeoutMs: number
  /**
   * What to send as the ping. Any incoming message counts as the answer.
   * @default 'ping'
   */
  message?: SendData
}

/** Everything `ResilientWebSocket` can be told. Every field is optional. */
export interface ResilientWebSocketOptions {
  /**
   * The WebSocket implementation to wrap.
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor
  /**
   * Per-code overrides over the built-in close-code policies. Keys: a code
   * (`4001`), an inclusive range (`'4000-4099'`) or `'default'`.
   * @default {}
   */
  policies?: Policies
  /**
   * The retry delay schedule.
   * @default { initialDelayMs: 5000, maxDelayMs: 15000, factor: 2, jitter: 'full' }
   */
  backoff?: Partial<BackoffOptions>
  /**
   * How many retries in a row before giving up with a `CloseCodeError`; `0` never reconnects.
   * @default Infinity
   */
  maxRetries?: number
  /**
   * A connection must stay open this long before the retry counter resets.
   * @default 5000
   */
  stableAfterMs?: number
  /**
   * An attempt not OPEN after this long (URL provider included) is abandoned as a 1006 close; `0` disables.
   * @default 10000
   */
  connectTimeoutMs?: number
  /**
   * The send queue used while CONNECTING; `false` makes `send()` throw like native.
   * @default { maxMessages: 1000, maxBytes: 1048576, overflow: 'drop-oldest' }
   */
  buffer?: Partial<BufferOptions> | false
  /**
   * Application-level keep-alive; off unless set.
   * @default false
   */
  heartbeat?: HeartbeatOptions | false
  /**
   * Wait for the browser's `online` event while offline, and retry at once when it fires.
   * @default true
   */
  reconnectOnOnline?: boolean
  /**
   * The random source for jitter, returning numbers in [0, 1).
   * @default Math.random
   */
  random?: () => number
  /**
   * Receives one entry for every decision the socket makes (attempts, closes,
   * policy decisions, delays, drops, timeouts), each with a stable `event`
   * name; `consoleLogger()` writes them to the console. URLs in entries are
   * redacted. A logger that throws is reported like a throwing listener and
   * the socket carries on. Off unless set: the library writes nothing by itself.
   * @default undefined
   */
  logger?: Logger
}

/** The defaults, declared once: the TSDoc above and the behaviour both come from here. */
export const DEFAULT_OPTIONS = {
  policies: {},
  // A first retry at a random point in 0–5 s is what RFC 6455 §7.2.3 suggests after an
  // abnormal close. The 15 s cap: with full jitter the last of a herd of clients waits up
  // to the cap, so a longer one slows recovery after an outage without lowering the peak
  // (test/bench/herd simulates 10,000 clients against a server admitting 500/s).
  backoff: { initialDelayMs: 5000, maxDelayMs: 15_000, factor: 2, jitter: 'full' },
  maxRetries: Number.POSITIVE_INFINITY,
  stableAfterMs: 5000,
  connectTimeoutMs: 10_000,
  buffer: { maxMessages: 1000, maxBytes: 1_048_576, overflow: 'drop-oldest' },
  heartbeat: false,
  heartbeatMessage: 'ping',
  reconnectOnOnline: true,
  logger: undefined,
} as const satisfies {
  policies: Policies
  backoff: BackoffOptions
  maxRetries: number
  stableAfterMs: number
  connectTimeoutMs: number
  buffer: BufferOptions
  heartbeat: false
  heartbeatMessage: SendData
  reconnectOnOnline: boolean
  logger: Logger | undefined
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  WebSocket: WebSocketConstructor | undefined
  policies: CompiledPolicies
  backoff: BackoffOptions
  maxRetries: number
  stableAfterMs: number
  connectTimeoutMs: number
  buffer: BufferOptions | false
  heartbeat: Required<HeartbeatOptions> | false
  reconnectOnOnline: boolean
  random: () => number
  logger: Logger | undefined
}

const JITTERS: readonly Jitter[] = ['full', 'equal', 'decorrelated', 'none']
const OVERFLOWS: readonly OverflowStrategy[] = ['drop-oldest', 'drop-newest', 'error']

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (value === null) return 'null'
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object'
  return String(value)
}

/** Throws unless `value` is a plain object whose keys are all in `known`. */
export function checkObject(value: unknown, name: string, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, got ${describe(value)}`)
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new TypeError(`${name}.${key} is not a known option (known: ${known.join(', ')})`)
  }
  return value as Record<string, unknown>
}

/**
 * A number ≥ `min`; `Infinity` only when allowed; integers only when asked.
 * TypeError for a non-number, RangeError for a number out of range.
 */
export function checkNumber(
  value: unknown,
  name: string,
  { min = 0, infinite = false, integer = false }: { min?: number; infinite?: boolean; integer?: boolean } = {},
): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describe(value)}`)
  const ok =
    !Number.isNaN(value) &&
    value >= min &&
    (infinite || Number.isFinite(value)) &&
    (!integer || Number.isInteger(value) || value === Number.POSITIVE_INFINITY)
  if (!ok) {
    const what = `${integer ? 'an integer' : 'a number'} ≥ ${min}${infinite ? ' (or Infinity)' : ''}`
    throw new RangeError(`${name} must be ${what}, got ${describe(value)}`)
  }
  return value
}

function checkChoice<T extends string>(value: unknown, name: string, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    throw new TypeError(`${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`)
  }
  return value as T
}

/** Checks a partial backoff (for a policy) without filling defaults. */
export function checkPartialBackoff(value: unknown, name: string): Partial<BackoffOptions> {
  const o = checkObject(value, name, ['initialDelayMs', 'maxDelayMs', 'factor', 'jitter'])
  const out: Partial<BackoffOptions> = {}
  if (o.initialDelayMs !== undefined) out.initialDelayMs = checkNumber(o.initialDelayMs, `${name}.initialDelayMs`)
  if (o.maxDelayMs !== undefined) out.maxDelayMs = checkNumber(o.maxDelayMs, `${name}.maxDelayMs`)
  if (o.factor !== undefined) out.factor = checkNumber(o.factor, `${name}.factor`, { min: 1 })
  if (o.jitter !== undefined) out.jitter = checkChoice(o.jitter, `${name}.jitter`, JITTERS)
  return out
}

/** Checks a backoff and fills in the defaults. */
export function resolveBackoff(value: unknown, name: string): BackoffOptions {
  return { ...DEFAULT_OPTIONS.backoff, ...checkPartialBackoff(value ?? {}, name) }
}

function isSendData(value: unknown): value is SendData {
  return (
    typeof value === 'string' ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    (typeof Blob !== 'undefined' && value instanceof Blob)
  )
}

const OPTION_KEYS = [
  'WebSocket',
  'policies',
  'backoff',
  'maxRetries',
  'stableAfterMs',
  'connectTimeoutMs',
  'buffer',
  'heartbeat',
  'reconnectOnOnline',
  'random',
  'logger',
] as const satisfies readonly (keyof ResilientWebSocketOptions)[]

/** Validates the user's options (naming the field in every error) and fills in the defaults. */
export function resolveOptions(input: ResilientWebSocketOptions | undefined): ResolvedOptions {
  // `null` means "the default" for every option, as `undefined` does (configs often come from JSON).
  const o = Object.fromEntries(
    Object.entries(checkObject(input ?? {}, 'options', OPTION_KEYS)).filter(([, value]) => value !== null),
  ) as ResilientWebSocketOptions

  if (o.WebSocket !== undefined && typeof o.WebSocket !== 'function') {
    throw new TypeError(`options.WebSocket must be a constructor, got ${describe(o.WebSocket)}`)
  }
  if (o.random !== undefined && typeof o.random !== 'function') {
    throw new TypeError(`options.random must be a function, got ${describe(o.random)}`)
  }
  if (o.logger !== undefined && typeof o.logger !== 'function') {
    throw new TypeError(`options.logger must be a function, got ${describe(o.logger)}`)
  }
  if (o.reconnectOnOnline !== undefined && typeof o.reconnectOnOnline !== 'boolean') {
    throw new TypeError(`options.reconnectOnOnline must be a boolean, got ${describe(o.reconnectOnOnline)}`)
  }

  let buffer: BufferOptions | false = false
  if (o.buffer !== false) {
    const b = checkObject(o.buffer ?? {}, 'options.buffer', ['maxMessages', 'maxBytes', 'overflow'])
    const d = DEFAULT_OPTIONS.buffer
    buffer = {
      maxMessages: checkNumber(b.maxMessages ?? d.maxMessages, 'options.buffer.maxMessages', {
        integer: true,
        infinite: true,
      }),
      maxBytes: checkNumber(b.maxBytes ?? d.maxBytes, 'options.buffer.maxBytes', { infinite: true }),
      overflow: checkChoice(b.overflow ?? d.overflow, 'options.buffer.overflow', OVERFLOWS),
    }
  }

  let heartbeat: Required<HeartbeatOptions> | false = DEFAULT_OPTIONS.heartbeat
  if (o.heartbeat !== undefined && o.heartbeat !== false) {
    const h = checkObject(o.heartbeat, 'options.heartbeat', ['intervalMs', 'timeoutMs', 'message'])
    const message = h.message ?? DEFAULT_OPTIONS.heartbeatMessage
    if (!isSendData(message)) {
      throw new TypeError(`options.heartbeat.message must be a string, Blob or buffer, got ${describe(message)}`)
    }
    heartbeat = {
      intervalMs: checkNumber(h.intervalMs, 'options.heartbeat.intervalMs', { min: 1 }),
      timeoutMs: checkNumber(h.timeoutMs, 'options.heartbeat.timeoutMs', { min: 1 }),
      message,
    }
  }

  return {
    WebSocket: o.WebSocket,
    policies: compilePolicies(o.policies ?? DEFAULT_OPTIONS.policies),
    backoff: resolveBackoff(o.backoff, 'options.backoff'),
    maxRetries: checkNumber(o.maxRetries ?? DEFAULT_OPTIONS.maxRetries, 'options.maxRetries', {
      integer: true,
      infinite: true,
    }),
    stableAfterMs: checkNumber(o.stableAfterMs ?? DEFAULT_OPTIONS.stableAfterMs, 'options.stableAfterMs'),
    connectTimeoutMs: checkNumber(o.connectTimeoutMs ?? DEFAULT_OPTIONS.connectTimeoutMs, 'options.connectTimeoutMs'),
    buffer,
    heartbeat,
    reconnectOnOnline: o.reconnectOnOnline ?? DEFAULT_OPTIONS.reconnectOnOnline,
    random: o.random ?? Math.random,
    logger: o.logger ?? DEFAULT_OPTIONS.logger,
  }
}
