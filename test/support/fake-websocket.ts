/**
 * A scriptable stand-in for the browser's `WebSocket`, for the unit and
 * property tests in Node: the one fake every suite uses.
 *
 * Nothing happens on its own: a test drives every transition (`open()`,
 * `message()`, `fail()`, `serverClose()`, `finishClose()`), and every instance
 * is recorded in `FakeWebSocket.instances` (and reported to `onCreate`) so a
 * test can reach the socket the wrapper created for an attempt. So no event
 * ever fires from inside a call the wrapper makes (`close()`, `send()`): like
 * a browser's, they come in a later task.
 *
 * It makes the checks a browser makes, because the wrapper delegates them to
 * the native socket and only a fake that makes them shows it does so
 * faithfully: the constructor's SyntaxErrors (bad URL or scheme, any fragment
 * even an empty one, invalid or duplicate subprotocols); `send()` converting
 * its argument like WebIDL (a Symbol is a TypeError in every state) and
 * throwing InvalidStateError while CONNECTING; `close()` validating code and
 * reason. `readyState` moves like a browser's, CONNECTING → OPEN → CLOSING →
 * CLOSED, and a test that drives a transition no browser makes (a message
 * before open, a close frame on a connection never established, a second
 * close event) fails at that line.
 */
import type { WebSocketConstructor } from '../../src/index.js'
import { utf8Bytes } from './utf8.js'

/** An HTTP token (RFC 9110): what a subprotocol name must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

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
  /** Runs as soon as an instance exists, before the wrapper sees it (the property model follows every socket). */
  static onCreate: ((socket: FakeWebSocket) => void) | undefined

  static reset(): void {
    FakeWebSocket.instances = []
    FakeWebSocket.onCreate = undefined
  }

  /** The most recently created instance; throws when there is none. */
  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1)
    if (socket === undefined) throw new Error('no FakeWebSocket has been created')
    return socket
  }

  /** Completes every closing handshake still pending (for a test's clean-up, whatever state it ended in). */
  static finishAllClosing(): void {
    for (const socket of FakeWebSocket.instances) {
      if (socket.readyState === FakeWebSocket.CLOSING) socket.finishClose()
    }
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
  /** `open()` happened: only an established connection can carry a close frame. */
  get established(): boolean {
    return this.#established
  }
  #established = false
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
  /** `close()` came while CONNECTING: the browser fails the connection instead of a closing handshake. */
  #closedWhileConnecting = false
  /** The close frame the server sent first (`serverCloseFrame()`), which the close event will carry. */
  #serverFrame: { code: number; reason: string } | undefined

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
    // `href` keeps a `#` for an empty fragment too, which `hash` reports as ''.
    if (parsed.href.includes('#')) {
      throw new DOMException(`Failed to construct 'WebSocket': The URL contains a fragment identifier.`, 'SyntaxError')
    }
    const protocols = rest[0]
    if (protocols !== undefined) {
      const list = typeof protocols === 'string' ? [protocols] : [...protocols]
      for (const [index, protocol] of list.entries()) {
        if (!TOKEN.test(protocol) || list.indexOf(protocol) !== index) {
          throw new DOMException(
            `Failed to construct 'WebSocket': The subprotocol '${protocol}' is invalid.`,
            'SyntaxError',
          )
        }
      }
    }
    this.url = parsed.href
    FakeWebSocket.instances.push(this)
    FakeWebSocket.onCreate?.(this)
  }

  send(value: unknown): void {
    // WebIDL: (BufferSource or Blob or USVString); anything else becomes a string first, in every state.
    const isBinary = value instanceof ArrayBuffer || ArrayBuffer.isView(value) || value instanceof Blob
    const data = typeof value === 'string' || isBinary ? value : `${value as string}`
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
    if (reason !== undefined && utf8Bytes(reason) > 123) {
      throw new DOMException("Failed to execute 'close' on 'WebSocket': The close reason is too long.", 'SyntaxError')
    }
    this.closeCalls.push({ code, reason })
    if (this.readyState === FakeWebSocket.CLOSING || this.readyState === FakeWebSocket.CLOSED) return
    this.#closedWhileConnecting = this.readyState === FakeWebSocket.CONNECTING
    this.readyState = FakeWebSocket.CLOSING
  }

  /** The handshake succeeded; `protocol` is the subprotocol the server chose, one the client offered. */
  open(protocol = ''): void {
    this.expectState([FakeWebSocket.CONNECTING], 'open')
    const offered = this.protocols === undefined ? [] : [this.protocols].flat()
    if (protocol !== '' && !offered.includes(protocol)) {
      throw new Error(
        `FakeWebSocket.open('${protocol}'): the client did not offer it (a browser fails such a connection)`,
      )
    }
    this.protocol = protocol
    this.#established = true
    this.readyState = FakeWebSocket.OPEN
    this.fire('open', new Event('open'))
  }

  /** The server sent a message. */
  message(data: unknown, origin = ''): void {
    this.expectState([FakeWebSocket.OPEN], 'message')
    this.fire('message', new MessageEvent('message', { data, origin }))
  }

  /**
   * The connection failed or dropped: `error`, then a 1006 close that was not clean.
   * A browser's error event says nothing; `detail` makes it an `ErrorEvent` like Node's `ws` sends.
   */
  fail(detail?: { message: string; error?: unknown }): void {
    this.expectState([FakeWebSocket.CONNECTING, FakeWebSocket.OPEN, FakeWebSocket.CLOSING], 'fail')
    this.readyState = FakeWebSocket.CLOSED
    this.fire('error', Object.assign(new Event('error'), detail))
    this.fire('close', new FakeCloseEvent('close', { code: 1006, reason: '', wasClean: false }))
  }

  /**
   * The server's close frame arrived and the browser answered it: `readyState`
   * is CLOSING until `finishClose()` reports the close with the server's code.
   */
  serverCloseFrame(code = 1005, reason = ''): void {
    this.expectState([FakeWebSocket.OPEN], 'serverCloseFrame')
    this.#serverFrame = { code, reason }
    this.readyState = FakeWebSocket.CLOSING
  }

  /** The server closed the connection with a close frame (only an established connection carries one). */
  serverClose(code = 1005, reason = ''): void {
    this.expectState([FakeWebSocket.OPEN, FakeWebSocket.CLOSING], 'serverClose')
    if (!this.#established) {
      throw new Error('FakeWebSocket.serverClose(): no handshake was established, so no close frame can arrive')
    }
    this.readyState = FakeWebSocket.CLOSED
    this.fire('close', new FakeCloseEvent('close', { code, reason, wasClean: true }))
  }

  /**
   * Completes what `close()` or `serverCloseFrame()` started: the close event
   * carries the code of the first close frame (the server echoes ours, or we
   * echoed the server's); a socket closed while CONNECTING was failed instead
   * (an `error`, then a 1006 close that was not clean), as a browser does.
   */
  finishClose(): void {
    this.expectState([FakeWebSocket.CLOSING], 'finishClose')
    if (this.#closedWhileConnecting) {
      this.fail()
      return
    }
    const frame = this.#serverFrame ?? {
      code: this.closeCalls.at(-1)?.code ?? 1005,
      reason: this.closeCalls.at(-1)?.reason ?? '',
    }
    this.serverClose(frame.code, frame.reason)
  }

  private expectState(states: number[], action: string): void {
    if (!states.includes(this.readyState)) {
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
