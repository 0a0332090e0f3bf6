// A browser app's use of the packed library: the class where a DOM WebSocket
// is expected, readyState and its constants typed like the DOM's, typed events.
import {
  type CloseCodeError,
  isCloseCodeError,
  type ResilientCloseEvent,
  ResilientWebSocket,
  type ResilientWebSocketOptions,
} from 'resilient-websocket'

// The drop-in: assignable where a WebSocket is expected.
const socket = new ResilientWebSocket('wss://example.test/live', ['v1'])
const asNative: WebSocket = socket
const constructors: { readonly OPEN: 1 } = ResilientWebSocket

function sendWhenOpen(ws: WebSocket, message: string): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(message)
}
sendWhenOpen(socket, 'hello')

// readyState and the constants are the DOM's literal types, and read-only.
const state: 0 | 1 | 2 | 3 = socket.readyState
const open: 1 = socket.OPEN
const closed: 3 = ResilientWebSocket.CLOSED
// @ts-expect-error readyState is read-only, like the DOM's
socket.readyState = 1
// @ts-expect-error the constants are read-only, like the DOM's
socket.OPEN = 1

// binaryType: the DOM's values (and ws's, which a browser ignores at run time).
socket.binaryType = 'arraybuffer'
const binaryType: BinaryType = socket.binaryType
// @ts-expect-error not a binaryType any implementation accepts
socket.binaryType = 'text'

// The browser's own constructor as options.WebSocket.
const options: ResilientWebSocketOptions = { WebSocket, maxRetries: 5, buffer: { maxMessages: 100 } }
const explicit = new ResilientWebSocket(() => `wss://example.test/live?token=${Date.now()}`, undefined, options)

// Typed events through on(), and DOM-style handlers.
explicit.on('close', (event: ResilientCloseEvent) => {
  const again: boolean = event.willReconnect
  console.log(event.code, again)
})
explicit.on('error', (event) => {
  if (isCloseCodeError(event.error)) {
    const error: CloseCodeError = event.error
    console.log(error.code, error.retriesExhausted)
  }
})
explicit.on('reconnecting', ({ attempt, delayMs }) => console.log(attempt, delayMs))
explicit.on('drop', ({ data, reason }) => console.log(data, reason))
explicit.onmessage = (event: MessageEvent) => console.log(event.data)
explicit.addEventListener('close', (event) => console.log(event.willReconnect))
// @ts-expect-error no such event
explicit.on('closed', () => {})

console.log(asNative, constructors, state, open, closed, binaryType)
