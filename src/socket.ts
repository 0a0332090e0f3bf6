/**
 * `ResilientWebSocket`: one logical connection made of a series of native
 * sockets. Every transition goes through `#state`; each state holds exactly
 * the socket and timers that can exist in it.
 */
import { EventEmitter } from 'eventemitter3'
import { clampDelay, jitterStrategies } from './backoff.js'
import {
  type BufferOverflowError,
  CloseCodeError,
  ConnectTimeoutError,
  domException,
  HeartbeatTimeoutError,
  redactError,
  redactUrl,
} from './errors.js'
import {
  DropEvent,
  dispatch,
  ReconnectingEvent,
  ResilientCloseEvent,
  ResilientErrorEvent,
  ResilientMessageEvent,
  ResilientOpenEvent,
  type ResilientWebSocketEvents,
  reportListenerError,
} from './events.js'
import { Heartbeat } from './heartbeat.js'
import { DomListeners } from './listeners.js'
import type { LogEvent, Logger, LogLevel } from './logger.js'
import {
  BARE_NATIVE_FAILURE,
  KNOWN_BINARY_TYPES,
  type NativeCloseEvent,
  type NativeErrorEvent,
  NativeFailure,
  type NativeMessageEvent,
  type NativeSocket,
  type NodeBinaryType,
  nativeFailure,
  type WebSocketConstructor,
} from './native-socket.js'
import {
  type BufferOptions,
  type ResilientWebSocketOptions,
  type ResolvedOptions,
  resolveOptions,
  type SendData,
} from './options.js'
import { decide } from './policies.js'
import { byteLength, SendQueue, snapshot, utf8Length } from './queue.js'

type Timer = ReturnType<typeof setTimeout>
type Awaitable<T> = T | Promise<T>
/** Writes one entry; present only when the `logger` option is set, so `this.#log?.(…)` builds nothing otherwise. */
type Log = (level: LogLevel, event: LogEvent, data?: Record<string, unknown>) => void

/** A URL, or a function called before every attempt (for fresh tokens). */
export type UrlProvider = string | URL | (() => Awaitable<string | URL>)
/** Subprotocols like native, or a function called before every attempt. */
export type ProtocolsProvider = string | string[] | (() => Awaitable<string | string[]>)

type State =
  /** An attempt: resolving the URL (`socket` null) or a native socket handshaking. */
  | { kind: 'connecting'; socket: NativeSocket | null; timer: Timer | undefined }
  | { kind: 'open'; socket: NativeSocket; stableTimer: Timer | undefined; heartbeat: Heartbeat | undefined }
  /**
   * Between attempts. `serverDictated`: the delay came from the server (1013 or a
   * policy's `delayMs`), so no shortcut may cut it; `due`: the delay ran out while
   * offline; `suspended`: the page is in the back/forward cache.
   */
  | {
      kind: 'waiting'
      timer: Timer | undefined
      serverDictated: boolean
      due: boolean
      suspended: boolean
      /** When the delay runs out (`Date.now()` time), for a server-dictated wait resumed from the back/forward cache. */
      dueAt: number
    }
  /** `close()` was called: waiting for the native close (`socket`) or for the task that reports it (`timer`). */
  | { kind: 'closing'; socket: NativeSocket | null; timer: Timer | undefined }
  | { kind: 'closed' }

type CloseInfo = { code: number; reason: string; wasClean: boolean }

/** The DOM's readyState values, typed as narrowly as the DOM types them. */
type ReadyState = 0 | 1 | 2 | 3

/** The readyState each state shows: a retry wait is still CONNECTING to the application. */
const READY_STATE: Readonly<Record<State['kind'], ReadyState>> = {
  connecting: 0,
  waiting: 0,
  open: 1,
  closing: 2,
  closed: 3,
}

const ABNORMAL: CloseInfo = { code: 1006, reason: '', wasClean: false }
const BFCACHE_REASON = 'Page entered the back/forward cache'

type Waiting = State & { kind: 'waiting' }

/** A wait between attempts; its timer is armed by the caller. */
function waitingState(serverDictated: boolean, suspended: boolean, delayMs = 0): Waiting {
  return { kind: 'waiting', timer: undefined, serverDictated, due: false, suspended, dueAt: Date.now() + delayMs }
}

/** WebIDL's [Clamp] unsigned short conversion, which `close(code)` applies before validating. */
function clampCode(value: unknown): number {
  const n = Number(value)
  if (Number.isNaN(n)) return 0
  const clamped = Math.min(Math.max(n, 0), 0xffff)
  const floor = Math.floor(clamped)
  const diff = clamped - floor
  return diff > 0.5 || (diff === 0.5 && floor % 2 === 1) ? floor + 1 : floor
}

/** The checks the native `close()` makes; `reconnect()` shares them. */
function checkClose(method: string, code: unknown, reason: unknown): { code: number | undefined; reason: string } {
  let checked: number | undefined
  if (code !== undefined) {
    checked = clampCode(code)
    if (checked !== 1000 && (checked < 3000 || checked > 4999)) {
      throw domException(
        `Failed to execute '${method}' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. ${checked} is neither.`,
        'InvalidAccessError',
      )
    }
  }
  const text = reason === undefined ? '' : String(reason)
  if (utf8Length(text) > 123) {
    throw domException(
      `Failed to execute '${method}' on 'WebSocket': The close reason must not be greater than 123 UTF-8 bytes.`,
      'SyntaxError',
    )
  }
  return { code: checked, reason: text }
}

function ignore(): void {}

/**
 * The logger, wrapped: the message is the event and its data on one line
 * (`retry.scheduled attempt=2 delayMs=1200 …`), written here rather than at
 * every call so the socket ships no sentences; a logger that throws is
 * reported like a throwing listener and the socket carries on.
 */
function wrapLogger(logger: Logger | undefined): Log | undefined {
  if (!logger) return undefined
  return (level, event, data) => {
    try {
      let message: string = event
      for (const key in data) if (data[key] !== undefined) message += ` ${key}=${safeString(data[key])}`
      logger(data === undefined ? { level, event, message } : { level, event, message, data })
    } catch (error) {
      reportListenerError(error)
    }
  }
}

/** `String(value)` that cannot throw (a Symbol, an object without `toString`). */
function safeString(value: unknown): string {
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** Stops listening to a native socket and closes it if it is still going. */
function abandon(socket: NativeSocket | null, code?: number, reason?: string): void {
  if (!socket) return
  socket.onopen = socket.onmessage = socket.onclose = null
  // Not null: Node's `ws` emits 'error' when a CONNECTING socket is closed, and an
  // EventEmitter 'error' with no listener crashes the process.
  socket.onerror = ignore
  if (socket.readyState === 0 || socket.readyState === 1) {
    try {
      if (code === undefined) socket.close()
      else socket.close(code, reason)
    } catch {
      // A socket that refuses to close is unreachable now anyway.
    }
  }
}

/** The origin of a socket URL, as a browser puts it on message events. */
function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return ''
  }
}

/** Sets `binaryType` on a native socket and returns what it reports: an implementation ignores values it does not know. */
function applyBinaryType(socket: NativeSocket, value: string): string {
  socket.binaryType = value
  return socket.binaryType
}

/**
 * A drop-in replacement for the browser's `WebSocket` that reconnects per
 * close code: it stops, retries with backoff, or surfaces an error, and
 * queues messages sent while it is (re)connecting.
 */
export class ResilientWebSocket extends EventEmitter<ResilientWebSocketEvents> implements WebSocket {
  declare static readonly CONNECTING: 0
  declare static readonly OPEN: 1
  declare static readonly CLOSING: 2
  declare static readonly CLOSED: 3
  declare readonly CONNECTING: 0
  declare readonly OPEN: 1
  declare readonly CLOSING: 2
  declare readonly CLOSED: 3

  readonly #options: ResolvedOptions
  readonly #WebSocket: WebSocketConstructor
  readonly #url: UrlProvider
  readonly #protocols: ProtocolsProvider | undefined
  readonly #queue = new SendQueue()
  readonly #listeners = new DomListeners(this as unknown as EventEmitter)
  readonly #log: Log | undefined
  #state: State = { kind: 'closed' }
  /** The native socket of the current or last attempt (for `url`, `protocol`, `extensions`). */
  #lastSocket: NativeSocket | null = null
  #retryCount = 0
  #lastDelayMs = 0
  /** What the native socket reported after the last assignment (it may refuse a value). */
  #binaryType: string = 'blob'
  /** Bytes given to `send()` after the socket closed: native counts them in `bufferedAmount`. */
  #discardedBytes = 0
  #offline = false
  #hidden = false
  #watching = false

  /**
   * @param url Where to connect: a URL, or a function called before every attempt (sync or async).
   * @param protocols Subprotocols like the native constructor's, or a function returning them.
   * @param options See {@link ResilientWebSocketOptions}.
   * @throws `TypeError`/`RangeError` naming the option for invalid options; `SyntaxError` for an invalid static URL or protocol list, like native.
   */
  constructor(url: UrlProvider, protocols?: ProtocolsProvider, options?: ResilientWebSocketOptions) {
    super()
    // biome-ignore lint/complexity/noArguments: native WebSocket tells a missing argument from an explicit undefined
    if (arguments.length === 0) {
      throw new TypeError("Failed to construct 'WebSocket': 1 argument required, but only 0 present.")
    }
    this.#options = resolveOptions(options)
    this.#log = wrapLogger(this.#options.logger)
    const Impl = this.#options.WebSocket ?? globalThis.WebSocket
    if (typeof Impl !== 'function') {
      throw new TypeError(
        'No WebSocket implementation: this environment has no globalThis.WebSocket; pass options.WebSocket',
      )
    }
    this.#WebSocket = Impl
    this.#url = url
    this.#protocols = protocols
    this.#startRun(true)
  }

  // ---- the native WebSocket surface -------------------------------------------------------

  /** The URL of the current or last attempt ('' before the first URL is known). */
  get url(): string {
    return this.#lastSocket?.url ?? ''
  }

  /** CONNECTING while an attempt or a retry is pending; CLOSED only once it stopped for good. */
  get readyState(): ReadyState {
    const s = this.#state
    // Once the closing handshake has started (the server's close frame arrived) the
    // native socket is CLOSING until its close event; so is this one, like native.
    if (s.kind === 'open' && s.socket.readyState !== 1) return 2
    return READY_STATE[s.kind]
  }

  /** The native socket's `bufferedAmount` plus the bytes waiting in the send queue. */
  get bufferedAmount(): number {
    const s = this.#state
    const socket = s.kind === 'closed' ? this.#lastSocket : s.kind === 'waiting' ? null : s.socket
    return (socket?.bufferedAmount ?? 0) + this.#queue.bytes + this.#discardedBytes
  }

  get protocol(): string {
    return this.#lastSocket?.protocol ?? ''
  }

  get extensions(): string {
    return this.#lastSocket?.extensions ?? ''
  }

  /**
   * What the native socket reports. Typed as the DOM's `BinaryType` so the class
   * stays assignable to `WebSocket`; with `ws` it can also be `'nodebuffer'` or `'fragments'`.
   */
  get binaryType(): BinaryType {
    return this.#binaryType as BinaryType
  }

  /**
   * Accepts what the wrapped implementation accepts: set on the native socket
   * and read back from it, so a browser ignores anything but 'blob' and
   * 'arraybuffer' like native, while `ws` also takes 'nodebuffer' and
   * 'fragments'. Every later native socket gets the same value.
   */
  set binaryType(value: BinaryType | NodeBinaryType) {
    const socket = this.#currentSocket() ?? this.#lastSocket
    if (socket) this.#binaryType = applyBinaryType(socket, value)
    // No socket yet (a URL provider is pending): the first socket confirms or refuses it.
    else if (KNOWN_BINARY_TYPES.includes(value)) this.#binaryType = value
  }

  /** Retries scheduled since the last connection that stayed open `stableAfterMs`. */
  get retryCount(): number {
    return this.#retryCount
  }

  /**
   * Sends when OPEN. While CONNECTING (an attempt or a retry wait) queues the
   * message, unless `buffer` is `false` (then it throws `InvalidStateError`
   * like native). In CLOSING/CLOSED the data is discarded like native.
   * @throws `BufferOverflowError` when the queue is full and `buffer.overflow` is `'error'`.
   */
  send(data: SendData): void {
    // biome-ignore lint/complexity/noArguments: native send() tells a missing argument from an explicit undefined
    if (arguments.length === 0) {
      throw new TypeError("Failed to execute 'send' on 'WebSocket': 1 argument required, but only 0 present.")
    }
    const s = this.#state
    const buffer = this.#options.buffer
    switch (s.kind) {
      case 'open':
        // The server's close frame may already have arrived (native CLOSING, our close
        // event still to come): native would discard the message, the queue keeps it.
        if (s.socket.readyState === 1 || buffer === false) {
          s.socket.send(data)
          return
        }
        this.#enqueue(data, buffer)
        return
      case 'connecting':
      case 'waiting': {
        if (buffer === false) {
          snapshot(data) // WebIDL converts the argument before the state check: a Symbol is a TypeError first
          throw domException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", 'InvalidStateError')
        }
        this.#enqueue(data, buffer)
        return
      }
      case 'closing':
        this.#discard(s.socket, data)
        return
      case 'closed':
        this.#discard(this.#lastSocket, data)
    }
  }

  /**
   * Data sent after the close is discarded, and counted in `bufferedAmount`. A
   * closing or closed native socket counts it the engine's way (WebKit adds each
   * frame's header), so it gets the data; without one, the payload is counted.
   */
  #discard(socket: NativeSocket | null, data: SendData): void {
    if (socket) socket.send(data)
    else this.#discardedBytes += byteLength(snapshot(data))
  }

  #enqueue(data: unknown, buffer: BufferOptions): void {
    const copy = snapshot(data)
    try {
      this.#queue.offer(copy, buffer, (dropped) => this.#drop(dropped, 'overflow'))
    } catch (error) {
      // offer() throws only the BufferOverflowError of `overflow: 'error'`.
      this.#log?.('warn', 'queue.overflow', {
        limit: (error as BufferOverflowError).limit,
      })
      throw error
    }
  }

  #drop(data: SendData, reason: 'overflow' | 'closed'): void {
    this.#log?.('warn', 'queue.dropped', { reason, bytes: byteLength(data) })
    this.#emit('drop', new DropEvent(data, reason))
  }

  /**
   * Closes for good: validates like native, cancels any pending retry, and
   * never reconnects afterwards (whatever code the server echoes).
   */
  close(code?: number, reason?: string): void {
    const checked = checkClose('close', code, reason)
    const s = this.#state
    if (s.kind === 'closing' || s.kind === 'closed') return
    this.#log?.('info', 'app.close', { code: checked.code })
    this.#leave()
    if (s.kind === 'open') {
      this.#state = { kind: 'closing', socket: s.socket, timer: undefined }
      if (checked.code === undefined) s.socket.close()
      else s.socket.close(checked.code, checked.reason)
      return
    }
    // CONNECTING (an attempt or a retry wait): like native, CLOSING now, then in a
    // later task `error` and a 1006 close.
    abandon(s.kind === 'connecting' ? s.socket : null)
    const closing: State = { kind: 'closing', socket: null, timer: undefined }
    closing.timer = setTimeout(() => {
      closing.timer = undefined
      if (this.#state === closing) this.#stop(new ResilientCloseEvent(ABNORMAL), [BARE_NATIVE_FAILURE])
    }, 0)
    this.#state = closing
  }

  /**
   * Closes the current socket with `code` (default 1000), reports its close
   * (`willReconnect: true`) at once, and connects again now with the retry
   * counter reset. After the socket stopped for good, starts a new run.
   */
  reconnect(code?: number, reason?: string): void {
    const checked = checkClose('reconnect', code, reason)
    const s = this.#state
    this.#log?.('info', 'app.reconnect', { code: checked.code })
    this.#leave()
    this.#resetRetries()
    if (s.kind === 'closed' || s.kind === 'closing') {
      if (s.kind === 'closing') {
        abandon(s.socket)
        this.#stop(new ResilientCloseEvent(ABNORMAL), [])
      }
      // A close listener may have started a run already: never two.
      if (this.#state.kind === 'closed') this.#startRun(false)
      return
    }
    if (s.kind === 'waiting') {
      this.#connect(false)
      return
    }
    abandon(s.socket, checked.code ?? 1000, checked.reason)
    const between = waitingState(false, false)
    this.#state = between
    this.#emit(
      'close',
      new ResilientCloseEvent({
        code: checked.code ?? 1000,
        reason: checked.reason,
        wasClean: false,
        willReconnect: true,
      }),
    )
    if (this.#state === between) this.#connect(false)
  }

  // ---- DOM-style listeners ----------------------------------------------------------------

  addEventListener<K extends keyof ResilientWebSocketEvents>(
    type: K,
    listener: ResilientWebSocketEvents[K] | { handleEvent: ResilientWebSocketEvents[K] } | null,
    options?: boolean | AddEventListenerOptions,
  ): void
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void
  addEventListener(type: string, listener: unknown, options?: boolean | AddEventListenerOptions): void {
    this.#listeners.add(String(type), listener as EventListenerOrEventListenerObject | null, options)
  }

  removeEventListener<K extends keyof ResilientWebSocketEvents>(
    type: K,
    listener: ResilientWebSocketEvents[K] | { handleEvent: ResilientWebSocketEvents[K] } | null,
    options?: boolean | EventListenerOptions,
  ): void
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void
  removeEventListener(type: string, listener: unknown, options?: boolean | EventListenerOptions): void {
    this.#listeners.remove(String(type), listener as EventListenerOrEventListenerObject | null, options)
  }

  /** Dispatches an event to this socket's listeners, as `EventTarget.dispatchEvent` does. */
  dispatchEvent(event: Event): boolean {
    if (!(event instanceof Event)) {
      throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.")
    }
    if (event.eventPhase !== 0) {
      throw domException(
        "Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched.",
        'InvalidStateError',
      )
    }
    dispatch(this as unknown as EventEmitter, event.type, event)
    return !event.defaultPrevented
  }

  /** Emits through the same loop as the socket's own events when given one Event; plain eventemitter3 otherwise. */
  override emit<T extends keyof ResilientWebSocketEvents>(
    event: T,
    ...args: EventEmitter.EventArgs<ResilientWebSocketEvents, T>
  ): boolean {
    const [first] = args
    if (args.length === 1 && first instanceof Event) return dispatch(this as unknown as EventEmitter, event, first)
    return super.emit(event, ...args)
  }

  override removeAllListeners(event?: keyof ResilientWebSocketEvents): this {
    super.removeAllListeners(event)
    this.#listeners.forget(event)
    return this
  }

  get onopen(): ((this: WebSocket, event: Event) => unknown) | null {
    return this.#listeners.getHandler('open') as never
  }
  set onopen(handler: ((this: WebSocket, event: Event) => unknown) | null) {
    this.#listeners.setHandler('open', handler)
  }
  get onmessage(): ((this: WebSocket, event: MessageEvent) => unknown) | null {
    return this.#listeners.getHandler('message') as never
  }
  set onmessage(handler: ((this: WebSocket, event: MessageEvent) => unknown) | null) {
    this.#listeners.setHandler('message', handler)
  }
  get onclose(): ((this: WebSocket, event: CloseEvent) => unknown) | null {
    return this.#listeners.getHandler('close') as never
  }
  set onclose(handler: ((this: WebSocket, event: CloseEvent) => unknown) | null) {
    this.#listeners.setHandler('close', handler)
  }
  get onerror(): ((this: WebSocket, event: Event) => unknown) | null {
    return this.#listeners.getHandler('error') as never
  }
  set onerror(handler: ((this: WebSocket, event: Event) => unknown) | null) {
    this.#listeners.setHandler('error', handler)
  }

  // ---- the state machine ------------------------------------------------------------------

  #emit<K extends keyof ResilientWebSocketEvents>(type: K, event: Parameters<ResilientWebSocketEvents[K]>[0]): void {
    dispatch(this as unknown as EventEmitter, type, event)
  }

  /** The next retry is attempt 1 again, and decorrelated jitter starts over. */
  #resetRetries(): void {
    this.#retryCount = 0
    this.#lastDelayMs = 0
  }

  /** Starts a run: environment listeners on, first attempt now. */
  #startRun(constructing: boolean): void {
    this.#resetRetries()
    this.#discardedBytes = 0
    this.#connect(constructing)
    if (this.#state.kind !== 'closed') this.#watch(true)
  }

  /** Leaves the current state: clears its timers and heartbeat. Sockets are handled by the caller. */
  #leave(): void {
    const s = this.#state
    switch (s.kind) {
      case 'open':
        clearTimeout(s.stableTimer)
        s.heartbeat?.stop()
        return
      case 'connecting':
      case 'waiting':
      case 'closing':
        clearTimeout(s.timer)
    }
  }

  /** One attempt: resolve the URL and protocols (when they are functions), then open a native socket. */
  #connect(constructing: boolean): void {
    const attempt: State = { kind: 'connecting', socket: null, timer: undefined }
    this.#state = attempt
    const url = this.#url
    const protocols = this.#protocols
    if (typeof url !== 'function' && typeof protocols !== 'function') {
      // Static URL: construct now, so an invalid one throws from our constructor as it would from native.
      this.#open(attempt, url, protocols, constructing)
      if (this.#state === attempt) this.#armConnectTimeout(attempt)
      return
    }
    this.#armConnectTimeout(attempt)
    const resolve = async () => {
      // Yield first: a provider that throws at once must be reported after the constructor returned.
      await undefined
      const resolvedUrl = await (typeof url === 'function' ? url() : url)
      const resolvedProtocols = await (typeof protocols === 'function' ? protocols() : protocols)
      return [resolvedUrl, resolvedProtocols] as const
    }
    resolve().then(
      ([resolvedUrl, resolvedProtocols]) => {
        if (this.#state === attempt) this.#open(attempt, resolvedUrl, resolvedProtocols, false)
      },
      (error: unknown) => {
        if (this.#state !== attempt) return
        this.#log?.('error', 'connect.provider-failed', { error: error })
        this.#closed(new ResilientCloseEvent(ABNORMAL), [error])
      },
    )
  }

  #armConnectTimeout(attempt: State & { kind: 'connecting' }): void {
    const ms = this.#options.connectTimeoutMs
    if (ms > 0) {
      attempt.timer = setTimeout(() => {
        if (this.#state !== attempt) return
        this.#log?.('warn', 'connect.timeout', { timeoutMs: ms })
        this.#abandonCurrent(new ConnectTimeoutError(ms))
      }, ms)
    }
  }

  /** Creates the native socket of an attempt. A constructor that throws is permanent: it would throw again. */
  #open(
    attempt: State & { kind: 'connecting' },
    url: string | URL,
    protocols: string | string[] | undefined,
    constructing: boolean,
  ): void {
    let socket: NativeSocket
    this.#log?.('info', 'connect.attempt', {
      attempt: this.#retryCount,
      url: redactUrl(String(url)),
    })
    try {
      const created = protocols === undefined ? new this.#WebSocket(url) : new this.#WebSocket(url, protocols)
      socket = created as NativeSocket
    } catch (error) {
      if (constructing) throw error
      const redacted = redactError(error, String(url))
      this.#log?.('error', 'connect.constructor-failed', { error: redacted })
      this.#leave()
      this.#stop(new ResilientCloseEvent(ABNORMAL), [redacted])
      return
    }
    attempt.socket = socket
    this.#lastSocket = socket
    this.#binaryType = applyBinaryType(socket, this.#binaryType)
    socket.onopen = () => this.#onOpen(socket)
    // A WebSocket message's origin is that of the socket's URL: read it once.
    let origin: string | undefined
    socket.onmessage = (event: NativeMessageEvent) => {
      const s = this.#state
      if (s.kind === 'open' && s.heartbeat) s.heartbeat.alive = true
      // `ws` sets no origin on its events: derive it from the URL as a browser does.
      origin ??= event.origin ?? originOf(socket.url)
      this.#emit('message', new ResilientMessageEvent(event.data, origin))
    }
    // A native error ends the connection at once: WebKit fires no close at all after
    // some errors (a blocked port), and where a close follows it is always 1006
    // unclean, so the late close is not waited for (abandon() stops listening).
    socket.onerror = (event: NativeErrorEvent) => {
      if (this.#currentSocket() !== socket) return
      const failure = nativeFailure(event, [String(url), socket.url])
      this.#leave()
      abandon(socket)
      this.#ended(ABNORMAL, [failure])
    }
    socket.onclose = (event: NativeCloseEvent) => {
      if (this.#currentSocket() === socket) this.#ended(event, [])
    }
  }

  /** The current native socket is gone: after `close()` that is the end, otherwise the policy decides. */
  #ended({ code, reason, wasClean }: CloseInfo, errors: unknown[]): void {
    // The reason is untrusted text from the server: the log gets it cut short.
    this.#log?.('info', 'close.received', { code, reason: reason.slice(0, 64), wasClean, failed: errors.length > 0 })
    const close = new ResilientCloseEvent({ code, reason, wasClean })
    if (this.#state.kind === 'closing') this.#stop(close, errors)
    else this.#closed(close, errors)
  }

  #currentSocket(): NativeSocket | null {
    const s = this.#state
    return s.kind === 'connecting' || s.kind === 'open' || s.kind === 'closing' ? s.socket : null
  }

  #onOpen(socket: NativeSocket): void {
    const s = this.#state
    if (s.kind !== 'connecting' || s.socket !== socket) return
    clearTimeout(s.timer)
    const open: State & { kind: 'open' } = { kind: 'open', socket, stableTimer: undefined, heartbeat: undefined }
    this.#state = open
    // Only a connection that stays up resets the counter: a server that accepts
    // and closes at once must see growing delays, not a tight loop.
    open.stableTimer = setTimeout(() => {
      open.stableTimer = undefined
      this.#log?.('debug', 'retry.reset')
      this.#resetRetries()
    }, this.#options.stableAfterMs)
    // Queued messages go first, in order, before anything an `open` listener sends.
    this.#queue.drain((data) => socket.send(data))
    const heartbeat = this.#options.heartbeat
    if (heartbeat) {
      open.heartbeat = new Heartbeat(
        heartbeat,
        // Not into a closing handshake (the server's close frame arrived): that ping could
        // not be answered, and Chromium logs a console error for every such send.
        (message) => {
          if (socket.readyState === 1) socket.send(message)
        },
        () => {
          this.#log?.('warn', 'heartbeat.timeout', { timeoutMs: heartbeat.timeoutMs })
          this.#abandonCurrent(new HeartbeatTimeoutError(heartbeat.timeoutMs))
        },
      )
    }
    this.#log?.('info', 'connect.open', { attempt: this.#retryCount, protocol: socket.protocol })
    this.#emit('open', new ResilientOpenEvent())
  }

  /** Gives up on the current attempt or connection (timeout, dead heartbeat): reported once, as a 1006 close. */
  #abandonCurrent(error: Error): void {
    const s = this.#state
    if (s.kind !== 'connecting' && s.kind !== 'open') return
    this.#leave()
    abandon(s.socket)
    this.#closed(new ResilientCloseEvent(ABNORMAL), [error])
  }

  /** A connection or attempt ended without `close()`: apply the policy for its code. */
  #closed(close: ResilientCloseEvent, errors: unknown[]): void {
    this.#leave()
    const ending = this.#state
    const attempt = this.#retryCount + 1
    const decision = decide(this.#options.policies, close, { attempt }, (error) => {
      this.#log?.('warn', 'policy.failed', { code: close.code, error: error })
      errors.push(error)
    })
    // A policy function (or the logger) that called close() or reconnect() has taken over.
    if (this.#state !== ending) return
    this.#log?.('info', 'policy.decided', {
      code: close.code,
      action: decision.action,
      rule: decision.rule,
    })
    if (decision.action !== 'retry') {
      this.#stop(close, errors, decision.action === 'error' ? new CloseCodeError(close.code, close.reason) : undefined)
      return
    }

    const limit = decision.maxRetries ?? this.#options.maxRetries
    if (this.#retryCount >= limit) {
      // With nothing retried (maxRetries 0), there is nothing to report beyond the close itself.
      const exhausted = this.#retryCount > 0 ? new CloseCodeError(close.code, close.reason, true) : undefined
      this.#log?.('warn', 'retry.exhausted', { code: close.code, maxRetries: limit })
      this.#stop(close, errors, exhausted)
      return
    }

    let delayMs: number
    if (decision.delayMs !== undefined) delayMs = clampDelay(decision.delayMs)
    else {
      const backoff = { ...this.#options.backoff, ...decision.backoff }
      delayMs = jitterStrategies[backoff.jitter](backoff)(attempt, this.#lastDelayMs, this.#options.random())
    }
    this.#retryCount = attempt
    this.#lastDelayMs = delayMs
    const waiting = waitingState(decision.delayMs !== undefined || close.code === 1013, false, delayMs)
    this.#state = waiting
    if (this.#options.reconnectOnOnline && globalThis.navigator?.onLine === false) this.#offline = true
    this.#log?.('info', 'retry.scheduled', {
      attempt,
      delayMs,
      // 'policy': a policy's fixed delayMs; 'backoff': the schedule (1013's own row included).
      source: decision.delayMs === undefined ? 'backoff' : 'policy',
      serverDictated: waiting.serverDictated,
      offline: this.#offline,
    })
    this.#armWait(waiting, delayMs)
    this.#report(errors)
    this.#emit(
      'close',
      new ResilientCloseEvent({
        code: close.code,
        reason: close.reason,
        wasClean: close.wasClean,
        willReconnect: true,
      }),
    )
    if (this.#state === waiting) {
      this.#emit('reconnecting', new ReconnectingEvent({ attempt, delayMs, code: close.code, reason: close.reason }))
    }
  }

  /** Connects when `delayMs` has passed, or marks the wait due if the page is offline by then. */
  #armWait(waiting: Waiting, delayMs: number): void {
    waiting.timer = setTimeout(() => {
      waiting.timer = undefined
      if (this.#state !== waiting) return
      if (this.#offline) {
        waiting.due = true
        this.#log?.('info', 'retry.waiting-online', { attempt: this.#retryCount })
      } else this.#connect(false)
    }, delayMs)
  }

  /**
   * Stops for good: the queue is dropped (each message reported), then the
   * errors, then the one close of this run with `willReconnect: false`.
   */
  #stop(close: ResilientCloseEvent, errors: unknown[], failure?: CloseCodeError): void {
    this.#leave()
    this.#state = { kind: 'closed' }
    this.#log?.(failure ? 'error' : 'info', 'socket.stopped', {
      code: close.code,
      error: failure,
    })
    this.#watch(false)
    this.#queue.drain((data) => this.#drop(data, 'closed'))
    if (failure) errors.push(failure)
    this.#report(errors)
    this.#emit('close', close)
  }

  /** Emits one `error` per entry: a native failure forwards what the implementation said, anything else is the error. */
  #report(errors: unknown[]): void {
    for (const error of errors) {
      const event =
        error instanceof NativeFailure
          ? new ResilientErrorEvent(error.error, error.message)
          : new ResilientErrorEvent(error)
      this.#emit('error', event)
    }
  }

  // ---- the page around us -----------------------------------------------------------------

  /** Adds (once per run) or removes the window/document listeners. */
  #watch(on: boolean): void {
    if (this.#watching === on) return
    this.#watching = on
    const g = globalThis as {
      addEventListener?: EventTarget['addEventListener']
      removeEventListener?: EventTarget['removeEventListener']
      document?: Document
      navigator?: Navigator
    }
    const types = this.#options.reconnectOnOnline
      ? ['online', 'offline', 'pagehide', 'pageshow']
      : ['pagehide', 'pageshow']
    const method = on ? 'addEventListener' : 'removeEventListener'
    if (typeof g[method] === 'function') for (const type of types) g[method](type, this.#onEnvironment)
    if (typeof g.document?.[method] === 'function') g.document[method]('visibilitychange', this.#onEnvironment)
    if (on) {
      this.#offline = this.#options.reconnectOnOnline && g.navigator?.onLine === false
      this.#hidden = g.document?.visibilityState === 'hidden'
    }
  }

  readonly #onEnvironment = (event: Event): void => {
    const s = this.#state
    switch (event.type) {
      case 'offline':
        this.#offline = true
        return
      case 'online':
        this.#offline = false
        // A server-dictated delay still runs its course; one that ran out while offline fires now.
        if (s.kind === 'waiting' && !s.suspended && (!s.serverDictated || s.due)) this.#retryNow(s, false, 'online')
        return
      case 'visibilitychange': {
        const wasHidden = this.#hidden
        this.#hidden = (globalThis as { document?: Document }).document?.visibilityState === 'hidden'
        if (wasHidden && !this.#hidden && s.kind === 'waiting' && !s.suspended && !s.serverDictated && !this.#offline) {
          this.#retryNow(s, true, 'visible')
        }
        return
      }
      case 'pagehide':
        if ((event as PageTransitionEvent).persisted) this.#suspend()
        return
      case 'pageshow':
        if ((event as PageTransitionEvent).persisted && s.kind === 'waiting' && s.suspended) this.#resume(s)
        return
    }
  }

  #retryNow(waiting: Waiting, resetCounter: boolean, trigger: string): void {
    this.#log?.('info', 'retry.now', { trigger })
    clearTimeout(waiting.timer)
    if (resetCounter) this.#resetRetries()
    this.#connect(false)
  }

  /**
   * The page is entering the back/forward cache, which browsers refuse or break
   * for pages with an open socket: close it now, reconnect on `pageshow`.
   */
  #suspend(): void {
    const s = this.#state
    if (s.kind === 'waiting') {
      // The page is frozen with its timers: a stale retry delay would only hold up the restore.
      clearTimeout(s.timer)
      s.timer = undefined
      s.suspended = true
      return
    }
    if (s.kind !== 'connecting' && s.kind !== 'open') return
    this.#log?.('info', 'page.suspended')
    this.#leave()
    // Not a failure: the restored page starts the retry count afresh.
    this.#resetRetries()
    abandon(s.socket, 1000, BFCACHE_REASON)
    this.#state = waitingState(false, true)
    this.#emit(
      'close',
      new ResilientCloseEvent({ code: 1000, reason: BFCACHE_REASON, wasClean: false, willReconnect: true }),
    )
  }

  /**
   * Back from the back/forward cache: connect at once, unless the server asked
   * for the delay (1013, a policy's `delayMs`), which then runs what is left of it.
   */
  #resume(waiting: Waiting): void {
    waiting.suspended = false
    if (waiting.timer !== undefined) return
    const remainingMs = waiting.serverDictated ? waiting.dueAt - Date.now() : 0
    if (remainingMs > 0) this.#armWait(waiting, remainingMs)
    else if (this.#offline) waiting.due = true
    else this.#retryNow(waiting, false, 'pageshow')
  }
}

// The readyState constants, like the native ones: enumerable, neither writable nor configurable.
const constants = {
  CONNECTING: { value: 0, enumerable: true },
  OPEN: { value: 1, enumerable: true },
  CLOSING: { value: 2, enumerable: true },
  CLOSED: { value: 3, enumerable: true },
} as const
Object.defineProperties(ResilientWebSocket, constants)
Object.defineProperties(ResilientWebSocket.prototype, {
  ...constants,
  [Symbol.toStringTag]: { value: 'WebSocket', configurable: true },
})
// WebIDL attributes and operations are enumerable; class members are not.
for (const name of [
  'url',
  'readyState',
  'bufferedAmount',
  'extensions',
  'protocol',
  'binaryType',
  'onopen',
  'onerror',
  'onclose',
  'onmessage',
  'close',
  'send',
] as const) {
  Object.defineProperty(ResilientWebSocket.prototype, name, { enumerable: true })
}
// WebIDL counts only required arguments: close() has none, the constructor one (the URL).
Object.defineProperty(ResilientWebSocket.prototype.close, 'length', { value: 0 })
Object.defineProperty(ResilientWebSocket, 'length', { value: 1 })
