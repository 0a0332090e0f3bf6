/**
 * Drop-in conformance: `close()` — argument validation, readyState, the
 * closing handshake. Each test names the web-platform-tests file (under
 * `websockets/`) whose requirement it checks; the tests are our own.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ResilientWebSocket } from '../../../src/index.js'
import { recordEvents } from '../../support/record-events.js'
import { eventually, settle } from '../../support/wait.js'
import { engine } from '../engines.js'
import {
  closeOpenedSockets,
  NATIVE_LIKE,
  native,
  nextEvent,
  nextResilientEvent,
  releaseDelayedClose,
  resilient,
  serverStats,
  thrownName,
  trace,
  traceClosed,
  uniqueKey,
  wsUrl,
} from '../helpers.js'

afterEach(closeOpenedSockets)

async function openSocket(path = '/echo'): Promise<ResilientWebSocket> {
  const socket = resilient(wsUrl(path), undefined, NATIVE_LIKE)
  await nextResilientEvent(socket, 'open')
  return socket
}

describe('close(code) validation: anything but 1000 or 3000–4999 throws InvalidAccessError', () => {
  const invalid: [string, unknown][] = [
    ['websockets/close-invalid.any.js, Close-0.htm: 0', 0],
    ['websockets/close-invalid.any.js: 500', 500],
    ['websockets/Secure-Close-1005.any.js: 1005', 1005],
    ['websockets/Secure-Close-2999-reason.any.js: 2999', 2999],
    ['5000 (above the range)', 5000],
    ['1001 (a page may only send 1000 or 3000–4999)', 1001],
    ['1015', 1015],
    ['websockets/close-invalid.any.js, Close-NaN.htm: NaN converts to 0', Number.NaN],
    ['websockets/close-invalid.any.js, Close-null.htm: null converts to 0', null],
    ['websockets/close-invalid.any.js, Close-string.htm: "string" converts to 0', 'string'],
    ['websockets/close-invalid.any.js: 2**16+1000 is clamped to 65535, not wrapped to 1000', 0x10000 + 1000],
  ]
  it.for(invalid)('%s', async ([, code]) => {
    const socket = await openSocket()
    const reference = native(wsUrl('/echo'))
    await nextEvent(reference, 'open')
    const closeWith = (target: { close(code?: number, reason?: string): void }) => () =>
      target.close(code as number, 'reason')
    expect(thrownName(closeWith(reference))).toBe('DOMException InvalidAccessError')
    expect(thrownName(closeWith(socket))).toBe('DOMException InvalidAccessError')
    expect(socket.readyState).toBe(ResilientWebSocket.OPEN)
  })

  it('websockets/Close-onlyReason.any.js: close(reason) alone converts the reason to code 0 and throws', async () => {
    const socket = await openSocket()
    expect(thrownName(() => (socket.close as (code: unknown) => void)('Close with only reason'))).toBe(
      'DOMException InvalidAccessError',
    )
    expect(socket.readyState).toBe(ResilientWebSocket.OPEN)
  })

  it('the code is validated even while CONNECTING', () => {
    const socket = resilient(wsUrl('/hang'), undefined, NATIVE_LIKE)
    expect(thrownName(() => socket.close(1001))).toBe('DOMException InvalidAccessError')
    expect(socket.readyState).toBe(ResilientWebSocket.CONNECTING)
  })
})

describe('close(code, reason) validation: a reason over 123 UTF-8 bytes throws SyntaxError', () => {
  it('websockets/Close-Reason-124Bytes.any.js: 124 ASCII bytes throw, the socket stays open', async () => {
    const socket = await openSocket()
    expect(thrownName(() => socket.close(1000, 'x'.repeat(124)))).toBe('DOMException SyntaxError')
    expect(socket.readyState).toBe(ResilientWebSocket.OPEN)
  })

  it('the limit counts UTF-8 bytes, not UTF-16 units: 62 × "é" (124 bytes) throws, 41 × "€" (123 bytes) closes', async () => {
    const socket = await openSocket()
    expect(thrownName(() => socket.close(1000, '\u00e9'.repeat(62)))).toBe('DOMException SyntaxError')
    expect(socket.readyState).toBe(ResilientWebSocket.OPEN)
    const closed = nextResilientEvent(socket, 'close')
    socket.close(1000, '\u20ac'.repeat(41))
    expect((await closed).reason).toBe('\u20ac'.repeat(41))
  })

  it('an invalid code is reported before a long reason (InvalidAccessError wins)', async () => {
    const socket = await openSocket()
    expect(thrownName(() => socket.close(2000, 'x'.repeat(124)))).toBe('DOMException InvalidAccessError')
  })
})

describe('valid close() calls and the closing handshake', () => {
  it('websockets/Close-1000.any.js, Close-1000-verify-code: close(1000) ends cleanly with 1000', async () => {
    const socket = await openSocket()
    const lines = trace(socket)
    socket.close(1000)
    await traceClosed(lines)
    expect(lines).toEqual(['close code=1000 reason="" wasClean=true readyState=3'])
  })

  it('websockets/Close-1000-reason.any.js: close(1000, reason) carries the reason', async () => {
    const socket = await openSocket()
    const closed = nextResilientEvent(socket, 'close')
    socket.close(1000, 'Clean Close')
    const event = await closed
    expect([event.code, event.reason, event.wasClean]).toEqual([1000, 'Clean Close', true])
  })

  it.for([3000, 4999])(
    'websockets/Close-3000-verify-code, Close-4999-reason: close(%i, reason) is accepted and echoed',
    async (code) => {
      const socket = await openSocket()
      const closed = nextResilientEvent(socket, 'close')
      socket.close(code, 'Clean Close')
      const event = await closed
      expect([event.code, event.reason, event.wasClean]).toEqual([code, 'Clean Close', true])
    },
  )

  it('websockets/Close-undefined.any.js: close(undefined) is close() and ends with 1005', async () => {
    const socket = await openSocket()
    const closed = nextResilientEvent(socket, 'close')
    socket.close(undefined)
    const event = await closed
    expect([event.code, event.wasClean]).toEqual([1005, true])
  })

  it('websockets/Close-reason-unpaired-surrogates.any.js: an unpaired surrogate in the reason becomes U+FFFD', async () => {
    const socket = await openSocket()
    const closed = nextResilientEvent(socket, 'close')
    socket.close(1000, '\uD807')
    expect((await closed).reason).toBe('\uFFFD')
  })

  it('interfaces/WebSocket/close/close-basic: close() returns undefined', async () => {
    const socket = await openSocket()
    expect(socket.close()).toBeUndefined()
  })
})

describe('readyState around close()', () => {
  it('websockets/Close-readyState-Closing.any.js, interfaces/WebSocket/readyState/007.html: CLOSING synchronously inside close()', async () => {
    const socket = await openSocket()
    socket.close()
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSING)
  })

  it('websockets/Close-readyState-Closed.any.js, readyState/008.html: CLOSED in the close listener', async () => {
    const socket = await openSocket()
    const lines = trace(socket)
    socket.close()
    await traceClosed(lines)
    expect(lines.at(-1)).toMatch(/readyState=3$/)
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSED)
  })

  it('interfaces/WebSocket/close/close-connecting.html: close() while CONNECTING → CLOSING at once, then error and an unclean close, like native', async () => {
    const socket = resilient(wsUrl('/hang'), undefined, NATIVE_LIKE)
    const reference = native(wsUrl('/hang'))
    const lines = trace(socket)
    const referenceLines = trace(reference)
    expect(socket.readyState).toBe(ResilientWebSocket.CONNECTING)
    socket.close()
    reference.close()
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSING)
    await Promise.all([traceClosed(lines), traceClosed(referenceLines)])
    expect(referenceLines).toEqual(['error readyState=3', 'close code=1006 reason="" wasClean=false readyState=3'])
    expect(lines).toEqual(referenceLines)
  })

  it('close() while CONNECTING reports willReconnect false and never opens', async () => {
    const socket = resilient(wsUrl('/hang'), undefined, NATIVE_LIKE)
    const log = recordEvents(socket)
    socket.close()
    await nextResilientEvent(socket, 'close')
    await settle()
    expect(log.of('open')).toHaveLength(0)
    expect(log.of('close').map((event) => event.willReconnect)).toEqual([false])
  })

  it('interfaces/WebSocket/close/close-multiple.html: close() three times gives one close event', async () => {
    const socket = await openSocket()
    const log = recordEvents(socket)
    socket.close()
    socket.close()
    socket.close()
    await nextResilientEvent(socket, 'close')
    await settle()
    expect(log.of('close')).toHaveLength(1)
  })

  it('interfaces/WebSocket/close/close-nested.html: close() inside the close listener does nothing', async () => {
    const socket = await openSocket()
    const log = recordEvents(socket)
    const seen: number[] = []
    socket.addEventListener('close', () => {
      seen.push(socket.readyState)
      socket.close()
      seen.push(socket.readyState)
    })
    socket.close()
    await nextResilientEvent(socket, 'close')
    await settle()
    expect(seen).toEqual([ResilientWebSocket.CLOSED, ResilientWebSocket.CLOSED])
    expect(log.of('close')).toHaveLength(1)
  })

  it('websockets/Close-server-initiated-close.any.js: a server close is reported cleanly with its code', async () => {
    const socket = resilient(wsUrl('/close/1000?reason=bye'), undefined, NATIVE_LIKE)
    const lines = trace(socket)
    await traceClosed(lines)
    expect(lines).toEqual(['open readyState=1', 'close code=1000 reason="bye" wasClean=true readyState=3'])
  })

  // Chromium stays CLOSING until the server ends the TCP connection; Firefox and
  // WebKitGTK close as soon as they have answered the close frame. Either way the
  // wrapper reports what the native socket reports.
  it('websockets/Close-server-initiated-close.any.js: after the server’s close frame, readyState and the close event follow native', async () => {
    const key = uniqueKey('server-close-held')
    const referenceKey = uniqueKey('server-close-held-native')
    const socket = resilient(wsUrl(`/delayed-close/4001?key=${key}`), undefined, NATIVE_LIKE)
    const reference = native(wsUrl(`/delayed-close/4001?key=${referenceKey}`))
    const log = recordEvents(socket)
    let nativeCloses = 0
    reference.addEventListener('close', () => nativeCloses++)
    // Once the page has answered the server's close frame, the closing handshake
    // is under way on both sockets; the server holds the TCP connection open.
    await eventually(async () => {
      expect((await serverStats(key)).received).toEqual(['<close 4001>'])
      expect((await serverStats(referenceKey)).received).toEqual(['<close 4001>'])
    })
    await settle()
    const seen = {
      native: [reference.readyState, nativeCloses],
      wrapper: [socket.readyState, log.of('close').length],
    }
    expect(seen.wrapper).toEqual(seen.native)
    expect(seen.native).toEqual(engine === 'chromium' ? [WebSocket.CLOSING, 0] : [WebSocket.CLOSED, 1])
    await Promise.all([releaseDelayedClose(key), releaseDelayedClose(referenceKey)])
    await eventually(() => expect(log.of('close')).toHaveLength(1))
    expect(log.of('close')[0]).toMatchObject({ code: 4001, wasClean: true, willReconnect: false })
  })

  it('websockets/Close-delayed.any.js: no close event before the server has answered the closing handshake', async () => {
    const key = uniqueKey('close-delayed')
    const socket = resilient(wsUrl(`/delayed-close?key=${key}`), undefined, NATIVE_LIKE)
    const log = recordEvents(socket)
    await nextResilientEvent(socket, 'open')
    socket.close(1000)
    await eventually(async () => expect((await serverStats(key)).received).toEqual(['<close 1000>']))
    await settle()
    expect(log.of('close')).toHaveLength(0)
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSING)
    await releaseDelayedClose(key)
    await eventually(() => expect(log.of('close')).toHaveLength(1))
    const [event] = log.of('close')
    expect([event?.code, event?.wasClean, socket.readyState]).toEqual([1000, true, ResilientWebSocket.CLOSED])
  })
})
