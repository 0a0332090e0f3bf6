/**
 * The connection panel, in React: the socket belongs to `useResilientWebSocket`
 * (so the demo's test exercises the binding), and the panel shows its state.
 * What the hook does not know (the page's own send counter, the scheduled
 * retry, the network toggle) comes in as props from main.ts.
 */
import { useEffect } from 'react'
import { flushSync } from 'react-dom'
import { createRoot } from 'react-dom/client'
import {
  describeCloseCode,
  isCloseCodeError,
  type ResilientWebSocket,
  type ResilientWebSocketOptions,
} from '../src/index.js'
import { useResilientWebSocket } from '../src/react.js'
import { formatMs } from './dom.js'

const READY_STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const

export interface StatusPanelProps {
  url: string
  /** Read once, when the hook creates the socket: a new run is a new panel (a new `key`). */
  options: ResilientWebSocketOptions
  /** Called with the socket once the hook made it, so the page can listen, send, close. */
  onSocket(socket: ResilientWebSocket): void
  /** Messages the page buffered while CONNECTING and not yet flushed or dropped. */
  buffered: number
  openedAt: number | null
  nextRetry: { at: number; attempt: number } | null
  network: { online: boolean; simulated: boolean }
  now: number
}

function codeName(code: number): string {
  return describeCloseCode(code).name
}

function StatusPanel({ url, options, onSocket, buffered, openedAt, nextRetry, network, now }: StatusPanelProps) {
  const { readyState, retryCount, error, lastClose, lastMessage, socket } = useResilientWebSocket(
    url,
    undefined,
    options,
  )
  useEffect(() => {
    if (socket) onSocket(socket)
  }, [socket, onSocket])

  const state = READY_STATES[readyState] ?? 'CLOSED'
  // A CloseCodeError comes right before the close that stops the socket; the reopen clears it.
  const failure = isCloseCodeError(error) ? `${error.code} ${codeName(error.code)}` : null
  let detail: string
  switch (readyState) {
    case WebSocket.OPEN:
      detail = openedAt === null ? 'open' : `open for ${formatMs(now - openedAt)}`
      break
    case WebSocket.CONNECTING: {
      if (!nextRetry) detail = 'handshake in progress…'
      else {
        const left = nextRetry.at - now
        detail =
          left > 0
            ? `retry ${nextRetry.attempt} in ${formatMs(left)}`
            : `retry ${nextRetry.attempt} waiting for the network`
      }
      break
    }
    case WebSocket.CLOSING:
      detail = 'closing…'
      break
    default:
      detail =
        failure !== null
          ? `stopped with an error: ${failure}`
          : lastClose
            ? `stopped: ${lastClose.code} ${codeName(lastClose.code)}`
            : 'stopped'
  }
  const failed = readyState === WebSocket.CLOSED && failure !== null

  return (
    <>
      <h2 id="status-heading" className="visually-hidden">
        Connection
      </h2>
      <div className="state-row">
        <output id="state" className={`state state-${state.toLowerCase()}`} aria-live="polite">
          {state}
        </output>
        <span id="state-detail" className="state-detail">
          {detail}
        </span>
      </div>
      <dl className="stats">
        <div>
          <dt title="retryCount: retries since the last connection that stayed open for stableAfterMs">Attempt</dt>
          <dd id="attempt">{retryCount === 0 ? 'first' : `retry ${retryCount}`}</dd>
        </div>
        <div>
          <dt>Send buffer</dt>
          <dd id="buffer">{`${buffered} msg · ${socket?.bufferedAmount ?? 0} B`}</dd>
        </div>
        <div>
          <dt>Network</dt>
          <dd id="network" className={network.online ? undefined : 'bad'}>
            {network.online ? 'online' : network.simulated ? 'offline (simulated)' : 'offline'}
          </dd>
        </div>
        <div>
          <dt title="lastMessage from the hook: heartbeat pongs count too">Last message</dt>
          <dd id="last-message">{lastMessage === null ? '—' : `${formatMs(now - lastMessage.timeStamp)} ago`}</dd>
        </div>
      </dl>
      <p id="alert" className="alert" role="alert" hidden={!failed}>
        {failed
          ? `Stopped with CloseCodeError (${failure}): the policy says this close is an error, so the socket will not reconnect. Use reconnect() to start again.`
          : ''}
      </p>
    </>
  )
}

/**
 * Mounts the panel into `container`; `render(key, props)` re-renders it at
 * once (the page's controls read the result straight after), and a new `key`
 * is a new run: the hook closes the old socket and creates one with the new options.
 */
export function mountStatusPanel(container: HTMLElement): (key: number, props: StatusPanelProps) => void {
  const root = createRoot(container)
  return (key, props) => flushSync(() => root.render(<StatusPanel key={key} {...props} />))
}
