/**
 * `useResilientWebSocket`: a `ResilientWebSocket` owned by a component (or,
 * with `share`, by every mounted component that names the same URL), its
 * state read through `useSyncExternalStore`.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { ResilientCloseEvent } from '../events.js'
import type { ResilientWebSocketOptions, SendData } from '../options.js'
import { type ProtocolsProvider, ResilientWebSocket, type UrlProvider } from '../socket.js'
import { acquire, sharedConnections } from './connection.js'
import { HookStore, IDLE, type Snapshot } from './hook-store.js'

/** The socket's options plus two that belong to the hook. Read when the socket is created (`filter`: at each message). */
export interface UseResilientWebSocketOptions extends ResilientWebSocketOptions {
  /**
   * One socket for every mounted component that passes the same `url` (a
   * string or URL) and protocols with `share: true`, closed when the last of
   * them unmounts. The first one's options create it. URL and protocols
   * providers (functions) cannot be shared.
   * @default false
   */
  share?: boolean
  /**
   * Which messages update `lastMessage` (and so re-render): a component that
   * cares about one message type does not re-render for the others. The
   * latest rendered filter is used.
   * @default undefined (every message)
   */
  filter?: (event: MessageEvent) => boolean
}

/** What the hook returns. The state fields re-render the component when they change. */
export interface UseResilientWebSocketResult {
  /** 0–3 like `WebSocket.readyState`: CONNECTING also while a retry waits; CLOSED when there is no socket. */
  readyState: number
  /** The last `message` event (that passed `filter`), or `null`. */
  lastMessage: MessageEvent | null
  /** The last `close` event, or `null`. */
  lastClose: ResilientCloseEvent | null
  /**
   * The last `error` event's `error` (a `CloseCodeError`, `ConnectTimeoutError`, …; the event
   * itself for a native error, which carries none); `null` again once the socket opens.
   */
  error: unknown
  /** Retries since the last stable connection (see `ResilientWebSocket.retryCount`). */
  retryCount: number
  /**
   * Sends, or queues while CONNECTING as the socket's `buffer` says. Returns `false` and does
   * nothing when there is no socket (`url` is null, or before the component's effects ran).
   * The same function for the component's whole lifetime.
   */
  send: (data: SendData) => boolean
  /** The socket, for `on()`/`addEventListener` in the app's own effects; `null` when there is none. */
  socket: ResilientWebSocket | null
}

/** `url` given, socket not attached yet (first render, or between a URL change and its effect). */
const PENDING: Snapshot = Object.freeze({ ...IDLE, readyState: 0 })

/** What identifies a socket: a changed key closes the old one and makes a new one. */
function keyOf(url: UrlProvider, protocols: ProtocolsProvider | undefined, share: boolean): string {
  const dynamic = typeof url === 'function' || typeof protocols === 'function'
  if (share && dynamic) {
    throw new TypeError(
      'useResilientWebSocket: share needs a string or URL and static protocols, not a provider function',
    )
  }
  // A provider is called through the latest render's function, so its identity (often a new
  // arrow each render) must not re-create the socket.
  const u = typeof url === 'function' ? 'provider' : `url ${url}`
  const p = typeof protocols === 'function' ? 'provider' : JSON.stringify(protocols ?? null)
  return `${u} ${p}`
}

interface Latest {
  url: UrlProvider | null | undefined
  protocols: ProtocolsProvider | undefined
  options: UseResilientWebSocketOptions | undefined
}

function create(latest: { current: Latest }): ResilientWebSocket {
  const { url, protocols, options } = latest.current
  const { share: _share, filter: _filter, ...socketOptions } = options ?? {}
  const resolveUrl =
    typeof url === 'function'
      ? () => (latest.current.url as Exclude<UrlProvider, string | URL>)()
      : (url as string | URL)
  const resolveProtocols =
    typeof protocols === 'function'
      ? () => (latest.current.protocols as Exclude<ProtocolsProvider, string | string[]>)()
      : protocols
  return new ResilientWebSocket(resolveUrl, resolveProtocols, socketOptions)
}

/**
 * A `ResilientWebSocket` for this component: created when it mounts with a
 * non-null `url`, closed (no reconnect, no further events) when it unmounts,
 * when `url` becomes `null`, or when `url`/`protocols` change (a new one is
 * made). Under `<StrictMode>` the server sees one connection: the close after
 * the development-only unmount is deferred by a task, and the remount takes
 * the same socket back.
 */
export function useResilientWebSocket(
  url: UrlProvider | null | undefined,
  protocols?: ProtocolsProvider,
  options?: UseResilientWebSocketOptions,
): UseResilientWebSocketResult {
  const [store] = useState(() => new HookStore())
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
  const share = options?.share ?? false
  const key = url == null ? null : keyOf(url, protocols, share)
  const latest = useRef<Latest>({ url, protocols, options })

  // Declared before the effect below so it runs first in every commit.
  useEffect(() => {
    latest.current = { url, protocols, options }
    store.filter = options?.filter
  })

  useEffect(() => {
    if (key === null) return
    store.filter = latest.current.options?.filter
    const connection = acquire(share ? sharedConnections : store.own, key, () => create(latest))
    store.attach(connection)
    return () => {
      store.detach()
      connection.release()
    }
  }, [key, share, store])

  const state = snapshot === IDLE && key !== null ? PENDING : snapshot
  return {
    readyState: state.readyState,
    lastMessage: state.lastMessage,
    lastClose: state.lastClose,
    error: state.error,
    retryCount: state.retryCount,
    send: store.send,
    socket: state.socket,
  }
}
