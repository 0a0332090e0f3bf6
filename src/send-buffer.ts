/**
 * The send buffer (`options.buffer`): messages given to `send()` before a
 * socket is open, held in order and flushed in one pass when one opens.
 */
import { BufferOverflowError } from './errors.js'
import type { SendData } from './native-socket.js'
import type { BufferOptions } from './options.js'

/**
 * The UTF-8 length of a string (lone surrogates count as U+FFFD, as the browser sends them).
 * Counted, not encoded: `TextEncoder` would allocate a copy per buffered message
 * (the bench measured 2.85 µs per buffered send with it, 0.2 µs without).
 */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes++
    else if (c < 0x800) bytes += 2
    // A high surrogate and a low one after it are one 4-byte character (past the end, NaN is no low one).
    else if ((c & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

/** How many bytes a message adds to `bufferedAmount`. */
export function byteLength(data: SendData): number {
  if (typeof data === 'string') return utf8Length(data)
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data.size
  return (data as ArrayBufferLike | ArrayBufferView).byteLength
}

/**
 * What the native `send()` would send for `data`: strings and Blobs as they
 * are, buffers copied now (the caller may reuse them before the socket
 * opens), anything else converted to a string like WebIDL does.
 */
export function snapshot(data: unknown): SendData {
  if (typeof data === 'string') return data
  if (data instanceof ArrayBuffer) return data.slice(0)
  if (ArrayBuffer.isView(data)) {
    const copy = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
    const View = data.constructor as new (buffer: ArrayBufferLike) => ArrayBufferView
    return new View(copy)
  }
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data
  return `${data}` // throws a TypeError for a Symbol, as WebIDL's string conversion does
}

/** A FIFO with O(1) push and shift that tracks its byte size. */
export class SendBuffer {
  #items: SendData[] = []
  #sizes: number[] = []
  #head = 0
  /** Total bytes queued. */
  bytes = 0

  get length(): number {
    return this.#items.length - this.#head
  }

  /**
   * Queues a message within the limits, calling `drop` for every message the
   * overflow strategy discards; with `overflow: 'error'` throws instead and
   * leaves the buffer as it was.
   */
  offer(data: SendData, limits: BufferOptions, drop: (data: SendData) => void): void {
    const size = byteLength(data)
    const fits = () => this.length + 1 <= limits.maxMessages && this.bytes + size <= limits.maxBytes
    if (fits()) {
      this.#push(data, size)
      return
    }
    if (limits.overflow === 'error') {
      const limit = this.length + 1 > limits.maxMessages ? 'maxMessages' : 'maxBytes'
      throw new BufferOverflowError(limit, limits[limit])
    }
    // A message larger than the whole buffer can never fit: it is the one dropped.
    if (limits.overflow === 'drop-newest' || size > limits.maxBytes || limits.maxMessages < 1) {
      drop(data)
      return
    }
    while (!fits()) drop(this.shift()!)
    this.#push(data, size)
  }

  #push(data: SendData, size: number): void {
    this.#items.push(data)
    this.#sizes.push(size)
    this.bytes += size
  }

  /** Takes the oldest message out, or `undefined` when empty. */
  shift(): SendData | undefined {
    if (this.#head >= this.#items.length) return undefined
    const data = this.#items[this.#head]
    this.bytes -= this.#sizes[this.#head] ?? 0
    this.#head++
    // Compact once the consumed prefix dominates, keeping shift O(1) amortised.
    if (this.#head === this.#items.length) this.clear()
    else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#sizes = this.#sizes.slice(this.#head)
      this.#head = 0
    }
    return data
  }

  /** Takes every message out, oldest first, handing each to `each`. */
  drain(each: (data: SendData) => void): void {
    for (let data = this.shift(); data !== undefined; data = this.shift()) each(data)
  }

  clear(): void {
    this.#items = []
    this.#sizes = []
    this.#head = 0
    this.bytes = 0
  }
}
