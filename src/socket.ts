/**
 * `ResilientWebSocket`: one logical connection made of a series of native
 * sockets. The state is one union; `#to()` is the only way it changes kind,
 * and it cleans up what the state left owned (its timer, heartbeat and native
 * socket), so nothing outlives its state.
 */
import { EventEmitter } from 'eventemitter3'
import { clampDelay, jitterStrategies } from './backoff.js'
import { Page } from './environment.js'
import {
  CloseCodeError,
  ConnectTimeoutError,
  domException,
  HeartbeatTimeoutError,
  redactError,
  redactUrl,
} from './errors.js'
import {
  adopt,
  DropEvent,
  type DropReason,
  markWillReconnect,
  ReconnectingEvent,
  ResilientCloseEvent,
  ResilientErrorEvent,
  ResilientMessageEvent,
  ResilientOpenEvent,
  type ResilientWebSocketEvents,
} from './events.js'
import { Heartbeat } from './heartbeat.js'
import { DomListeners, dispatch } from './listeners.js'
import { type Log, wrapLogger } from './logger.js'
import {
  abandon,
  applyBinaryType,
  BARE_NATIVE_FAILURE,
  KNOWN_BINARY_TYPES,
  type NativeCloseEvent,
  type NativeErrorEvent,
  NativeFailure,
  type NativeMessageEvent,
  type NativeSocket,
  type NodeBinaryType,
  nativeFailure,
  originOf,
  type ProtocolsProvider,
  type UrlProvider,
  type WebSocketConstructor,
} from './native-socket.js'
import { type ResilientWebSocketOptions, type ResolvedOptions, resolveOptions, type SendData } from './options.js'
import { decide } from './policies.js'
import { byteLength, SendBuffer, snapshot, utf8Length } from './send-buffer.js'

// Provider types were first declared here; they live with the native socket's types now.
export type { ProtocolsProvider, UrlProvider }

type Timer = ReturnType<typeof setTimeout>

/** A connection that ended and whose close has not been reported yet. */
interface Ended {
  close: ResilientCloseEvent
  /** Errors not reported yet, oldest first. */
  errors: unknown[]
}

/**
 * Every state has a `socket` and a `timer` slot (null/undefined where it has
 * none), filled in after the state is entered; `#to()` clears both on leaving.
 */
type State =
  /** An attempt: resolving the URL (`socket` null) or a native socket handshaking; `timer`: the connect timeout. */
  | { kind: 'connecting'; socket: NativeSocket | null; timer?: Timer | undefined }
  /** `timer`: until the connection counts as stable. */
  | { kind: 'open'; socket: NativeSocket; timer?: Timer | undefined; heartbeat?: Heartbeat }
  /**
   * Between attempts; `timer`: the retry delay. `serverDictated`: the delay came
   * from the server (1013 or a policy's `delayMs`), so no shortcut may cut it;
   * `due`: the delay ran out while offline; `suspended`: the page is in the
   * back/forward cache; `dueAt`: when a server-dictated delay runs out (`Date.now()` time);
   * `ended`: set while the close that led here is being decided and reported.
   */
  | {
      kind: 'waiting'
      socket: null
      timer?: Timer | undefined
      serverDictated: boolean
      due: boolean
      suspended: boolean
      dueAt: number
      ended?: Ended | undefined
    }
  /** `close()` was called: waiting for the native close (`socket`) or for the task that reports it (`timer`). */
  | { kind: 'closing'; socket: NativeSocket | null; timer?: Timer | undefined }
  | { kind: 'closed'; socket: null; timer?: undefined }

type Waiting = State & { kind: 'waiting' }
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

/** A wait between attempts. */
function waiting(suspended = false, ended?: Ended): Waiting {
  return { kind: 'waiting', socket: null, serverDictated: false, due: false, suspended, dueAt: 0, ended }
}

/** What an error entry says as an `Error`'s `cause`: a native failure's own error (none in browsers). */
function causeOf(error: unknown): unknown {
  return error instanceof NativeFailure ? error.error : error
}

/** WebIDL's [Clamp] unsigned short conversion, which `close(code)` applies before validating. */
function clampCode(value: unknown): number {
  const n = Math.min(Math.max(Number(value), 0), 0xffff)
  if (Number.isNaN(n)) return 0
  const floor = Math.floor(n)
  const diff = n - floor
  return diff > 0.5 || (diff === 0.5 && floor % 2 === 1) ? floor + 1 : floor
}

/** The checks the native `close()` makes; `reconnect()` shares them. */
function checkClose(method: string, code: unknown, reason: unknown): { code: number | undefined; reason: string } {
  const checked = code === undefined ? code : clampCode(code)
  const text = reason === undefined ? '' : String(reason)
  const fail = (message: string, name: string) => {
    throw domException(`Failed to execute '${method}' on 'WebSocket': ${message}`, name)
  }
  if (checked !== undefined && checked !== 1000 && (checked < 3000 || checked > 4999)) {
    fail(`The close code must be either 1000, or between 3000 and 4999. ${checked} is neither.`, 'InvalidAccessError')
  }
  if (utf8Length(text) > 123) fail('The close reason must not be greater than 123 UTF-8 bytes.', 'SyntaxError')
  return { code: checked, reason: text }
}

/**
 * A drop-in replacement for the browser's `WebSocket` that reconnects per
 * close code: it stops, retries with backoff, or surfaces an error, and
 * buffers messages sent while it is (re)connecting.
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
  // Accessors defined in the static block below: one registry serves all four.
  declare onopen: ((this: WebSocket, event: Event) => unknown) | null
  declare onmessage: ((this: WebSocket, event: MessageEvent) => unknown) | null
  declare onclose: ((this: WebSocket, event: CloseEvent) => unknown) | null
  declare onerror: ((this: WebSocket, event: Event) => unknown) | null

  readonly #options: ResolvedOptions
  readonly #WebSocket: WebSocketConstructor
  readonly #url: UrlProvider
  readonly #protocols: ProtocolsProvider | undefined
  readonly #buffer = new SendBuffer()
  readonly #listeners = new DomListeners(this as unknown as EventEmitter)
  readonly #log: Log | undefined
  #state: State = { kind: 'closed', socket: null }
  /** The window and document listeners of the current run. */
  #page: Page | undefined
  /** The native socket of the current or last attempt (for `url`, `protocol`, `extensions`). */
  #lastSocket: NativeSocket | null = null
  #retryCount = 0
  #lastDelayMs = 0
  /** What the native socket reported after the last assignment (it may refuse a value). */
  #binaryType: string = 'blob'
  /** Bytes given to `send()` after the socket closed: native counts them in `bufferedAmount`. */
  #discardedBytes = 0

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
      throw new TypeError('No WebSocket implementation: there is no globalThis.WebSocket; pass options.WebSocket')
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
    return s.kind === 'open' && s.socket.readyState !== 1 ? 2 : READY_STATE[s.kind]
  }

  /** The native socket's `bufferedAmount` plus the bytes waiting in the send buffer. */
  get bufferedAmount(): number {
    const s = this.#state
    const socket = s.kind === 'closed' ? this.#lastSocket : s.socket
    return (socket?.bufferedAmount ?? 0) + this.#buffer.bytes + this.#discardedBytes
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
    const socket = this.#state.socket ?? this.#lastSocket
    if (socket) this.#binaryType = applyBinaryType(socket, value)
    // No socket yet (a URL provider is pending): the first socket confirms or refuses it.
    else if (KNOWN_BINARY_TYPES.includes(value)) this.#binaryType = value
  }

  /** Retries scheduled since the last connection that stayed open `stableAfterMs`. */
  get retryCount(): number {
    return this.#retryCount
  }

  /**
   * Sends when OPEN. While CONNECTING (an attempt or a retry wait) buffers the
   * message, unless `buffer` is `false` (then it throws `InvalidStateError`
   * like native). In CLOSING/CLOSED the data is discarded like native.
   * @throws `BufferOverflowError` when the send buffer is full and `buffer.overflow` is `'error'`.
   */
  send(data: SendData): void {
    // biome-ignore lint/complexity/noArguments: native send() tells a missing argument from an explicit undefined
    if (arguments.length === 0) {
      throw new TypeError("Failed to execute 'send' on 'WebSocket': 1 argument required, but only 0 present.")
    }
    const s = this.#state
    const buffer = this.#options.buffer
    // The server's close frame may already have arrived (native CLOSING, our close
    // event still to come): native would discard the message, the buffer keeps it.
    if (s.kind === 'open' && (s.socket.readyState === 1 || !buffer)) s.socket.send(data)
    else if (s.kind === 'closing' || s.kind === 'closed') {
      // Discarded, and counted in `bufferedAmount`. A closing or closed native socket
      // counts it the engine's way (WebKit adds each frame's header), so it gets the data.
      const socket = s.socket ?? this.#lastSocket
      if (socket) socket.send(data)
      else this.#discardedBytes += byteLength(snapshot(data))
    } else if (buffer) {
      try {
        this.#buffer.offer(snapshot(data), buffer, (dropped) => this.#drop(dropped, 'overflow'))
      } catch (error) {
        // offer() throws only the BufferOverflowError of `overflow: 'error'`.
        this.#log?.('warn', 'queue.overflow', { limit: (error as { limit: string }).limit })
        throw error
      }
    } else {
      snapshot(data) // WebIDL converts the argument before the state check: a Symbol is a TypeError first
      throw domException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", 'InvalidStateError')
    }
  }

  #drop(data: SendData, reason: DropReason): void {
    this.#log?.('warn', 'queue.dropped', { reason, bytes: byteLength(data) })
    this.#emit('drop', new DropEvent(data, reason))
  }

  /**
   * Closes for good: validates like native, cancels any pending retry, and
   * never reconnects afterwards (whatever code the server echoes).
   */
  close(code?: number, reason?: string): void {
    const checked = checkClose('close', code, reason)
    if (this.#state.kind === 'closing' || this.#state.kind === 'closed') return
    this.#log?.('info', 'app.close', { code: checked.code })
    // Read after the log: a logger may have called close() or reconnect() itself.
    const s = this.#state as State
    if (s.kind === 'closing' || s.kind === 'closed') return
    if (s.kind === 'waiting' && s.ended) {
      // Called while the close that ended the last connection is being decided or
      // reported (a policy function, an error listener): that close is the final one.
      this.#stop(s.ended.close, s.ended.errors)
    } else if (s.kind === 'open') {
      this.#to({ kind: 'closing', socket: s.socket })
      if (checked.code === undefined) s.socket.close()
      else s.socket.close(checked.code, checked.reason)
    } else {
      // CONNECTING (an attempt or a retry wait): like native, CLOSING now, then in a
      // later task `error` and a 1006 close.
      const closing = this.#to<State & { kind: 'closing' }>({ kind: 'closing', socket: null })
      closing.timer = setTimeout(() => this.#stop(new ResilientCloseEvent(ABNORMAL), [BARE_NATIVE_FAILURE]), 0)
    }
  }

  /**
   * Closes the current socket with `code` (default 1000), reports its close
   * (`willReconnect: true`) at once, and connects again now with the retry
   * counter reset. After the socket stopped for good, starts a new run.
   */
  reconnect(code?: number, reason?: string): void {
    const { code: given, reason: text } = checkClose('reconnect', code, reason)
    this.#log?.('info', 'app.reconnect', { code: given })
    const s = this.#state
    this.#resetRetries()
    if (s.kind === 'closing') this.#stop(new ResilientCloseEvent(ABNORMAL), [])
    if (s.kind === 'closing' || s.kind === 'closed') {
      // A close listener may have started a run already: never two.
      if (this.#state.kind === 'closed') this.#startRun(false)
      return
    }
    let wait = s
    if (s.kind === 'waiting') {
      // Called while the last close is being decided or reported (a policy function, an error
      // listener): that close is reported as one that reconnects, unless a listener takes over.
      if (!this.#reportRetry(s)) return
    } else {
      wait = this.#to(waiting(), given ?? 1000, text)
      this.#emit(
        'close',
        new ResilientCloseEvent({ code: given ?? 1000, reason: text, wasClean: false, willReconnect: true }),
      )
    }
    if (this.#state === wait) this.#connect(false)
  }

  // ---- DOM-style listeners (the mechanics are in listeners.ts) ----------------------------

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
    const fail = "Failed to execute 'dispatchEvent' on 'EventTarget': "
    if (!(event instanceof Event)) throw new TypeError(`${fail}parameter 1 is not of type 'Event'.`)
    if (event.eventPhase) throw domException(`${fail}The event is already being dispatched.`, 'InvalidStateError')
    this.#emit(event.type as never, event as never)
    return !event.defaultPrevented
  }

  /** Emits through the same loop as the socket's own events when given one Event; plain eventemitter3 otherwise. */
  override emit<T extends keyof ResilientWebSocketEvents>(
    event: T,
    ...args: EventEmitter.EventArgs<ResilientWebSocketEvents, T>
  ): boolean {
    const [first] = args
    if (args.length === 1 && first instanceof Event) return this.#emit(event, first as never)
    return super.emit(event, ...args)
  }

  override removeAllListeners(event?: keyof ResilientWebSocketEvents): this {
    super.removeAllListeners(event)
    this.#listeners.forget(event)
    return this
  }

  static {
    for (const type of ['open', 'message', 'close', 'error'] satisfies (keyof ResilientWebSocketEvents)[]) {
      Object.defineProperty(ResilientWebSocket.prototype, `on${type}`, {
        configurable: true,
        get(this: ResilientWebSocket) {
          return this.#listeners.getHandler(type)
        },
        set(this: ResilientWebSocket, handler: unknown) {
          this.#listeners.setHandler(type, handler)
        },
      })
    }
  }

  // ---- the state machine ------------------------------------------------------------------

  #emit<K extends keyof ResilientWebSocketEvents>(type: K, event: Parameters<ResilientWebSocketEvents[K]>[0]): boolean {
    return dispatch(this as unknown as EventEmitter, type, event)
  }

  /**
   * The one place `#state` changes kind. The state left loses its timer and
   * heartbeat, and its native socket unless `next` carries it on (abandoned
   * with `code`/`reason` if it is still going).
   */
  #to<S extends State>(next: S, code?: number, reason?: string): S {
    const left = this.#state
    clearTimeout(left.timer)
    if (left.kind === 'open') left.heartbeat?.stop()
    if (left.socket !== next.socket) abandon(left.socket, code, reason)
    this.#state = next
    return next
  }

  /** The next retry is attempt 1 again, and decorrelated jitter starts over. */
  #resetRetries(): void {
    this.#retryCount = this.#lastDelayMs = 0
  }

  /** Starts a run: first attempt now, page listeners on while the run lasts. */
  #startRun(constructing: boolean): void {
    this.#resetRetries()
    this.#discardedBytes = 0
    this.#connect(constructing)
    if (this.#state.kind !== 'closed') {
      this.#page = new Page(
        {
          online: () => {
            const s = this.#state
            // A server-dictated delay still runs its course; one that ran out while offline fires now.
            if (s.kind === 'waiting' && !s.suspended && (!s.serverDictated || s.due)) this.#retryNow(false, 'online')
          },
          visible: () => {
            const s = this.#state
            if (s.kind === 'waiting' && !s.suspended && !s.serverDictated && !this.#page?.offline) {
              this.#retryNow(true, 'visible')
            }
          },
          suspend: () => this.#suspend(),
          resume: () => this.#resume(),
        },
        this.#options.reconnectOnOnline,
      )
    }
  }

  /** One attempt: resolve the URL and protocols (when they are functions), then open a native socket. */
  #connect(constructing: boolean): void {
    const attempt = this.#to({ kind: 'connecting', socket: null })
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
      return [
        await (typeof url === 'function' ? url() : url),
        await (typeof protocols === 'function' ? protocols() : protocols),
      ] as const
    }
    resolve().then(
      ([resolvedUrl, resolvedProtocols]) => {
        if (this.#state === attempt) this.#open(attempt, resolvedUrl, resolvedProtocols, false)
      },
      (error: unknown) => {
        if (this.#state !== attempt) return
        this.#log?.('error', 'connect.provider-failed', { error })
        if (this.#state === attempt) this.#closed(new ResilientCloseEvent(ABNORMAL), [error])
      },
    )
  }

  #armConnectTimeout(attempt: State & { kind: 'connecting' }): void {
    const ms = this.#options.connectTimeoutMs
    if (ms > 0) {
      attempt.timer = setTimeout(() => {
        this.#log?.('warn', 'connect.timeout', { timeoutMs: ms })
        if (this.#state === attempt) this.#closed(new ResilientCloseEvent(ABNORMAL), [new ConnectTimeoutError(ms)])
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
    this.#log?.('info', 'connect.attempt', { attempt: this.#retryCount, url: redactUrl(String(url)) })
    if (this.#state !== attempt) return
    try {
      socket = (
        protocols === undefined ? new this.#WebSocket(url) : new this.#WebSocket(url, protocols)
      ) as NativeSocket
    } catch (error) {
      if (constructing) throw error
      const redacted = redactError(error, String(url))
      this.#log?.('error', 'connect.constructor-failed', { error: redacted })
      if (this.#state === attempt) this.#stop(new ResilientCloseEvent(ABNORMAL), [redacted])
      return
    }
    attempt.socket = this.#lastSocket = socket
    this.#binaryType = applyBinaryType(socket, this.#binaryType)
    socket.onopen = (event: unknown) => this.#onOpen(socket, event)
    // A WebSocket message's origin is that of the socket's URL: read it once.
    let origin: string | undefined
    socket.onmessage = (event: NativeMessageEvent) => {
      const s = this.#state
      if (s.kind === 'open' && s.heartbeat) s.heartbeat.alive = true
      // `ws` sets no origin on its events: derive it from the URL as a browser does.
      this.#emit(
        'message',
        adopt(event, globalThis.MessageEvent, ResilientMessageEvent) ??
          new ResilientMessageEvent('message', {
            data: event.data,
            origin: (origin ??= event.origin ?? originOf(socket.url)),
          }),
      )
    }
    // A native error ends the connection at once: WebKit fires no close at all after
    // some errors (a blocked port), and where a close follows it is always 1006
    // unclean, so the late close is not waited for (leaving the state stops listening).
    socket.onerror = (event: NativeErrorEvent) => {
      if (this.#state.socket === socket) this.#ended(ABNORMAL, [nativeFailure(event, [String(url), socket.url])])
    }
    socket.onclose = (event: NativeCloseEvent) => {
      if (this.#state.socket === socket) this.#ended(event, [])
    }
  }

  /** The current native socket is gone: after `close()` that is the end, otherwise the policy decides. */
  #ended(info: CloseInfo, errors: unknown[]): void {
    const { code, reason, wasClean } = info
    // The reason is untrusted text from the server: the log gets it cut short.
    this.#log?.('info', 'close.received', { code, reason: reason.slice(0, 64), wasClean, failed: errors.length > 0 })
    // A browser's own close event is handed on, as its open and message events are.
    const close =
      adopt(info, globalThis.CloseEvent, ResilientCloseEvent) ?? new ResilientCloseEvent({ code, reason, wasClean })
    if (this.#state.kind === 'closing') this.#stop(close, errors)
    else this.#closed(close, errors)
  }

  #onOpen(socket: NativeSocket, event: unknown): void {
    const s = this.#state
    if (s.kind !== 'connecting' || s.socket !== socket) return
    // Only a connection that stays up resets the counter: a server that accepts
    // and closes at once must see growing delays, not a tight loop.
    const open = this.#to<State & { kind: 'open' }>({ kind: 'open', socket })
    open.timer = setTimeout(() => {
      this.#log?.('debug', 'retry.reset')
      this.#resetRetries()
    }, this.#options.stableAfterMs)
    // Buffered messages go first, in order, before anything an `open` listener sends.
    this.#buffer.drain((data) => socket.send(data))
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
          if (this.#state === open)
            this.#closed(new ResilientCloseEvent(ABNORMAL), [new HeartbeatTimeoutError(heartbeat.timeoutMs)])
        },
      )
    }
    this.#log?.('info', 'connect.open', { attempt: this.#retryCount, protocol: socket.protocol })
    this.#emit('open', adopt(event, Event, ResilientOpenEvent) ?? new ResilientOpenEvent())
  }

  /**
   * A connection or attempt ended without `close()`: apply the policy for its
   * code. The wait is entered first, so the ended socket is let go before any
   * application code runs, and a policy function or listener that calls
   * `close()` or `reconnect()` finds the close it is deciding in `ended`.
   */
  #closed(close: ResilientCloseEvent, errors: unknown[]): void {
    const options = this.#options
    const wait = this.#to(waiting(false, { close, errors }))
    const attempt = this.#retryCount + 1
    const [decision, rule] = decide(options.policies, close, { attempt }, (error) => {
      this.#log?.('warn', 'policy.failed', { code: close.code, error })
      errors.push(error)
    })
    this.#log?.('info', 'policy.decided', { code: close.code, action: decision.action, rule })
    // A policy function (or the logger) that called close() or reconnect() has taken over.
    if (this.#state !== wait) return
    if (decision.action !== 'retry') {
      this.#stop(close, errors, decision.action === 'error' ? new CloseCodeError(close.code, close.reason) : undefined)
      return
    }
    const limit = decision.maxRetries ?? options.maxRetries
    if (this.#retryCount >= limit) {
      this.#log?.('warn', 'retry.exhausted', { code: close.code, maxRetries: limit })
      if (this.#state !== wait) return
      // With nothing retried (maxRetries 0), there is nothing to report beyond the close itself.
      this.#stop(
        close,
        errors,
        this.#retryCount > 0 ? new CloseCodeError(close.code, close.reason, true, causeOf(errors.at(-1))) : undefined,
      )
      return
    }

    const fixed = decision.delayMs
    let delayMs: number
    if (fixed !== undefined) delayMs = clampDelay(fixed)
    else {
      const backoff = { ...options.backoff, ...decision.backoff }
      let random: number
      try {
        random = options.random()
      } catch (error) {
        // Reported with this close's errors; the retry still happens, with the platform's randomness.
        errors.push(error)
        random = Math.random()
      }
      delayMs = jitterStrategies[backoff.jitter](backoff)(attempt, this.#lastDelayMs, random)
    }
    this.#retryCount = attempt
    this.#lastDelayMs = delayMs
    wait.serverDictated = fixed !== undefined || close.code === 1013
    if (wait.serverDictated) wait.dueAt = Date.now() + delayMs
    this.#page?.checkOnline()
    // Armed before the log: a logger that calls close() finds the timer on the state it leaves.
    this.#armWait(wait, delayMs)
    this.#log?.('info', 'retry.scheduled', {
      attempt,
      delayMs,
      // 'policy': a policy's fixed delayMs; 'backoff': the schedule (1013's own row included).
      source: fixed === undefined ? 'backoff' : 'policy',
      serverDictated: wait.serverDictated,
      offline: this.#page?.offline,
    })
    if (this.#reportRetry(wait) && this.#state === wait) {
      this.#emit('reconnecting', new ReconnectingEvent({ attempt, delayMs, code: close.code, reason: close.reason }))
    }
  }

  /**
   * Reports the close that led to this wait (if not reported yet) as one that
   * reconnects: its errors, then the close with `willReconnect: true`. False
   * when a listener of those errors took over (called `close()` or `reconnect()`).
   */
  #reportRetry(wait: Waiting): boolean {
    const ended = wait.ended
    if (!ended) return true
    this.#report(ended.errors)
    if (this.#state !== wait) return false
    wait.ended = undefined
    markWillReconnect(ended.close)
    this.#emit('close', ended.close)
    return true
  }

  /** Connects when `delayMs` has passed, or marks the wait due if the page is offline by then. */
  #armWait(wait: Waiting, delayMs: number): void {
    wait.timer = setTimeout(() => {
      if (this.#page?.offline) {
        this.#to({ ...wait, timer: undefined, due: true })
        this.#log?.('info', 'retry.waiting-online', { attempt: this.#retryCount })
      } else this.#connect(false)
    }, delayMs)
  }

  /**
   * Stops for good: the send buffer is dropped (each message reported), then
   * the errors, then the one close of this run with `willReconnect: false`.
   */
  #stop(close: ResilientCloseEvent, errors: unknown[], failure?: CloseCodeError): void {
    this.#to({ kind: 'closed', socket: null })
    this.#page?.stop()
    this.#page = undefined
    // Taken out before any application code runs: a drop listener (or the logger) that
    // starts a new run buffers into a buffer this stop no longer drains.
    const left: SendData[] = []
    this.#buffer.drain((data) => left.push(data))
    this.#log?.(failure ? 'error' : 'info', 'socket.stopped', { code: close.code, error: failure })
    for (const data of left) this.#drop(data, 'closed')
    if (failure) errors.push(failure)
    this.#report(errors)
    this.#emit('close', close)
  }

  /**
   * Emits one `error` per entry, taking each out as it goes (a listener that
   * calls `close()` or `reconnect()` reports the rest): a native failure
   * forwards what the implementation said, anything else is the error.
   */
  #report(errors: unknown[]): void {
    while (errors.length) {
      const error = errors.shift()
      this.#emit(
        'error',
        error instanceof NativeFailure
          ? new ResilientErrorEvent(error.error, error.message)
          : new ResilientErrorEvent(error),
      )
    }
  }

  // ---- what the page tells us (environment.ts listens) ------------------------------------

  #retryNow(resetCounter: boolean, trigger: string): void {
    const s = this.#state
    this.#log?.('info', 'retry.now', { trigger })
    if (this.#state !== s) return
    if (resetCounter) this.#resetRetries()
    this.#connect(false)
  }

  /**
   * The page is entering the back/forward cache, which browsers refuse or break
   * for pages with an open socket: close it now, reconnect on `pageshow`.
   */
  #suspend(): void {
    const s = this.#state
    // The page is frozen with its timers: a stale retry delay would only hold up the restore.
    if (s.kind === 'waiting') this.#to({ ...s, timer: undefined, suspended: true })
    if (s.kind !== 'connecting' && s.kind !== 'open') return
    this.#log?.('info', 'page.suspended')
    if (this.#state !== s) return
    // Not a failure: the restored page starts the retry count afresh.
    this.#resetRetries()
    this.#to(waiting(true), 1000, BFCACHE_REASON)
    this.#emit(
      'close',
      new ResilientCloseEvent({ code: 1000, reason: BFCACHE_REASON, wasClean: false, willReconnect: true }),
    )
  }

  /**
   * Back from the back/forward cache: connect at once, unless the server asked
   * for the delay (1013, a policy's `delayMs`), which then runs what is left of it.
   */
  #resume(): void {
    const s = this.#state
    if (s.kind !== 'waiting' || !s.suspended) return
    const remainingMs = s.serverDictated ? s.dueAt - Date.now() : 0
    const wait = this.#to({ ...s, suspended: false, due: remainingMs <= 0 && !!this.#page?.offline })
    if (remainingMs > 0) this.#armWait(wait, remainingMs)
    else if (!wait.due) this.#retryNow(false, 'pageshow')
  }
}

// The readyState constants, like the native ones: enumerable, neither writable nor configurable.
const constants: PropertyDescriptorMap = {}
for (const [value, name] of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].entries()) {
  constants[name] = { value, enumerable: true }
}
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
] satisfies (keyof WebSocket)[]) {
  Object.defineProperty(ResilientWebSocket.prototype, name, { enumerable: true })
}
// WebIDL counts only required arguments: close() has none, the constructor one (the URL).
Object.defineProperty(ResilientWebSocket.prototype.close, 'length', { value: 0 })
Object.defineProperty(ResilientWebSocket, 'length', { value: 1 })
