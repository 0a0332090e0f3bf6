/**
 * Every listener mechanism in one place: `on()`/`once()` (eventemitter3),
 * `addEventListener` entries and `onX` handler attributes registered on the
 * same eventemitter3 list (so all kinds share one registration order), and
 * the one dispatch loop that gives every listener DOM semantics.
 */
import { EventEmitter } from 'eventemitter3'

/** Set on an event while (and after) this library dispatches it: the wrapper that emitted it. */
export const OWNER: unique symbol = Symbol('resilient-websocket.owner')
/** True while the event is being dispatched. */
export const ACTIVE: unique symbol = Symbol('resilient-websocket.active')

interface Retargeted {
  [OWNER]?: object
  [ACTIVE]?: boolean
}

const eventTarget = Object.getOwnPropertyDescriptor(Event.prototype, 'target')?.get

// Listeners must see the wrapper as `target`/`currentTarget` and AT_TARGET (2) as
// `eventPhase`, as they would on a native socket. The native getters only
// report what a real EventTarget dispatch set, so these shadow them.
function target(this: Event & Retargeted): unknown {
  return this[OWNER] ?? eventTarget?.call(this) ?? null
}
const retargeting: PropertyDescriptorMap = {
  [OWNER]: { writable: true, value: undefined },
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
      return this[ACTIVE] ? 2 : 0
    },
  },
  // As at a native socket: the target while being dispatched, empty after. (An adopted
  // native event would otherwise list the native socket.)
  composedPath: {
    configurable: true,
    writable: true,
    value(this: Event & Retargeted) {
      return this[ACTIVE] ? [this[OWNER]] : []
    },
  },
}

/** Gives an event class (or one foreign event) the accessors above. */
export function retarget<T extends object>(target: T): T {
  return Object.defineProperties(target, retargeting)
}

/** Reports a listener's exception the way browsers do, without stopping the dispatch. */
export function reportListenerError(error: unknown): void {
  if (typeof reportError === 'function') reportError(error)
  else
    setTimeout(() => {
      throw error
    }, 0)
}

// eventemitter3 keeps each event's listeners under `_events[prefix + type]`, as
// one record or an array of them. Reading that store lets one loop give every
// listener DOM semantics: an exception is reported and the rest still run, and
// a listener removed during the dispatch is not called. The store is private to
// eventemitter3, so package.json pins its exact version and
// test/unit/listeners.test.ts checks the shape read here.
interface ListenerRecord {
  fn: (...args: unknown[]) => void
  context: unknown
  once: boolean
}
type Store = Record<string, ListenerRecord | ListenerRecord[] | undefined>
const prefix = typeof EventEmitter.prefixed === 'string' ? EventEmitter.prefixed : ''

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
  const store = (emitter as unknown as { _events: Store })._events
  const key = prefix + type
  const listeners = store[key]
  if (listeners === undefined) return false
  const e = event as Event & Retargeted
  // An event created elsewhere (passed to dispatchEvent) gets the accessors on itself.
  if (!(OWNER in e)) retarget(e)
  e[OWNER] = emitter
  e[ACTIVE] = true
  if (!Array.isArray(listeners)) invoke(emitter, type, listeners, e)
  else {
    for (let i = 0, count = listeners.length; i < count; i++) {
      const record = listeners[i]!
      // Read the store afresh (removing every listener replaces the store object):
      // a listener removed by an earlier one in this dispatch is skipped.
      const current = (emitter as unknown as { _events: Store })._events[key]
      if (
        i === 0 ||
        current === listeners ||
        current === record ||
        (Array.isArray(current) && current.includes(record))
      )
        invoke(emitter, type, record, e)
    }
  }
  e[ACTIVE] = false
  return true
}

type Callback = EventListenerOrEventListenerObject

interface Entry {
  type: string
  callback: Callback
  capture: boolean
  wrapper: (event: Event) => void
}

const isObject = (value: unknown): value is object =>
  typeof value === 'function' || (typeof value === 'object' && value !== null)

const captureOf = (options: unknown): boolean =>
  Boolean(isObject(options) ? (options as EventListenerOptions).capture : options)

/** The `addEventListener` entries and `onX` handlers of one emitter. */
export class DomListeners {
  readonly #emitter: EventEmitter
  #entries: Entry[] = []
  readonly #handlers = new Map<string, { handler: object; wrapper: (event: Event) => void }>()

  constructor(emitter: EventEmitter) {
    this.#emitter = emitter
  }

  /** `addEventListener` semantics: duplicates ignored, `once` and `signal` honoured. */
  add(type: string, callback: Callback | null, options?: AddEventListenerOptions | boolean): void {
    if (callback == null) return
    if (!isObject(callback)) {
      throw new TypeError("Failed to execute 'addEventListener': parameter 2 is not of type 'Object'.")
    }
    const o: AddEventListenerOptions = isObject(options) ? options : {}
    const capture = captureOf(options)
    const signal = o.signal
    if (
      signal?.aborted ||
      this.#entries.some((e) => e.type === type && e.callback === callback && e.capture === capture)
    )
      return
    const emitter = this.#emitter
    const remove = () => this.remove(type, callback, capture)
    const wrapper = (event: Event) => {
      if (o.once) remove()
      if (typeof callback === 'function') callback.call(emitter, event)
      else callback.handleEvent(event)
    }
    signal?.addEventListener('abort', remove, { once: true })
    this.#entries.push({ type, callback, capture, wrapper })
    emitter.on(type, wrapper)
  }

  /** `removeEventListener` semantics: matched by type, callback and capture. */
  remove(type: string, callback: Callback | null, options?: EventListenerOptions | boolean): void {
    const capture = captureOf(options)
    this.#entries = this.#entries.filter((e) => {
      const match = e.type === type && e.callback === callback && e.capture === capture
      if (match) this.#emitter.off(type, e.wrapper)
      return !match
    })
  }

  /** The `onX` getter: the handler or `null`. */
  getHandler(type: string): object | null {
    return this.#handlers.get(type)?.handler ?? null
  }

  /**
   * The `onX` setter. Like in browsers, a handler keeps its place in the
   * listener order when replaced. Any object is kept and read back (WebIDL
   * `[LegacyTreatNonObjectAsNull]`), though only a callable one is called;
   * anything else (`null`, numbers, strings) removes the handler.
   */
  setHandler(type: string, value: unknown): void {
    const current = this.#handlers.get(type)
    if (!isObject(value)) {
      if (current) this.#emitter.off(type, current.wrapper)
      this.#handlers.delete(type)
    } else if (current) current.handler = value
    else {
      const emitter = this.#emitter
      const slot = {
        handler: value,
        wrapper: (event: Event) => {
          const handler = slot.handler
          if (typeof handler === 'function') handler.call(emitter, event)
        },
      }
      this.#handlers.set(type, slot)
      emitter.on(type, slot.wrapper)
    }
  }

  /** Forgets entries after `removeAllListeners` took their wrappers off the emitter. */
  forget(type?: string): void {
    this.#entries = this.#entries.filter((e) => type !== undefined && e.type !== type)
    for (const key of [...this.#handlers.keys()]) if (type === undefined || key === type) this.#handlers.delete(key)
  }
}
