/**
 * The errors this library creates. They reach the application through the
 * `error` event (as `event.error`); only `send()` with `overflow: 'error'`
 * and invalid arguments throw.
 */

/** The base of every error this library creates; `cause` links what led to it, where something did. */
export class ResilientWebSocketError extends Error {
  override name: string = 'ResilientWebSocketError'
}

/**
 * The socket stopped because of a close code: an `'error'` policy decided it,
 * or retries ran out. With exhausted retries, `cause` is the last attempt's
 * failure when one was reported (a `ConnectTimeoutError`, what `ws` said, a
 * URL provider's rejection).
 */
export class CloseCodeError extends ResilientWebSocketError {
  override name = 'CloseCodeError' as const
  /** The close code of the close that ended the socket. */
  readonly code: number
  /** The close reason, as the server sent it: untrusted text. */
  readonly reason: string
  /** `true` when the error is that retries ran out, `false` when a policy said `'error'`. */
  readonly retriesExhausted: boolean

  constructor(code: number, reason: string, retriesExhausted = false, cause?: unknown) {
    super(
      retriesExhausted
        ? `WebSocket retries ran out; the last close had code ${code}`
        : `WebSocket closed with code ${code}, an error by policy`,
      cause === undefined ? undefined : { cause },
    )
    this.code = code
    this.reason = reason
    this.retriesExhausted = retriesExhausted
  }
}

/** An attempt was not OPEN within `connectTimeoutMs`; it is handled like a 1006 close. */
export class ConnectTimeoutError extends ResilientWebSocketError {
  override name = 'ConnectTimeoutError' as const
  readonly timeoutMs: number
  constructor(timeoutMs: number) {
    super(`WebSocket did not open within ${timeoutMs} ms`)
    this.timeoutMs = timeoutMs
  }
}

/** No message arrived within `heartbeat.timeoutMs` after a ping; the connection is handled like a 1006 close. */
export class HeartbeatTimeoutError extends ResilientWebSocketError {
  override name = 'HeartbeatTimeoutError' as const
  readonly timeoutMs: number
  constructor(timeoutMs: number) {
    super(`WebSocket received nothing within ${timeoutMs} ms of a heartbeat ping`)
    this.timeoutMs = timeoutMs
  }
}

/** Thrown by `send()` when `buffer.overflow` is `'error'` and the send buffer is full; the buffer is left unchanged. */
export class BufferOverflowError extends ResilientWebSocketError {
  override name = 'BufferOverflowError' as const
  /** The limit the message would have exceeded. */
  readonly limit: 'maxMessages' | 'maxBytes'
  /** That limit's configured value. */
  readonly value: number
  constructor(limit: 'maxMessages' | 'maxBytes', value: number) {
    super(`send() would exceed options.buffer.${limit} (${value}) before the socket opens`)
    this.limit = limit
    this.value = value
  }
}

/** True for a `CloseCodeError`, also one from another copy of this library (checked by name). */
export function isCloseCodeError(error: unknown): error is CloseCodeError {
  return error instanceof CloseCodeError || (error instanceof Error && error.name === 'CloseCodeError')
}

/** A `DOMException`, as the native socket would throw it. */
export function domException(message: string, name: string): DOMException {
  return new DOMException(message, name)
}

/**
 * A URL fit for messages and logs: credentials and the query string (where
 * tokens usually travel) are cut, so `wss://u:p@host/live?token=…` becomes
 * `wss://host/live?…`.
 */
export function redactUrl(url: string): string {
  // Parsed as the native constructor parses it (tabs and newlines dropped, the last
  // '@' ends the credentials, '\\' as '/'), so no spelling of a URL slips past.
  let parsed: URL
  try {
    parsed = new URL(url, (globalThis as { location?: { href: string } }).location?.href)
  } catch {
    // Unparsable (the constructor rejects it): cut from the first '?' or '#', and
    // everything up to the last '@' of the authority.
    return url.replace(/[?#][\s\S]*$/, (rest) => `${rest[0]}…`).replace(/^([^:/?#]*:[/\\]*)[^/\\]*@/, '$1')
  }
  const rest = parsed.search !== '' || url.includes('?') ? '?…' : parsed.hash !== '' || url.includes('#') ? '#…' : ''
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${rest}`
}

/** `text` with every occurrence of `url` redacted. */
export function redactIn(text: string, url: string): string {
  return text.split(url).join(redactUrl(url))
}

/**
 * The native constructor's exception names the URL it rejected; for a URL a
 * provider returned (fresh tokens) the error reaches the `error` event, and
 * from there often a log, so it is copied with the URL redacted from its
 * message and stack. The copy keeps the original's `cause`, not the original
 * itself: that would carry the token to every log that prints causes.
 */
export function redactError(error: unknown, url: string): unknown {
  if (!(error instanceof Error || error instanceof DOMException) || !error.message.includes(url)) return error
  const message = redactIn(error.message, url)
  if (error instanceof DOMException) return domException(message, error.name)
  const copy = new (error.constructor as ErrorConstructor)(
    message,
    'cause' in error ? { cause: error.cause } : undefined,
  )
  copy.name = error.name
  if (error.stack) copy.stack = redactIn(error.stack, url)
  return copy
}
