/**
 * Test doubles the property tests add around the shared fake WebSocket: a
 * subclass that reports every construction.
 */

import type { WebSocketConstructor } from '../../src/index.js'
import { FakeWebSocket } from '../support/fake-websocket.js'

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * The shared fake, plus a hook that runs as soon as an instance exists, and
 * the checks a browser's constructor and send() make that the shared fake
 * leaves out: an empty fragment (`ws://host/#`) and invalid or duplicate
 * subprotocols are SyntaxErrors, and send() converts its argument like WebIDL
 * (a Symbol is a TypeError in every state). The wrapper delegates these to the
 * native socket, so only a fake that makes them can show it does so faithfully.
 */
export class ObservedWebSocket extends FakeWebSocket {
  static onCreate: ((socket: FakeWebSocket) => void) | undefined

  constructor(url: string | URL, ...rest: [protocols?: string | string[]]) {
    if (String(url).includes('#')) {
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
    super(url, ...rest)
    ObservedWebSocket.onCreate?.(this)
  }

  override send(data: unknown): void {
    const isBinary = data instanceof ArrayBuffer || ArrayBuffer.isView(data) || data instanceof Blob
    super.send(typeof data === 'string' || isBinary ? data : `${data as string}`)
  }
}

export const ObservedWebSocketConstructor: WebSocketConstructor = ObservedWebSocket

/** Node 20 has `TextEncoder`; UTF-8 length of a string. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length
}

/** A promise with its settle functions, for an async URL provider the test resolves by hand. */
export class Deferred<T> {
  readonly promise: Promise<T>
  resolve!: (value: T) => void
  reject!: (reason: unknown) => void
  settled = false

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
  }
}
