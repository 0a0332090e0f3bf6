/**
 * Drop-in conformance: the shape of the interface — constants, accessors,
 * `Symbol.toStringTag`, readyState. Each test names the web-platform-tests
 * file (under `websockets/`) whose requirement it checks; the tests are our own.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ResilientWebSocket } from '../../../src/index.js'
import { closeOpenedSockets, NATIVE_LIKE, native, nextResilientEvent, resilient, wsUrl } from '../helpers.js'

afterEach(closeOpenedSockets)

const CONSTANTS = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const
type Constant = (typeof CONSTANTS)[number]

describe('interfaces/WebSocket/constants/*: CONNECTING, OPEN, CLOSING, CLOSED', () => {
  it.for(CONSTANTS.map((name, value) => [name, value] as const))(
    'constants/001.html: %s is %i on the class, the prototype and instances',
    ([name, value]) => {
      const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
      expect(ResilientWebSocket[name]).toBe(value)
      expect(ResilientWebSocket.prototype[name]).toBe(value)
      expect(socket[name]).toBe(value)
      expect(WebSocket[name]).toBe(value)
    },
  )

  it.for(CONSTANTS)('%s is a non-writable, non-configurable data property on the class and the prototype', (name) => {
    for (const [owner, reference] of [
      [ResilientWebSocket, WebSocket],
      [ResilientWebSocket.prototype, WebSocket.prototype],
    ] as const) {
      const descriptor = Object.getOwnPropertyDescriptor(owner, name)
      expect(descriptor).toMatchObject({ writable: false, configurable: false })
      expect(descriptor?.value).toBe(Object.getOwnPropertyDescriptor(reference, name)?.value)
    }
  })

  it.for(CONSTANTS)('constants/002.html: assigning %s fails (TypeError in strict code) and changes nothing', (name) => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const value = CONSTANTS.indexOf(name)
    const targets: Record<Constant, number>[] = [
      ResilientWebSocket as unknown as Record<Constant, number>,
      ResilientWebSocket.prototype as unknown as Record<Constant, number>,
      socket as unknown as Record<Constant, number>,
    ]
    for (const target of targets) {
      expect(() => {
        target[name] = 5
      }).toThrow(TypeError)
      expect(target[name]).toBe(value)
    }
    expect(Object.hasOwn(socket, name)).toBe(false)
  })

  it.for(CONSTANTS)('constants/003.html: deleting %s fails and changes nothing', (name) => {
    const value = CONSTANTS.indexOf(name)
    for (const target of [ResilientWebSocket, ResilientWebSocket.prototype]) {
      expect(() => delete (target as unknown as Partial<Record<Constant, number>>)[name]).toThrow(TypeError)
      expect(target[name]).toBe(value)
    }
  })

  it.for(CONSTANTS)(
    'constants/005.html, 006.html: redefining %s with a getter or setter throws a TypeError',
    (name) => {
      expect(() => Object.defineProperty(ResilientWebSocket.prototype, name, { get: () => 'foo' })).toThrow(TypeError)
      expect(() => Object.defineProperty(ResilientWebSocket.prototype, name, { set: () => {} })).toThrow(TypeError)
      expect(() => Object.defineProperty(ResilientWebSocket, name, { get: () => 'foo' })).toThrow(TypeError)
    },
  )
})

describe('url, readyState, bufferedAmount are read-only accessors on the prototype', () => {
  it.for(['url', 'readyState', 'bufferedAmount', 'protocol', 'extensions'] as const)(
    'interfaces/WebSocket/readyState/004.html-style: %s is a prototype getter without setter, not an own property',
    (name) => {
      const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
      const descriptor = Object.getOwnPropertyDescriptor(ResilientWebSocket.prototype, name)
      expect(typeof descriptor?.get).toBe('function')
      expect(descriptor?.set).toBeUndefined()
      expect(Object.hasOwn(socket, name)).toBe(false)
      expect(Object.getOwnPropertyDescriptor(WebSocket.prototype, name)?.set).toBeUndefined()
    },
  )

  it('interfaces/WebSocket/readyState/002.html: assigning readyState fails and it stays CONNECTING', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    expect(() => {
      ;(socket as unknown as { readyState: number }).readyState = 5
    }).toThrow(TypeError)
    expect(socket.readyState).toBe(ResilientWebSocket.CONNECTING)
  })

  it('interfaces/WebSocket/bufferedAmount/*: assigning bufferedAmount fails and it stays 0', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    expect(() => {
      ;(socket as unknown as { bufferedAmount: number }).bufferedAmount = 5
    }).toThrow(TypeError)
    expect(socket.bufferedAmount).toBe(0)
  })

  it('binaryType is an accessor pair on the prototype', () => {
    const descriptor = Object.getOwnPropertyDescriptor(ResilientWebSocket.prototype, 'binaryType')
    expect(typeof descriptor?.get).toBe('function')
    expect(typeof descriptor?.set).toBe('function')
  })
})

/** The native interface's attributes and operations (accessors and methods, not the constants), read from the engine. */
const NATIVE_MEMBERS = Object.entries(Object.getOwnPropertyDescriptors(WebSocket.prototype))
  .filter(([name, d]) => name !== 'constructor' && (d.get !== undefined || typeof d.value === 'function'))
  .map(([name]) => name)

describe('websockets/interfaces (idlharness): attributes and operations are enumerable, like WebIDL members', () => {
  it('the engine’s WebSocket has the standard’s ten attributes and two operations (so the rows below run)', () => {
    expect(NATIVE_MEMBERS).toHaveLength(12)
    expect(NATIVE_MEMBERS).toEqual(expect.arrayContaining(['url', 'onmessage', 'close', 'send']))
  })

  it.for(NATIVE_MEMBERS)('%s', (name) => {
    const ours = Object.getOwnPropertyDescriptor(ResilientWebSocket.prototype, name)
    const theirs = Object.getOwnPropertyDescriptor(WebSocket.prototype, name)
    expect(theirs?.enumerable).toBe(true)
    expect(ours?.enumerable).toBe(true)
    expect(typeof ours?.get === 'function').toBe(typeof theirs?.get === 'function')
  })
})

describe('websockets/interfaces (idlharness): lengths count the required arguments, like native', () => {
  it('the constructor, close() and send()', () => {
    const lengths = (target: { length: number; prototype: { close: Function; send: Function } }) => [
      target.length,
      target.prototype.close.length,
      target.prototype.send.length,
    ]
    expect(lengths(ResilientWebSocket as never)).toEqual(lengths(WebSocket as never))
    expect(lengths(WebSocket as never)).toEqual([1, 0, 1])
  })
})

describe('Symbol.toStringTag', () => {
  it('Object.prototype.toString gives "[object WebSocket]", like native', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    expect(Object.prototype.toString.call(socket)).toBe('[object WebSocket]')
    expect(Object.prototype.toString.call(socket)).toBe(Object.prototype.toString.call(native(wsUrl('/echo'))))
    expect(String(socket)).toBe('[object WebSocket]')
  })
})

describe('interfaces/WebSocket/readyState/*: readyState through the life of a connection', () => {
  it('readyState/001.html: CONNECTING right after construction', () => {
    expect(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE).readyState).toBe(ResilientWebSocket.CONNECTING)
  })

  it('readyState/006.html: OPEN in the open listener', async () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    let inListener = -1
    socket.addEventListener('open', () => {
      inListener = socket.readyState
    })
    await nextResilientEvent(socket, 'open')
    expect(inListener).toBe(ResilientWebSocket.OPEN)
  })
})

describe('interfaces/WebSocket/events/004.html, 006.html: EventTarget members and on* attributes exist', () => {
  it('addEventListener, removeEventListener and dispatchEvent are functions', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    expect(typeof socket.addEventListener).toBe('function')
    expect(typeof socket.removeEventListener).toBe('function')
    expect(typeof socket.dispatchEvent).toBe('function')
  })

  it.for(['onopen', 'onmessage', 'onerror', 'onclose'])('%s in the socket, as an accessor on the prototype', (name) => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    expect(name in socket).toBe(true)
    expect(Object.hasOwn(socket, name)).toBe(false)
    const descriptor = Object.getOwnPropertyDescriptor(ResilientWebSocket.prototype, name)
    expect(typeof descriptor?.get).toBe('function')
    expect(typeof descriptor?.set).toBe('function')
  })
})
