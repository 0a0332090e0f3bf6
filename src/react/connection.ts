/**
 * One socket as React sees it: the state every component using it shares,
 * a reference count, and a close deferred by one task so that StrictMode's
 * unmount-and-remount in development takes the same socket back instead of
 * opening a second connection.
 */
import type { ResilientCloseEvent, ResilientErrorEvent } from '../events.js'
import type { ResilientWebSocket } from '../socket.js'

/** What every component using one socket sees alike. */
export interface SocketState {
  readonly readyState: number
  readonly retryCount: number
  readonly lastClose: ResilientCloseEvent | null
  readonly error: unknown
}

/** Called on every change; with the message when the change is a message. */
type Listener = (message: MessageEvent | null) => void

export class Connection {
  readonly socket: ResilientWebSocket
  /** Replaced, never mutated, so React can compare snapshots by identity. */
  state: SocketState
  lastMessage: MessageEvent | null = null
  readonly #listeners = new Set<Listener>()
  readonly #forget: () => void
  #users = 0
  #closeTimer: ReturnType<typeof setTimeout> | undefined

  /** `forget` takes the connection out of its registry when it is closed. */
  constructor(socket: ResilientWebSocket, forget: () => void) {
    this.socket = socket
    this.#forget = forget
    this.state = { readyState: socket.readyState, retryCount: socket.retryCount, lastClose: null, error: null }
    this.#listen('on')
  }

  /** Adds (`on`) or removes (`off`) this connection's listeners on the socket. */
  #listen(method: 'on' | 'off'): void {
    const { socket } = this
    socket[method]('open', this.#onOpen)
    socket[method]('message', this.#onMessage)
    socket[method]('close', this.#onClose)
    socket[method]('error', this.#onError)
    socket[method]('reconnecting', this.#onReconnecting)
  }

  readonly #onOpen = (): void => this.#update({ error: null })
  readonly #onClose = (event: ResilientCloseEvent): void => this.#update({ lastClose: event })
  readonly #onReconnecting = (): void => this.#update({})
  // A native error event carries no error object: the event itself stands for it.
  readonly #onError = (event: ResilientErrorEvent): void => this.#update({ error: event.error ?? event })
  readonly #onMessage = (event: MessageEvent): void => {
    this.lastMessage = event
    for (const listener of this.#listeners) listener(event)
  }

  #update(change: Partial<SocketState>): void {
    this.#read(change)
    for (const listener of this.#listeners) listener(null)
  }

  #read(change: Partial<SocketState>): void {
    const { socket } = this
    this.state = { ...this.state, ...change, readyState: socket.readyState, retryCount: socket.retryCount }
  }

  /**
   * The state, with `readyState` and `retryCount` read afresh: a few of their
   * changes come with no event (`close()` called by the app makes it CLOSING,
   * `reconnect()` after a stop makes it CONNECTING, the counter resets after
   * `stableAfterMs`), so each render picks them up. Called while rendering, so
   * it notifies nobody (that would update other components mid-render);
   * React's own check before commit sees the new state in every component
   * that reads it.
   */
  refresh(): SocketState {
    const { socket, state } = this
    if (socket.readyState !== state.readyState || socket.retryCount !== state.retryCount) this.#read({})
    return this.state
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  retain(): void {
    this.#users++
    clearTimeout(this.#closeTimer)
    this.#closeTimer = undefined
  }

  /** When the last user lets go, closes the socket one task later unless someone takes it back first. */
  release(): void {
    if (--this.#users > 0) return
    this.#closeTimer = setTimeout(() => {
      this.#forget()
      this.#listen('off')
      this.#listeners.clear()
      this.socket.close()
    }, 0)
  }
}

/** The sockets of `share: true`, by URL and protocols. */
export const sharedConnections = new Map<string, Connection>()

/** The registry's connection for `key` (made with `create` when there is none), retained for the caller. */
export function acquire(registry: Map<string, Connection>, key: string, create: () => ResilientWebSocket): Connection {
  let connection = registry.get(key)
  if (!connection) {
    const made = new Connection(create(), () => {
      if (registry.get(key) === made) registry.delete(key)
    })
    registry.set(key, made)
    connection = made
  }
  connection.retain()
  return connection
}
