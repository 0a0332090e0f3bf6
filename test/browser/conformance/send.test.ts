/**
 * Drop-in conformance: `send()`, `bufferedAmount`, `binaryType` and echoed
 * data. Each test names the web-platform-tests file (under `websockets/`)
 * whose requirement it checks; the tests are our own.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ResilientWebSocket } from '../../../src/index.js'
import {
  closeOpenedSockets,
  NATIVE_LIKE,
  native,
  nextEvent,
  nextResilientEvent,
  resilient,
  thrownName,
  wsUrl,
} from '../helpers.js'

afterEach(closeOpenedSockets)

async function openSocket(): Promise<ResilientWebSocket> {
  const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
  await nextResilientEvent(socket, 'open')
  return socket
}

/** Sends `data` and resolves with the data of the echoed message. */
async function echo(socket: ResilientWebSocket, data: unknown): Promise<unknown> {
  const reply = nextResilientEvent(socket, 'message')
  ;(socket.send as (data: unknown) => void)(data)
  return (await reply).data
}

describe('send() validation', () => {
  it('websockets/Send-before-open.any.js: send() while CONNECTING throws InvalidStateError with buffer: false, like native', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const reference = native(wsUrl('/echo'))
    expect(thrownName(() => reference.send('Message to send'))).toBe('DOMException InvalidStateError')
    expect(thrownName(() => socket.send('Message to send'))).toBe('DOMException InvalidStateError')
    expect(socket.bufferedAmount).toBe(0)
  })

  it('interfaces/WebSocket/send/001.html: send() without an argument throws a TypeError', async () => {
    const socket = await openSocket()
    expect(thrownName(() => (socket.send as () => void)())).toBe('TypeError')
  })

  it('interfaces/WebSocket/send/005.html: send() returns undefined', async () => {
    const socket = await openSocket()
    expect(socket.send('test')).toBeUndefined()
  })

  it('interfaces/WebSocket/bufferedAmount/001.html: bufferedAmount is 0 on a new socket', () => {
    expect(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE).bufferedAmount).toBe(0)
  })

  it('send() after close() does not throw and counts the bytes in bufferedAmount, exactly like native', async () => {
    const socket = await openSocket()
    const reference = native(wsUrl('/echo'))
    await nextEvent(reference, 'open')
    socket.close()
    reference.close()
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSING)
    expect(() => socket.send('after close')).not.toThrow()
    reference.send('after close')
    expect(socket.bufferedAmount).toBe(reference.bufferedAmount)
    expect(socket.bufferedAmount).toBeGreaterThanOrEqual('after close'.length)
    await Promise.all([nextResilientEvent(socket, 'close'), nextEvent(reference, 'close')])
    expect(() => socket.send('when closed')).not.toThrow()
    reference.send('when closed')
    expect(socket.bufferedAmount).toBe(reference.bufferedAmount)
  })
})

describe('websockets/Send-data.any.js and friends: text messages echo unchanged', () => {
  const texts: [string, string][] = [
    ['websockets/Send-data.any.js', 'Message to send'],
    ['websockets/Send-0byte-data.any.js', ''],
    ['websockets/Send-unicode-data.any.js', '¥¥¥¥¥¥ · ∑ · 😀'],
    ['websockets/Send-paired-surrogates.any.js', '\uD801\uDC07'],
    ['websockets/Send-65K-data.any.js', 'x'.repeat(65_000)],
  ]
  it.for(texts)('%s', async ([, text]) => {
    const socket = await openSocket()
    expect(await echo(socket, text)).toBe(text)
  })

  it('interfaces/WebSocket/send/006.html, Send-unpaired-surrogates.any.js: unpaired surrogates are sent as U+FFFD', async () => {
    const socket = await openSocket()
    expect(await echo(socket, 'a\uDC00xb\uD800xc\uDC00\uD800x')).toBe('a\uFFFDxb\uFFFDxc\uFFFD\uFFFDx')
  })

  it('websockets/Send-null.any.js, interfaces/WebSocket/send/010.html: non-strings are converted with String()', async () => {
    const socket = await openSocket()
    for (const value of [null, undefined, 1, {}, [1, 2]]) {
      expect(await echo(socket, value)).toBe(String(value))
    }
  })
})

describe('binary messages and binaryType', () => {
  it('websockets/Create-valid-url-binaryType-blob.any.js: binaryType is "blob" by default', () => {
    expect(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE).binaryType).toBe('blob')
  })

  it('websockets/binaryType-wrong-value.any.js: an invalid binaryType is ignored', async () => {
    const socket = await openSocket()
    ;(socket as unknown as { binaryType: string }).binaryType = 'notBlobOrArrayBuffer'
    expect(socket.binaryType).toBe('blob')
    socket.binaryType = 'arraybuffer'
    ;(socket as unknown as { binaryType: string }).binaryType = 'Blob'
    expect(socket.binaryType).toBe('arraybuffer')
  })

  it('websockets/Send-binary-arraybuffer.any.js: with binaryType "arraybuffer" an ArrayBuffer echoes as an ArrayBuffer', async () => {
    const socket = await openSocket()
    socket.binaryType = 'arraybuffer'
    const sent = new Uint8Array([0, 1, 2, 253, 254, 255])
    const data = await echo(socket, sent.buffer)
    expect(data).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(data as ArrayBuffer)]).toEqual([...sent])
  })

  it('binaryType "arraybuffer" set before the connection opens applies to its messages', async () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    socket.binaryType = 'arraybuffer'
    await nextResilientEvent(socket, 'open')
    expect(await echo(socket, new Uint8Array([7]).buffer)).toBeInstanceOf(ArrayBuffer)
  })

  it('websockets/Send-binary-blob.any.js: with binaryType "blob" a Blob echoes as a Blob', async () => {
    const socket = await openSocket()
    const data = await echo(socket, new Blob([new Uint8Array([1, 2, 3])]))
    expect(data).toBeInstanceOf(Blob)
    expect([...new Uint8Array(await (data as Blob).arrayBuffer())]).toEqual([1, 2, 3])
  })

  it('websockets/Send-binary-arraybufferview-int16-offset.any.js: only the view’s bytes are sent', async () => {
    const socket = await openSocket()
    socket.binaryType = 'arraybuffer'
    const buffer = new Uint8Array([9, 9, 1, 2, 3, 4, 9, 9]).buffer
    const data = await echo(socket, new Int16Array(buffer, 2, 2))
    expect([...new Uint8Array(data as ArrayBuffer)]).toEqual([1, 2, 3, 4])
  })

  it('websockets/Send-binary-65K-arraybuffer.any.js: a 65 000-byte buffer echoes whole', async () => {
    const socket = await openSocket()
    socket.binaryType = 'arraybuffer'
    const data = await echo(socket, new ArrayBuffer(65_000))
    expect((data as ArrayBuffer).byteLength).toBe(65_000)
  })
})
