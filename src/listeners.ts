/**
 * DOM-style registration (`addEventListener`, `onX` handler attributes) on top
 * of the eventemitter3 listener list, so every kind of listener shares one
 * registration order.
 */
import type { EventEmitter } from 'eventemitter3'

type Callback = EventListenerOrEventListenerObject

interface Entry {
  type: string
  callback: Callback
  capture: boolean
  wrapper: (event: Event) => void
  abort: (() => void) | undefined
}

/** The `addEventListener` entries and `onX` handlers of one emitter. */
export class DomListeners {
  readonly #emitter: EventEmitter
  readonly #entries: Entry[] = []
  readonly #handlers = new Map<string, { handler: object; wrapper: (event: Event) => void }>()

  constructor(emitter: EventEmitter) {
    this.#emitter = emitter
  }

  #find(type: string, callback: Callback, capture: boolean): number {
    return this.#entries.findIndex((e) => e.type === type && e.callback === callback && e.capture === capture)
  }

  /** `addEventListener` semantics: duplicates ignored, `once` and `signal` honoured. */
  add(type: string, callback: Callback | null, options?: AddEventListenerOptions | boolean): void {
    if (callback === null || callback === undefined) return
    if (typeof callback !== 'function' && (typeof callback !== 'object' || callback === null)) {
      throw new TypeError("Failed to execute 'addEventListener': parameter 2 is not of type 'Object'.")
    }
    const o = typeof options === 'object' && options !== null ? options : { capture: Boolean(options) }
    const capture = Boolean(o.capture)
    const signal = o.signal
    if (signal?.aborted) return
    if (this.#find(type, callback, capture) !== -1) return
    const emitter = this.#emitter
    const entry: Entry = {
      type,
      callback,
      capture,
      abort: undefined,
      wrapper: (event) => {
        if (o.once) this.remove(type, callback, capture)
        if (typeof callback === 'function') callback.call(emitter, event)
        else callback.handleEvent(event)
      },
    }
    if (signal) {
      entry.abort = () => this.remove(type, callback, capture)
      signal.addEventListener('abort', entry.abort, { once: true })
    }
    this.#entries.push(entry)
    emitter.on(type, entry.wrapper)
  }

  /** `removeEventListener` semantics: matched by type, callback and capture. */
  remove(type: string, callback: Callback | null, options?: EventListenerOptions | boolean): void {
    if (callback === null || callback === undefined) return
    const capture = typeof options === 'object' && options !== null ? Boolean(options.capture) : Boolean(options)
    const index = this.#find(type, callback, capture)
    if (index === -1) return
    const [entry] = this.#entries.splice(index, 1)
    if (!entry) return
    this.#emitter.off(type, entry.wrapper)
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
    if (typeof value !== 'function' && (typeof value !== 'object' || value === null)) {
      if (current) {
        this.#emitter.off(type, current.wrapper)
        this.#handlers.delete(type)
      }
      return
    }
    if (current) {
      current.handler = value
      return
    }
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

  /** Forgets entries after `removeAllListeners` took their wrappers off the emitter. */
  forget(type?: string): void {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i]!
      if (type !== undefined && entry.type !== type) continue
      this.#entries.splice(i, 1)
    }
    for (const key of [...this.#handlers.keys()]) if (type === undefined || key === type) this.#handlers.delete(key)
  }
}
