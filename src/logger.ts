/**
 * The `logger` option's vocabulary: what an entry looks like, the stable
 * event names (declared once, as data: the type, the README table and the
 * socket all come from this list), and a console logger for the common case.
 * The socket never writes to the console by itself.
 */
import { reportListenerError } from './listeners.js'
import { invalid } from './validate.js'

/** How much an entry matters, least first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/**
 * Every `event` an entry can carry. Names are stable: an app may filter or
 * alert on them. The README's Debugging section lists what each one means
 * and the `data` it carries.
 */
export const LOG_EVENTS = [
  // An attempt: the URL (redacted) is known and the native socket is about to be created.
  'connect.attempt',
  // The native socket opened.
  'connect.open',
  // The URL or protocols provider threw or rejected.
  'connect.provider-failed',
  // The native constructor threw (an invalid URL a provider returned): the socket stops.
  'connect.constructor-failed',
  // No OPEN within connectTimeoutMs: the attempt is abandoned as a 1006 close.
  'connect.timeout',
  // Nothing arrived within heartbeat.timeoutMs after a ping: abandoned as a 1006 close.
  'heartbeat.timeout',
  // The native socket ended: its code, reason and wasClean; `failed` when an error ended it (reported as 1006).
  'close.received',
  // The policy lookup's answer for that close, and which rule gave it.
  'policy.decided',
  // A policy function threw or returned something invalid: the lookup went on without it.
  'policy.failed',
  // Retries ran out (maxRetries): the socket stops with a CloseCodeError.
  'retry.exhausted',
  // The next attempt is scheduled: the delay and where it came from.
  'retry.scheduled',
  // The delay ran out while the browser is offline: the attempt waits for `online`.
  'retry.waiting-online',
  // A page-lifecycle shortcut cut the wait: `online`, the tab becoming visible, or `pageshow`.
  'retry.now',
  // The connection stayed open stableAfterMs: the retry counter is back to 0.
  'retry.reset',
  // The page entered the back/forward cache: the connection is closed, to reopen on `pageshow`.
  'page.suspended',
  // A buffered message was dropped: the send buffer overflowed, or the socket stopped with messages in it.
  // (The 'queue.' names predate the single name 'send buffer'; they are public and stay.)
  'queue.dropped',
  // send() threw a BufferOverflowError (`overflow: 'error'`).
  'queue.overflow',
  // The application called close().
  'app.close',
  // The application called reconnect().
  'app.reconnect',
  // The socket stopped for good: the final close and whether an error ended it.
  'socket.stopped',
] as const
export type LogEvent = (typeof LOG_EVENTS)[number]

/** One decision of the socket, as the `logger` option receives it. */
export interface LogEntry {
  level: LogLevel
  /** A stable name from {@link LOG_EVENTS}. */
  event: LogEvent
  /** The event and its data on one line, for reading (`retry.scheduled attempt=2 delayMs=1200 …`); match on `event`. */
  message: string
  /** The facts behind the decision. URLs in here are redacted (no credentials, query or fragment). */
  data?: Record<string, unknown>
}

/** Receives every entry; see `ResilientWebSocketOptions.logger`. */
export type Logger = (entry: LogEntry) => void

/**
 * A logger that writes entries at `level` and above to the console
 * (`console.debug`/`info`/`warn`/`error`), with the entry's data as a second argument.
 * @param level The least level written.
 * @default 'info'
 */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const least = LOG_LEVELS.indexOf(level)
  if (least < 0) {
    invalid('consoleLogger: level', `one of ${LOG_LEVELS.join(', ')}`, level)
  }
  return (entry) => {
    if (LOG_LEVELS.indexOf(entry.level) < least) return
    const args: unknown[] = [`[resilient-websocket] ${entry.message}`]
    if (entry.data !== undefined) args.push(entry.data)
    console[entry.level](...args)
  }
}

/** Writes one entry; present only when the `logger` option is set, so `this.#log?.(…)` builds nothing otherwise. */
export type Log = (level: LogLevel, event: LogEvent, data?: Record<string, unknown>) => void

/**
 * The logger, wrapped: the message is the event and its data on one line
 * (`retry.scheduled attempt=2 delayMs=1200 …`), written here rather than at
 * every call so the socket ships no sentences; a logger that throws is
 * reported like a throwing listener and the socket carries on.
 */
export function wrapLogger(logger: Logger | undefined): Log | undefined {
  return (
    logger &&
    ((level, event, data) => {
      try {
        let message: string = event
        for (const key in data) if (data[key] !== undefined) message += ` ${key}=${safeString(data[key])}`
        logger(data === undefined ? { level, event, message } : { level, event, message, data })
      } catch (error) {
        reportListenerError(error)
      }
    })
  )
}

/** `String(value)` that cannot throw (a Symbol, an object without `toString`). */
function safeString(value: unknown): string {
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}
