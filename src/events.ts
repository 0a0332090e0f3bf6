/**
 * The event objects the socket emits, their types, and the one dispatch loop
 * that `on()`, `addEventListener()` and the `onX` handlers all go through.
 */
import { EventEmitter } from 'eventemitter3'
import type { SendData } from './options.js'

/** Set on an event while (and after) this library dispatches it: the wrapper that emitted it. */
const OWNER: unique symbol = Symbol('resilient-websocket.owner')
/** True while the event is being dispatched. */
const ACTIVE: unique symbol = Symbol('resilient-websocket.active')
/** Marks events (or prototypes) that already have the accessors below. */
const RETARGETABLE: unique symbol = Symbol('resilient-websocket.retargetable')

interface Retargeted {
  [OWNER]?: object
  [ACTIVE]?: boolean
}

const AT_TARGET = 2
const eventTarget = Object.getOwnPropertyDescriptor(Event.prototype, 'target')?.get

// Listeners must see the wrapper as `target`/`currentTarget` and AT_TARGET as
// `eventPhase`, as they would on a native socket. The native getters only
// report what a real EventTarget dispatch set, so these shadow them.
function target(this: Event & Retargeted): unknown {
  return this[OWNER] ?? eventTarget?.call(this) ?? null
}
const targetAccessors: PropertyDescriptorMap = {
  [RETARGETABLE]: { value: true },
  target: { configurable: true, get: target },
  srcElement: { configurable: true, get: target },
  currentTarget: {
    configurable: true,
    get(this: Event & Retargeted) {
      return this[ACTIVE] ? this[OWNER] : null
    },
  },
  eventPhase: {
    configurable: true,
    get(this: Event & Retargeted) {
      return this[ACTIVE] ? AT_TARGET : 0
    },
  },
}

// A real CloseEvent where the platform has one (browsers; `instanceof CloseEvent`
// and "[object CloseEvent]" like native), a plain Event elsewhere (Node 20, SSR).
const CloseEventBase = (typeof CloseEvent === 'function' ? CloseEvent : Event) as new (
  type: string,
  init: CloseEventInit,
) => Event

// Every event's fields are getters over private fields, like the native events'
// attributes: a listener cannot overwrite or delete what the next one reads
// (WPT close-basic.html assigns `wasClean` and expects it unchanged).

type CloseInit = { code: number; reason: string; wasClean: boolean; willReconnect?: boolean }

/** The close of one underlying connection (or of an attempt that never opened). */
export class ResilientCloseEvent extends CloseEventBase {
  /** The close code; 1006 when the connection failed or was abandoned without a close frame. */
  declare readonly code: number
  /** The close reason, as the server sent it: untrusted text. */
  declare readonly reason: string
  /** `true` when the closing handshake completed. */
  declare readonly wasClean: boolean
  readonly #init: Required<CloseInit>
  constructor(init: CloseInit) {
    super('close', init)
    // A copy: the caller's object may change later, the event's fields may not.
    this.#init = {
      code: init.code,
      reason: init.reason,
      wasClean: init.wasClean,
      willReconnect: init.willReconnect ?? false,
    }
  }
  /** `true` when a new connection will follow; exactly one close per run has `false`. */
  get willReconnect(): boolean {
    return this.#init.willReconnect
  }
  static {
    // In browsers `code`, `reason` and `wasClean` are the real CloseEvent's getters, fed by
    // the init dictionary (WPT close-basic deletes them from CloseEvent.prototype and expects
    // them gone). Where there is no CloseEvent (Node 20), these stand in for them.
    if (typeof CloseEvent !== 'function') {
      const field = (name: 'code' | 'reason' | 'wasClean') => ({
        configurable: true,
        enumerable: true,
        get(this: ResilientCloseEvent) {
          return this.#init[name]
        },
      })
      Object.defineProperties(ResilientCloseEvent.prototype, {
        code: field('code'),
        reason: field('reason'),
        wasClean: field('wasClean'),
      })
    }
  }
}

/**
 * An `error` event: a forwarded native error or one of this library's errors.
 * A browser's native error says nothing (`error` undefined, `message` '');
 * Node's `ws` and undici's `WebSocket` say what failed, and that is kept.
 */
export class ResilientErrorEvent extends Event {
  readonly #error: unknown
  readonly #message: string
  constructor(error?: unknown, message?: string) {
    super('error')
    this.#error = error
    this.#message = message ?? (error instanceof Error ? error.message : error === undefined ? '' : String(error))
  }
  /**
   * What went wrong, when known: a `CloseCodeError`, `ConnectTimeoutError`, a URL
   * provider's rejection, the wrapped implementation's error (`ECONNREFUSED` in Node), …
   */
  get error(): unknown {
    return this.#error
  }
  /** The error's message (or `message` when given); '' for a browser's native error. */
  get message(): string {
    return this.#message
  }
}

type ReconnectingInit = { attempt: number; delayMs: number; code: number; reason: string }

/** A retry has been scheduled. */
export class ReconnectingEvent extends Event {
  readonly #init: ReconnectingInit
  constructor(init: ReconnectingInit) {
    super('reconnecting')
    // A copy: the caller's object may change later, the event's fields may not.
    this.#init = { attempt: init.attempt, delayMs: init.delayMs, code: init.code, reason: init.reason }
  }
  /** The retry's number since the last stable connection, from 1. */
  get attempt(): number {
    return this.#init.attempt
  }
  /** How long until the retry. */
  get delayMs(): number {
    return this.#init.delayMs
  }
  /** The close code that led to the retry. */
  get code(): number {
    return this.#init.code
  }
  /** The close reason that led to the retry (untrusted text). */
  get reason(): string {
    return this.#init.reason
  }
}

/** A queued message was taken out of the send queue unsent. */
export class DropEvent extends Event {
  readonly #data: SendData
  readonly #reason: 'overflow' | 'closed'
  constructor(data: SendData, reason: 'overflow' | 'closed') {
    super('drop')
    this.#data = data
    this.#reason = reason
  }
  /** The message as it was queued (buffers are copies taken at `send()` time). */
  get data(): SendData {
    return this.#data
  }
  /** `overflow`: the queue was full; `closed`: the socket stopped for good. */
  get reason(): 'overflow' | 'closed' {
    return this.#reason
  }
}

/**
 * A message from the server. Constructing a DOM `MessageEvent` costs more than
 * the native socket's own dispatch of the message (it parses an init
 * dictionary in C++), so this is a plain `Event` carrying `data` and `origin`
 * as fields, whose prototype chain runs through `MessageEvent.prototype`:
 * `instanceof MessageEvent` holds and it prints as "[object MessageEvent]".
 * The members a `MessageEvent` brand-checks are shadowed below.
 */
export class ResilientMessageEvent<T = unknown> extends Event {
  readonly #data: T
  readonly #origin: string
  declare readonly lastEventId: string
  declare readonly source: MessageEventSource | null
  declare readonly ports: ReadonlyArray<MessagePort>
  declare initMessageEvent: MessageEvent<T>['initMessageEvent'];
  // Set here, not on first dispatch, so every instance has one shape.
  [ACTIVE] = false;
  [OWNER]: object | undefined = undefined
  constructor(data: T, origin: string) {
    super('message')
    this.#data = data
    this.#origin = origin
  }
  /** The message, as the native socket delivered it (not copied). */
  get data(): T {
    return this.#data
  }
  /** The origin of the socket's URL. */
  get origin(): string {
    return this.#origin
  }
}

const NO_PORTS: readonly MessagePort[] = Object.freeze([])
if (typeof MessageEvent === 'function') {
  Object.setPrototypeOf(ResilientMessageEvent.prototype, MessageEvent.prototype)
  // `event.constructor` is the page's MessageEvent, as for a native message (WPT multi-globals).
  Object.defineProperty(ResilientMessageEvent.prototype, 'constructor', {
    value: MessageEvent,
    writable: true,
    configurable: true,
  })
}
Object.defineProperties(ResilientMessageEvent.prototype, {
  lastEventId: { configurable: true, get: () => '' },
  source: { configurable: true, get: () => null },
  ports: { configurable: true, get: () => NO_PORTS },
  userActivation: { configurable: true, get: () => null },
  // Deprecated, and a no-op on an event being dispatched, which is when listeners see it.
  initMessageEvent: { configurable: true, writable: true, value() {} },
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
  Object.defineProperties(type.prototype, targetAccessors)
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

/** Reports a listener's exception the way browsers do, without stopping the dispatch. */
export function reportListenerError(error: unknown): void {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error)
  else
    setTimeout(() => {
      throw error
    }, 0)
}

// eventemitter3 keeps each event's listeners as one record or an array of
// them. Reading that store lets one loop give every listener DOM semantics:
// an exception is reported and the rest still run, and a listener removed
// during the dispatch is not called.
interface ListenerRecord {
  fn: (...args: unknown[]) => void
  context: unknown
  once: boolean
}
interface EmitterInternals {
  _events: Record<string, ListenerRecord | ListenerRecord[] | undefined>
}
const prefix = typeof EventEmitter.prefixed === 'string' ? EventEmitter.prefixed : ''

function stillRegistered(current: ListenerRecord | ListenerRecord[] | undefined, record: ListenerRecord): boolean {
  return current === record || (Array.isArray(current) && current.includes(record))
}

function invoke(emitter: EventEmitter, type: string, record: ListenerRecord, event: Event): void {
  if (record.once) emitter.removeListener(type, record.fn, undefined, true)
  try {
    record.fn.call(record.context, event)
  } catch (error) {
    reportListenerError(error)
  }
}

/**
 * Dispatches `event` to the emitter's listeners in registration order, with
 * the emitter as target. Returns whether any listener was registered.
 */
export function dispatch(emitter: EventEmitter, type: string, event: Event): boolean {
  const internals = emitter as unknown as EmitterInternals
  const key = prefix + type
  const listeners = internals._events[key]
  if (listeners === undefined) return false
  const e = event as Event & Retargeted
  // An event created elsewhere (passed to dispatchEvent) gets the accessors on itself.
  if (!(RETARGETABLE in e)) Object.defineProperties(e, targetAccessors)
  e[OWNER] = emitter
  e[ACTIVE] = true
  if (!Array.isArray(listeners)) invoke(emitter, type, listeners, e)
  else {
    const count = listeners.length
    for (let i = 0; i < count; i++) {
      const record = listeners[i]!
      // Read the store afresh: removing every listener replaces the whole store object.
      const current = internals._events[key]
      if (i > 0 && current !== listeners && !stillRegistered(current, record)) continue
      invoke(emitter, type, record, e)
    }
  }
  e[ACTIVE] = false
  return true
}
