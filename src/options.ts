/**
 * The options interface, its defaults (declared once, here) and the checks
 * that turn a user's options into a resolved, validated set.
 */
import { type BackoffOptions, DEFAULT_BACKOFF, resolveBackoff } from './backoff.js'
import type { Logger } from './logger.js'
import type { SendData, WebSocketConstructor } from './native-socket.js'
import { type CompiledPolicies, compilePolicies, type Policies } from './policies.js'
import { checkChoice, checkNumber, checkObject, invalid } from './validate.js'

// Defined with the native socket's other types; exported from here too, where they always were.
export type { SendData, WebSocketConstructor }

/** The overflow strategies; the runtime list the `OverflowStrategy` type is read from. */
export const OVERFLOWS = ['drop-oldest', 'drop-newest', 'error'] as const

/** What happens to a `send()` that would exceed the buffer while disconnected. */
export type OverflowStrategy = (typeof OVERFLOWS)[number]

/** The send buffer that holds `send()` calls made while the socket is not open yet. */
export interface BufferOptions {
  /**
   * The most messages the send buffer holds.
   * @default 1000
   */
  maxMessages: number
  /**
   * The most bytes the send buffer holds (strings count their UTF-8 length).
   * @default 1048576
   */
  maxBytes: number
  /**
   * `drop-oldest` evicts the oldest queued messages to make room, `drop-newest`
   * refuses the new message; both emit `drop` events. `error` makes `send()`
   * throw a `BufferOverflowError` and leaves the buffer unchanged.
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
   * The send buffer used while CONNECTING; `false` makes `send()` throw like native.
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
  // Declared beside the backoff functions, which use it without this module (see there why 5 s and 15 s).
  backoff: DEFAULT_BACKOFF,
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
  backoff: Readonly<BackoffOptions>
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

function isSendData(value: unknown): value is SendData {
  return (
    typeof value === 'string' ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    (typeof Blob !== 'undefined' && value instanceof Blob)
  )
}

// Every option's name, checked by type both ways: a key missing here or not in the interface fails to compile.
const OPTION_KEYS = Object.keys({
  WebSocket: 1,
  policies: 1,
  backoff: 1,
  maxRetries: 1,
  stableAfterMs: 1,
  connectTimeoutMs: 1,
  buffer: 1,
  heartbeat: 1,
  reconnectOnOnline: 1,
  random: 1,
  logger: 1,
} satisfies { [K in keyof ResilientWebSocketOptions]-?: 1 })

/** A function option, or `undefined`. */
function checkFunction<T>(value: T, name: string): T {
  if (value !== undefined && typeof value !== 'function') invalid(`options.${name}`, 'a function', value)
  return value
}

/** Validates the user's options (naming the field and the value in every error) and fills in the defaults. */
export function resolveOptions(input: ResilientWebSocketOptions | undefined): ResolvedOptions {
  const o: Record<string, unknown> = {}
  // `null` means "the default" for every option, as `undefined` does (configs often come from JSON).
  for (const [key, value] of Object.entries(checkObject(input ?? {}, 'options', OPTION_KEYS))) {
    if (value !== null) o[key] = value
  }
  const d = DEFAULT_OPTIONS
  const number = (key: 'maxRetries' | 'stableAfterMs' | 'connectTimeoutMs', integer = false) =>
    checkNumber(o[key] ?? d[key], `options.${key}`, 0, integer, integer)
  const reconnectOnOnline = o.reconnectOnOnline ?? d.reconnectOnOnline
  if (typeof reconnectOnOnline !== 'boolean') invalid('options.reconnectOnOnline', 'a boolean', reconnectOnOnline)

  let buffer: BufferOptions | false = false
  if (o.buffer !== false) {
    const b = checkObject(o.buffer ?? {}, 'options.buffer', ['maxMessages', 'maxBytes', 'overflow'])
    buffer = {
      maxMessages: checkNumber(b.maxMessages ?? d.buffer.maxMessages, 'options.buffer.maxMessages', 0, true, true),
      maxBytes: checkNumber(b.maxBytes ?? d.buffer.maxBytes, 'options.buffer.maxBytes', 0, true),
      overflow: checkChoice(b.overflow ?? d.buffer.overflow, 'options.buffer.overflow', OVERFLOWS),
    }
  }

  let heartbeat: Required<HeartbeatOptions> | false = d.heartbeat
  if (o.heartbeat !== undefined && o.heartbeat !== false) {
    const h = checkObject(o.heartbeat, 'options.heartbeat', ['intervalMs', 'timeoutMs', 'message'])
    const message = h.message ?? d.heartbeatMessage
    if (!isSendData(message)) invalid('options.heartbeat.message', 'a string, Blob or buffer', message)
    heartbeat = {
      intervalMs: checkNumber(h.intervalMs, 'options.heartbeat.intervalMs', 1),
      timeoutMs: checkNumber(h.timeoutMs, 'options.heartbeat.timeoutMs', 1),
      message,
    }
  }

  return {
    WebSocket: checkFunction(o.WebSocket as WebSocketConstructor | undefined, 'WebSocket'),
    policies: compilePolicies((o.policies ?? d.policies) as Policies),
    backoff: resolveBackoff(o.backoff, 'options.backoff'),
    maxRetries: number('maxRetries', true),
    stableAfterMs: number('stableAfterMs'),
    connectTimeoutMs: number('connectTimeoutMs'),
    buffer,
    heartbeat,
    reconnectOnOnline,
    random: checkFunction(o.random as (() => number) | undefined, 'random') ?? Math.random,
    logger: checkFunction(o.logger as Logger | undefined, 'logger') ?? d.logger,
  }
}
