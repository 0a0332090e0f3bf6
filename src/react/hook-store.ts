/**
 * The external store one component reads through `useSyncExternalStore`: the
 * shared state of the connection it is attached to, plus its own
 * `lastMessage` (only messages its `filter` accepts). Snapshots are immutable
 * and rebuilt only on a change, so a message the filter rejects re-renders
 * nothing.
 */
import type { SendData } from '../options.js'
import type { ResilientWebSocket } from '../socket.js'
import type { Connection, SocketState } from './connection.js'

/** What a component sees. */
export interface Snapshot extends SocketState {
  readonly lastMessage: MessageEvent | null
  readonly socket: ResilientWebSocket | null
}

/** No socket: `url` is null, or the component has not attached one yet. */
export const IDLE: Snapshot = Object.freeze({
  readyState: 3,
  retryCount: 0,
  lastClose: null,
  error: null,
  lastMessage: null,
  socket: null,
})

function ignore(): void {}

export class HookStore {
  /** This component's own sockets (without `share`): at most the current one and one whose close is pending. */
  readonly own = new Map<string, Connection>()
  /** The component's latest `filter`. */
  filter: ((event: MessageEvent) => boolean) | undefined
  #connection: Connection | null = null
  #lastMessage: MessageEvent | null = null
  #base: SocketState | null = null
  #snapshot: Snapshot = IDLE
  #unsubscribe: () => void = ignore
  readonly #listeners = new Set<() => void>()

  attach(connection: Connection): void {
    this.#connection = connection
    // A shared socket may have had messages before this component mounted: the last one counts if it passes.
    const last = connection.lastMessage
    this.#lastMessage = last && this.#accepts(last) ? last : null
    this.#unsubscribe = connection.subscribe(this.#onChange)
    this.#notify()
  }

  detach(): void {
    this.#unsubscribe()
    this.#unsubscribe = ignore
    this.#connection = null
    this.#lastMessage = null
    this.#notify()
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  readonly getSnapshot = (): Snapshot => {
    const connection = this.#connection
    if (!connection) return IDLE
    const base = connection.refresh()
    const s = this.#snapshot
    if (base !== this.#base || s.lastMessage !== this.#lastMessage || s.socket !== connection.socket) {
      this.#base = base
      this.#snapshot = { ...base, lastMessage: this.#lastMessage, socket: connection.socket }
    }
    return this.#snapshot
  }

  /** Stable for the component's lifetime; `false` when there is no socket to hand the data to. */
  readonly send = (data: SendData): boolean => {
    const connection = this.#connection
    if (!connection) return false
    connection.socket.send(data)
    return true
  }

  #accepts(message: MessageEvent): boolean {
    return this.filter === undefined || this.filter(message)
  }

  readonly #onChange = (message: MessageEvent | null): void => {
    if (message) {
      if (!this.#accepts(message)) return
      this.#lastMessage = message
    }
    this.#notify()
  }

  #notify(): void {
    for (const listener of this.#listeners) listener()
  }
}
