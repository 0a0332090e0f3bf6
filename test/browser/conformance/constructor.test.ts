/**
 * Drop-in conformance: the constructor, `url`, `protocol` and `extensions`.
 * Each test names the web-platform-tests file (under `websockets/`) whose
 * requirement it checks; the tests are our own.
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
  trace,
  traceClosed,
  track,
  wsPort,
  wsUrl,
} from '../helpers.js'

afterEach(closeOpenedSockets)

/** Runs `create` and returns the DOMException name (or error constructor name) it throws. */
function thrownName(create: () => unknown): string {
  try {
    create()
  } catch (error) {
    return error instanceof DOMException ? `DOMException ${error.name}` : (error as Error).constructor.name
  }
  return 'nothing thrown'
}

describe('websockets/Create-invalid-urls.any.js, Create-wrong-scheme.any.js: invalid URLs throw SyntaxError', () => {
  const origin = `ws://127.0.0.1:${wsPort}`
  const invalid = [
    `ftp://127.0.0.1:${wsPort}/`,
    'mailto:example@example.org',
    'about:blank',
    'data:text/plain,x',
    `${origin}/#`,
    `${origin}/#test`,
    '#test',
    'ws://',
  ]
  it.for(invalid)('new ResilientWebSocket(%j) throws a SyntaxError DOMException, like native', (url) => {
    expect(thrownName(() => native(url))).toBe('DOMException SyntaxError')
    expect(thrownName(() => resilient(url, undefined, NATIVE_LIKE))).toBe('DOMException SyntaxError')
  })

  // The URL Standard forbids a space in a host and WPT expects SyntaxError, but
  // Chromium's parser percent-encodes it (`ws://foo%20bar.com/`) and its native
  // constructor accepts the URL. A drop-in replacement must give this browser's
  // verdict, whatever it is.
  it.for(['ws://foo bar.com/', 'wss://foo bar.com/', 'ws://web platform.test/'])(
    'websockets/Create-invalid-urls.any.js, Create-Secure-url-with-space.any.js: %j gets the native constructor’s verdict',
    (url) => {
      const verdict = (create: () => { url: string }) => {
        try {
          return `url ${create().url}`
        } catch (error) {
          return `throws ${(error as Error).name}`
        }
      }
      expect(verdict(() => resilient(url, undefined, NATIVE_LIKE))).toBe(verdict(() => native(url)))
    },
  )

  it('a URL object with a fragment is rejected as well', () => {
    expect(thrownName(() => resilient(new URL(`${origin}/echo#frag`), undefined, NATIVE_LIKE))).toBe(
      'DOMException SyntaxError',
    )
  })
})

describe('websockets/constructor.any.js: arguments', () => {
  it('calling the constructor without a URL throws a TypeError, like native', () => {
    expect(thrownName(() => track(Reflect.construct(WebSocket, [])))).toBe('TypeError')
    expect(thrownName(() => track(Reflect.construct(ResilientWebSocket, [])))).toBe('TypeError')
  })

  it('too many arguments do not throw (the third is the options object, extra ones are ignored)', () => {
    const socket = track(Reflect.construct(ResilientWebSocket, [wsUrl('/echo'), 'echo', NATIVE_LIKE, 'stray argument']))
    expect(socket).toBeInstanceOf(ResilientWebSocket)
  })
})

describe('websockets/Create-http-urls.any.js: http and https URLs', () => {
  it('http: becomes ws: and https: becomes wss:, exactly as native reports url', () => {
    const httpUrl = `http://127.0.0.1:${wsPort}/echo`
    const httpsUrl = `https://127.0.0.1:${wsPort}/echo`
    const fromHttp = resilient(httpUrl, undefined, NATIVE_LIKE)
    const fromHttps = resilient(httpsUrl, undefined, NATIVE_LIKE)
    expect(fromHttp.url).toBe(`ws://127.0.0.1:${wsPort}/echo`)
    expect(fromHttps.url).toBe(`wss://127.0.0.1:${wsPort}/echo`)
    expect(fromHttp.url).toBe(native(httpUrl).url)
    expect(fromHttps.url).toBe(native(httpsUrl).url)
  })

  it('an http: URL really connects to the ws: server', async () => {
    const socket = resilient(`http://127.0.0.1:${wsPort}/echo`, undefined, NATIVE_LIKE)
    await nextResilientEvent(socket, 'open')
    expect(socket.readyState).toBe(ResilientWebSocket.OPEN)
  })
})

describe('websockets/Create-valid-url-relative.tentative.any.js, Create-non-absolute-url: relative URLs resolve against the page', () => {
  it('a path-relative URL resolves against the document, with ws: for an http: page', () => {
    const expected = new URL('/some/path?q=1', location.href)
    expected.protocol = expected.protocol === 'https:' ? 'wss:' : 'ws:'
    const socket = resilient('/some/path?q=1', undefined, NATIVE_LIKE)
    expect(socket.url).toBe(expected.href)
    expect(socket.url).toBe(native('/some/path?q=1').url)
  })

  it('a scheme-relative URL to the test server resolves and opens', async () => {
    const socket = resilient(`//127.0.0.1:${wsPort}/echo`, undefined, NATIVE_LIKE)
    expect(socket.url).toBe(`ws://127.0.0.1:${wsPort}/echo`)
    await nextResilientEvent(socket, 'open')
    expect(socket.readyState).toBe(ResilientWebSocket.OPEN)
  })
})

describe('websockets/Create-valid-url.any.js, Create-verify-url-set-non-default-port.any.js, interfaces/WebSocket/url/*: url', () => {
  it('url is the serialised absolute URL, as native reports it', () => {
    const given = `ws://127.0.0.1:${wsPort}/echo?a=b`
    const socket = resilient(given, undefined, NATIVE_LIKE)
    expect(socket.url).toBe(native(given).url)
  })

  it('a URL object is accepted and serialised', () => {
    const socket = resilient(new URL(wsUrl('/echo')), undefined, NATIVE_LIKE)
    expect(socket.url).toBe(wsUrl('/echo'))
  })

  it('default ports are dropped from url like native does', () => {
    const socket = resilient('ws://127.0.0.1:80/echo', undefined, NATIVE_LIKE)
    expect(socket.url).toBe('ws://127.0.0.1/echo')
    expect(socket.url).toBe(native('ws://127.0.0.1:80/echo').url)
  })

  it('url/002.html: url cannot be assigned', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    expect(() => {
      ;(socket as unknown as { url: string }).url = wsUrl('/other')
    }).toThrow(TypeError)
    expect(socket.url).toBe(wsUrl('/echo'))
  })

  it('the Create-valid-url flow: open with readyState OPEN, then a clean close', async () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const lines = trace(socket)
    await nextResilientEvent(socket, 'open')
    socket.close()
    await traceClosed(lines)
    expect(lines).toEqual(['open readyState=1', 'close code=1005 reason="" wasClean=true readyState=3'])
  })
})

describe('subprotocol validation: invalid or repeated tokens throw SyntaxError', () => {
  const cases: [string, string | string[]][] = [
    ['websockets/Create-protocols-repeated.any.js', ['echo', 'echo']],
    ['websockets/Create-protocol-with-space.any.js', 'ec ho'],
    ['websockets/Create-asciiSep-protocol-string.any.js', 'ec/ho'],
    ['websockets/Create-nonAscii-protocol-string.any.js', 'ech\u00e9'],
    ['empty token (WHATWG: a protocol must be a token)', ''],
    ['token with a comma', 'a,b'],
    ['one bad token in an array', ['good', 'bad token']],
  ]
  it.for(cases)('%s: %j', ([, protocols]) => {
    expect(thrownName(() => native(wsUrl('/echo'), protocols))).toBe('DOMException SyntaxError')
    expect(thrownName(() => resilient(wsUrl('/echo'), protocols, NATIVE_LIKE))).toBe('DOMException SyntaxError')
  })

  it('websockets/Create-protocols-repeated-case-insensitive.any.js: tokens differing in case are not repeats', () => {
    expect(() => resilient(wsUrl('/echo'), ['echo', 'eCho'], NATIVE_LIKE)).not.toThrow()
  })
})

describe('protocol and extensions', () => {
  it('websockets/Create-valid-url-protocol-empty.any.js: protocol is "" before the connection is established', () => {
    const socket = resilient(wsUrl('/echo'), 'echo', NATIVE_LIKE)
    expect(socket.protocol).toBe('')
  })

  it('websockets/Create-valid-url-protocol-setCorrectly.any.js, Create-valid-url-array-protocols.any.js: protocol is the one the server chose', async () => {
    const socket = resilient(wsUrl('/echo'), ['chat', 'superchat'], NATIVE_LIKE)
    const reference = native(wsUrl('/echo'), ['chat', 'superchat'])
    await Promise.all([nextResilientEvent(socket, 'open'), nextEvent(reference, 'open')])
    expect(socket.protocol).toBe('chat')
    expect(socket.protocol).toBe(reference.protocol)
  })

  it('websockets/Create-valid-url-protocol-string.any.js: a single string protocol is offered and negotiated', async () => {
    const socket = resilient(wsUrl('/echo'), 'echo', NATIVE_LIKE)
    await nextResilientEvent(socket, 'open')
    expect(socket.protocol).toBe('echo')
  })

  it('websockets/Create-extensions-empty.any.js: extensions is "" before open and what native reports after', async () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const reference = native(wsUrl('/echo'))
    expect(socket.extensions).toBe('')
    await Promise.all([nextResilientEvent(socket, 'open'), nextEvent(reference, 'open')])
    expect(socket.extensions).toBe(reference.extensions)
  })
})
