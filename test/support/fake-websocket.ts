/**
 * A scriptable stand-in for the browser's `WebSocket`, for unit tests in Node.
 *
 * Nothing happens on its own: a test drives every transition (`open()`,
 * `message()`, `fail()`, `serverClose()`, `finishClose()`), and every instance
 * is recorded in `FakeWebSocket.instances` so a test can reach the socket the
 * wrapper created for an attempt. `readyState` moves like a browser's:
 * CONNECTING → OPEN → CLOSING → CLOSED. `close()` only records the call and
 * moves to CLOSING; the closing handshake completes when the test calls
 * `finishClose()`.
 */
import type { WebSocketConstructor } from '../../src/index.js'

/** Node 20 has no `CloseEvent`; this one carries the same fields. */
export class FakeCloseEvent extends Event {
  readonly code: number
  readonly reason: string
  readonly wasClean: boolean

  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type)
    this.code = init.code ?? 0
    this.reason = init.reason ?? ''
    this.wasClean = init.wasClean ?? false
  }
}

type Handler = ((this: FakeWebSocket, event: any) => unknown) | null

export interface CloseCall {
  code: number | undefined
  reason: string | undefined
}

export class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  declare readonly CONNECTING: 0
  declare readonly OPEN: 1
  declare readonly CLOSING: 2
  declare readonly CLOSED: 3

  /** Every instance created since the last `reset()`, oldest first. */
  static instances: FakeWebSocket[] = []

  static reset(): void {
    FakeWebSocket.instances = []
  }

  /** The most recently created instance; throws when there is none. */
  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1)
    if (socket === undefined) throw new Error('no FakeWebSocket has been created')
    return socket
  }

  /** Instances that are CONNECTING or OPEN (the wrapper must never hold two). */
  static live(): FakeWebSocket[] {
    return FakeWebSocket.instances.filter(
      (socket) => socket.readyState === FakeWebSocket.CONNECTING || socket.readyState === FakeWebSocket.OPEN,
    )
  }

  readonly url: string
  /** The `protocols` argument exactly as the constructor received it. */
  readonly protocols: string | string[] | undefined
  /** How many arguments the constructor was called with. */
  readonly argumentCount: number
  readyState: number = FakeWebSocket.CONNECTING
  protocol = ''
  extensions = ''
  /** Writable so a test can pretend the native socket still holds data. */
  bufferedAmount = 0
  binaryType: BinaryType = 'blob'

  onopen: Handler = null
  onmessage: Handler = null
  onerror: Handler = null
  onclose: Handler = null

  /** Data passed to `send()` while OPEN, in order. */
  readonly sent: unknown[] = []
  /** Every `close()` call, with its arguments. */
  readonly closeCalls: CloseCall[] = []

  constructor(url: string | URL, ...rest: [protocols?: string | string[]]) {
    super()
    this.argumentCount = 1 + rest.length
    this.protocols = rest[0]
    let parsed: URL
    try {
      parsed = new URL(String(url))
    } catch {
      throw new DOMException(`Failed to construct 'WebSocket': The URL '${String(url)}' is invalid.`, 'SyntaxError')
    }
    if (parsed.protocol === 'http:') parsed.protocol = 'ws:'
    else if (parsed.protocol === 'https:') parsed.protocol = 'wss:'
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw new DOMException(`Failed to construct 'WebSocket': The URL's scheme must be 'ws' or 'wss'.`, 'SyntaxError')
    }
    if (parsed.hash !== '') {
      throw new DOMException(`Failed to construct 'WebSocket': The URL contains a fragment identifier.`, 'SyntaxError')
    }
    this.url = parsed.href
    FakeWebSocket.instances.push(this)
  }

  send(data: unknown): void {
    if (this.readyState === FakeWebSocket.CONNECTING) {
      throw new DOMException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", 'InvalidStateError')
    }
    if (this.readyState === FakeWebSocket.OPEN) this.sent.push(data)
  }

  /** Validates like the browser (a wrapper passing a code the browser rejects must fail here too), then records the call. */
  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new DOMException(
        `Failed to execute 'close' on 'WebSocket': The close code ${code} is invalid.`,
        'InvalidAccessError',
      )
    }
    if (reason !== undefined && new TextEncoder().encode(reason).length > 123) {
      throw new DOMException("Failed to execute 'close' on 'WebSocket': The close reason is too long.", 'SyntaxError')
    }
    this.closeCalls.push({ code, reason })
    if (this.readyState === FakeWebSocket.CLOSING || this.readyState === FakeWebSocket.CLOSED) return
    this.readyState = FakeWebSocket.CLOSING
  }

  /** The handshake succeeded. */
  open(protocol = ''): void {
    this.expectState(FakeWebSocket.CONNECTING, 'open')
    this.protocol = protocol
    this.readyState = FakeWebSocket.OPEN
    this.fire('open', new Event('open'))
  }

  /** The server sent a message. */
  message(data: unknown, origin = ''): void {
    this.expectState(FakeWebSocket.OPEN, 'message')
    this.fire('message', new MessageEvent('message', { data, origin }))
  }

  /**
   * The connection failed or dropped: `error`, then a 1006 close that was not clean.
   * A browser's error event says nothing; `detail` makes it an `ErrorEvent` like Node's `ws` sends.
   */
  fail(detail?: { message: string; error?: unknown }): void {
    this.readyState = FakeWebSocket.CLOSED
    this.fire('error', Object.assign(new Event('error'), detail))
    this.fire('close', new FakeCloseEvent('close', { code: 1006, reason: '', wasClean: false }))
  }

  /** The server closed the connection with a close frame. */
  serverClose(code = 1005, reason = ''): void {
    this.readyState = FakeWebSocket.CLOSED
    this.fire('close', new FakeCloseEvent('close', { code, reason, wasClean: true }))
  }

  /** Completes a closing handshake started by `close()`: the server echoes the code. */
  finishClose(): void {
    const last = this.closeCalls.at(-1)
    this.serverClose(last?.code ?? 1005, last?.reason ?? '')
  }

  private expectState(state: number, action: string): void {
    if (this.readyState !== state) {
      throw new Error(`FakeWebSocket.${action}() called with readyState ${this.readyState}`)
    }
  }

  private fire(type: 'open' | 'message' | 'error' | 'close', event: Event): void {
    const handler = this[`on${type}`]
    if (typeof handler === 'function') handler.call(this, event)
    this.dispatchEvent(event)
  }
}

for (const [name, value] of [
  ['CONNECTING', 0],
  ['OPEN', 1],
  ['CLOSING', 2],
  ['CLOSED', 3],
] as const) {
  Object.defineProperty(FakeWebSocket.prototype, name, { value, enumerable: true })
}

/** The fake as the wrapper's `WebSocket` option: it fits the option's type as it is, no cast. */
export const FakeWebSocketConstructor: WebSocketConstructor = FakeWebSocket
