/**
 * The event objects the socket emits and their types. Each field is a getter
 * over a private field, like the native events' attributes: a listener cannot
 * overwrite or delete what the next one reads (WPT close-basic.html assigns
 * `wasClean` and expects it unchanged).
 */
import { retarget } from './listeners.js'
import type { SendData } from './native-socket.js'

// A real CloseEvent where the platform has one (browsers; `instanceof CloseEvent`
// and "[object CloseEvent]" like native), a plain Event elsewhere (Node 20, SSR).
const CloseEventBase = (typeof CloseEvent === 'function' ? CloseEvent : Event) as new (
  type: string,
  init: CloseEventInit,
) => Event

/** Read-only, enumerable accessors on `Class.prototype` for `names`, each reading `read(event)[name]`. */
function fields<T>(Class: { prototype: T }, read: (event: T) => object, names: readonly string[]): void {
  for (const name of names) {
    Object.defineProperty(Class.prototype, name, {
      configurable: true,
      enumerable: true,
      get(this: T) {
        return (read(this) as Record<string, unknown>)[name]
      },
    })
  }
}

type CloseInit = { code: number; reason: string; wasClean: boolean; willReconnect?: boolean }

/** The closes after which a new connection follows (a set, so a browser's own close event can be one). */
const reconnecting = new WeakSet<Event>()

/** Marks a close the policy decided to retry: the same event is emitted with `willReconnect: true`. */
export function markWillReconnect(event: ResilientCloseEvent): void {
  reconnecting.add(event)
}

/**
 * The close of one underlying connection (or of an attempt that never opened).
 * In browsers a close the native socket reported is its own event, handed on
 * (see `adopt`); the others are built.
 */
export class ResilientCloseEvent extends CloseEventBase {
  /** The close code; 1006 when the connection failed or was abandoned without a close frame. */
  declare readonly code: number
  /** The close reason, as the server sent it: untrusted text. */
  declare readonly reason: string
  /** `true` when the closing handshake completed. */
  declare readonly wasClean: boolean
  readonly #init: CloseInit
  constructor(init: CloseInit) {
    super('close', init)
    // A copy: the caller's object may change later, the event's fields may not.
    this.#init = { code: init.code, reason: init.reason, wasClean: init.wasClean }
    if (init.willReconnect) reconnecting.add(this)
  }
  /** `true` when a new connection will follow; exactly one close per run has `false`. */
  get willReconnect(): boolean {
    return reconnecting.has(this)
  }
  static {
    // In browsers `code`, `reason` and `wasClean` are the real CloseEvent's getters, fed by
    // the init dictionary (WPT close-basic deletes them from CloseEvent.prototype and expects
    // them gone). Where there is no CloseEvent (Node 20), these stand in for them.
    if (typeof CloseEvent !== 'function') {
      fields(ResilientCloseEvent, (event) => event.#init, ['code', 'reason', 'wasClean'])
    }
  }
}

/**
 * An `error` event: a forwarded native error or one of this library's errors.
 * A browser's native error says nothing (`error` undefined, `message` '');
 * Node's `ws` and undici's `WebSocket` say what failed, and that is kept.
 */
export class ResilientErrorEvent extends Event {
  /**
   * What went wrong, when known: a `CloseCodeError`, `ConnectTimeoutError`, a URL
   * provider's rejection, the wrapped implementation's error (`ECONNREFUSED` in Node), …
   */
  declare readonly error: unknown
  /** The error's message (or `message` when given); '' for a browser's native error. */
  declare readonly message: string
  readonly #init: { error: unknown; message: string }
  constructor(error?: unknown, message?: string) {
    super('error')
    this.#init = {
      error,
      message: message ?? (error instanceof Error ? error.message : error === undefined ? '' : String(error)),
    }
  }
  static {
    fields(ResilientErrorEvent, (event) => event.#init, ['error', 'message'])
  }
}

type ReconnectingInit = { attempt: number; delayMs: number; code: number; reason: string }

/** A retry has been scheduled. */
export class ReconnectingEvent extends Event {
  /** The retry's number since the last stable connection, from 1. */
  declare readonly attempt: number
  /** How long until the retry. */
  declare readonly delayMs: number
  /** The close code that led to the retry. */
  declare readonly code: number
  /** The close reason that led to the retry (untrusted text). */
  declare readonly reason: string
  readonly #init: ReconnectingInit
  constructor(init: ReconnectingInit) {
    super('reconnecting')
    // A copy: the caller's object may change later, the event's fields may not.
    this.#init = { attempt: init.attempt, delayMs: init.delayMs, code: init.code, reason: init.reason }
  }
  static {
    fields(ReconnectingEvent, (event) => event.#init, ['attempt', 'delayMs', 'code', 'reason'])
  }
}

/** Why a buffered message was taken out unsent: the buffer was full, or the socket stopped for good. */
export type DropReason = 'overflow' | 'closed'

/** A buffered message was taken out of the send buffer unsent. */
export class DropEvent extends Event {
  /** The message as it was queued (buffers are copies taken at `send()` time). */
  declare readonly data: SendData
  /** `overflow`: the buffer was full; `closed`: the socket stopped for good. */
  declare readonly reason: DropReason
  readonly #init: { data: SendData; reason: DropReason }
  constructor(data: SendData, reason: DropReason) {
    super('drop')
    this.#init = { data, reason }
  }
  static {
    fields(DropEvent, (event) => event.#init, ['data', 'reason'])
  }
}

// Every platform this runs on has a MessageEvent (browsers, Node ≥ 20); the
// fallback only keeps importing this module from throwing where one is missing.
const MessageEventBase = (typeof MessageEvent === 'function' ? MessageEvent : Event) as typeof MessageEvent

/**
 * A message from the server. Where the native socket's event is a platform
 * `MessageEvent` (browsers, undici) that event is handed on itself, made an
 * instance of this class by `adopt()`: building a copy per message cost as
 * much as the rest of the receive path. Node's `ws` delivers events of its
 * own, and gets one built with its data.
 */
export class ResilientMessageEvent<T = unknown> extends MessageEventBase<T> {}
// `event.constructor` is the page's MessageEvent, as for a native message (WPT multi-globals).
Object.defineProperty(ResilientMessageEvent.prototype, 'constructor', {
  value: MessageEventBase,
  writable: true,
  configurable: true,
})

/** `open` events are plain events with the wrapper as their target. */
export class ResilientOpenEvent extends Event {
  constructor() {
    super('open')
  }
}

for (const type of [
  ResilientCloseEvent,
  ResilientErrorEvent,
  ReconnectingEvent,
  DropEvent,
  ResilientMessageEvent,
  ResilientOpenEvent,
]) {
  retarget(type.prototype)
}

/**
 * The native `event` handed on as an instance of `Class`, whose accessors show
 * the wrapper as target (everything else — data, origin, code, isTrusted,
 * timeStamp — stays the native event's own), when it is a platform event of
 * kind `Native` (a browser's, undici's); `undefined` otherwise (`ws`'s own
 * events, or no such platform class), for the caller to build one.
 */
export function adopt<T extends Event>(event: unknown, Native: unknown, Class: { prototype: T }): T | undefined {
  return typeof Native === 'function' && event instanceof Native
    ? Object.setPrototypeOf(event, Class.prototype)
    : undefined
}

/** Every event the socket emits and the listener each takes: the type `on()` and `addEventListener()` check. */
export interface ResilientWebSocketEvents {
  open: (event: Event) => void
  message: (event: MessageEvent) => void
  close: (event: ResilientCloseEvent) => void
  error: (event: ResilientErrorEvent) => void
  reconnecting: (event: ReconnectingEvent) => void
  drop: (event: DropEvent) => void
}

/** The event names. */
export type ResilientWebSocketEventType = keyof ResilientWebSocketEvents
