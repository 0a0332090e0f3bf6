/**
 * The wrapped implementation: what this library needs of a WebSocket
 * constructor and its sockets, typed structurally so that the browser's
 * `WebSocket`, Node's `ws` and undici's `WebSocket` all fit without a cast.
 */
import { redactError, redactIn } from './errors.js'

type Awaitable<T> = T | Promise<T>

/** A URL, or a function called before every attempt (for fresh tokens). */
export type UrlProvider = string | URL | (() => Awaitable<string | URL>)
/** Subprotocols like native, or a function called before every attempt. */
export type ProtocolsProvider = string | string[] | (() => Awaitable<string | string[]>)

/** Data a socket can send. */
export type SendData = string | ArrayBufferLike | Blob | ArrayBufferView

/**
 * The members of a socket this library uses. The DOM's `WebSocket` has them,
 * and so do `ws` and undici. The event handlers and `send` take `never`
 * because each implementation types them its own way: it passes its own event
 * classes (only the fields named in the `Native…Event` types below are read),
 * and its `send` takes its own `Blob` (lib.dom's is not `node:buffer`'s).
 * Every one of them sends what {@link SendData} holds.
 */
export interface WebSocketLike {
  readonly url: string
  readonly protocol: string
  readonly extensions: string
  readonly readyState: number
  readonly bufferedAmount: number
  /** `'blob' | 'arraybuffer'` in browsers; `ws` adds `'nodebuffer' | 'fragments'`. */
  binaryType: string
  onopen: ((event: never) => unknown) | null
  onmessage: ((event: never) => unknown) | null
  onclose: ((event: never) => unknown) | null
  onerror: ((event: never) => unknown) | null
  send(data: never): void
  close(code?: number, reason?: string): void
}

/** A native socket as the wrapper uses it: every implementation's `send` takes what {@link SendData} holds. */
export type NativeSocket = Omit<WebSocketLike, 'send'> & { send(data: SendData): void }

/** A constructor with the native `WebSocket`'s signature, such as `ws`'s default export or undici's `WebSocket`. */
export type WebSocketConstructor = new (url: string | URL, protocols?: string | string[]) => WebSocketLike

/** Every `binaryType` some implementation accepts; before the first socket exists, others are ignored. */
export const KNOWN_BINARY_TYPES = ['blob', 'arraybuffer', 'nodebuffer', 'fragments'] as const

/** The `binaryType` values `ws` accepts beyond the browser's two. */
export type NodeBinaryType = Exclude<(typeof KNOWN_BINARY_TYPES)[number], BinaryType>

/** The fields read from a native message event. `origin` is missing in `ws`. */
export interface NativeMessageEvent {
  data: unknown
  origin?: string
}

/** The fields read from a native close event. */
export interface NativeCloseEvent {
  code: number
  reason: string
  wasClean: boolean
}

/**
 * A native error event: in browsers a bare `Event`; `ws` and undici send an
 * `ErrorEvent` whose `error` and `message` say what failed
 * (`connect ECONNREFUSED 127.0.0.1:9`).
 */
export interface NativeErrorEvent {
  error?: unknown
  message?: unknown
}

/** What a native error event said, kept until its close is reported: empty in browsers. */
export class NativeFailure {
  constructor(
    readonly error: unknown,
    readonly message: string,
  ) {}
}

/** A native error with no detail, as browsers report one (and as `close()` while CONNECTING reports). */
export const BARE_NATIVE_FAILURE: NativeFailure = new NativeFailure(undefined, '')

/**
 * Keeps what the implementation said about an error. The detail may name the
 * URL (tokens travel in query strings), so each of `urls` (as given, and as
 * the implementation normalised it) is redacted from it.
 */
export function nativeFailure(event: NativeErrorEvent, urls: readonly string[]): NativeFailure {
  let error = event.error
  let message = error instanceof Error ? error.message : typeof event.message === 'string' ? event.message : ''
  for (const url of new Set(urls)) {
    if (url === '') continue
    error = redactError(error, url)
    message = redactIn(message, url)
  }
  return error === undefined && message === '' ? BARE_NATIVE_FAILURE : new NativeFailure(error, message)
}

function ignore(): void {}

/** Stops listening to a native socket and closes it if it is still going. */
export function abandon(socket: NativeSocket | null, code?: number, reason?: string): void {
  if (!socket) return
  socket.onopen = socket.onmessage = socket.onclose = null
  // Not null: Node's `ws` emits 'error' when a CONNECTING socket is closed, and an
  // EventEmitter 'error' with no listener crashes the process.
  socket.onerror = ignore
  if (socket.readyState < 2) {
    try {
      if (code === undefined) socket.close()
      else socket.close(code, reason)
    } catch {
      // A socket that refuses to close is unreachable now anyway.
    }
  }
}

/** Sets `binaryType` on a native socket and returns what it reports: an implementation ignores values it does not know. */
export function applyBinaryType(socket: NativeSocket, value: string): string {
  socket.binaryType = value
  return socket.binaryType
}

/** The origin of a socket URL, as a browser puts it on message events (`ws` sets none). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return ''
  }
}
