import { EventEmitter } from 'eventemitter3'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ResilientWebSocket } from '../../src/index.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket } from '../support/harness.js'

beforeEach(() => {
  FakeWebSocket.reset()
  // Nothing here waits for time; fake timers keep the stable-connection timer of an open socket from outliving the test.
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

/** An open socket; no connect timeout, so these tests need no timers. */
function openSocket(): ResilientWebSocket {
  const ws = createSocket({ connectTimeoutMs: 0 })
  FakeWebSocket.latest().open()
  return ws
}

function receive(data: string): void {
  FakeWebSocket.latest().message(data)
}

describe('registration order', () => {
  it('calls on(), onX and addEventListener listeners in the order they were registered', () => {
    const ws = openSocket()
    const calls: string[] = []
    ws.addEventListener('message', () => calls.push('addEventListener 1'))
    ws.on('message', () => calls.push('on'))
    ws.onmessage = () => calls.push('onmessage')
    ws.addEventListener('message', () => calls.push('addEventListener 2'))
    receive('hi')
    expect(calls).toEqual(['addEventListener 1', 'on', 'onmessage', 'addEventListener 2'])
  })

  it('keeps the place of an onX handler when it is reassigned', () => {
    const ws = openSocket()
    const calls: string[] = []
    ws.onmessage = () => calls.push('first handler')
    ws.addEventListener('message', () => calls.push('listener'))
    ws.onmessage = () => calls.push('second handler')
    receive('hi')
    expect(calls).toEqual(['second handler', 'listener'])
  })

  it('moves an onX handler to the end when it is set after being cleared', () => {
    const ws = openSocket()
    const calls: string[] = []
    ws.onmessage = () => calls.push('first handler')
    ws.on('message', () => calls.push('listener'))
    ws.onmessage = null
    ws.onmessage = () => calls.push('second handler')
    receive('hi')
    expect(calls).toEqual(['listener', 'second handler'])
  })

  it('starts every onX handler as null and turns non-callable values into null', () => {
    const ws = openSocket()
    expect([ws.onopen, ws.onmessage, ws.onerror, ws.onclose]).toEqual([null, null, null, null])
    const handler = () => {}
    ws.onmessage = handler
    expect(ws.onmessage).toBe(handler)
    ws.onmessage = 'not a function' as any
    expect(ws.onmessage).toBeNull()
    ws.onclose = 42 as any
    expect(ws.onclose).toBeNull()
  })

  it('calls listeners with the wrapper as this, target and currentTarget', () => {
    const ws = openSocket()
    const seen: unknown[] = []
    ws.onmessage = function (this: unknown, event) {
      seen.push(this, event.target, event.currentTarget)
    }
    ws.addEventListener('message', function (this: unknown, event) {
      seen.push(this, event.target, event.currentTarget)
    })
    receive('hi')
    expect(seen).toHaveLength(6)
    for (const value of seen) expect(value).toBe(ws)
  })
})

describe('throwing listeners', () => {
  it('reports the error with reportError and still runs the other listeners', () => {
    const reportError = vi.fn()
    vi.stubGlobal('reportError', reportError)
    const ws = openSocket()
    const failure = new Error('listener bug')
    const calls: string[] = []
    ws.on('message', () => {
      calls.push('thrower')
      throw failure
    })
    ws.on('message', () => calls.push('after'))
    expect(() => receive('hi')).not.toThrow()
    expect(calls).toEqual(['thrower', 'after'])
    expect(reportError).toHaveBeenCalledTimes(1)
    expect(reportError).toHaveBeenCalledWith(failure)
  })

  it('reports throwing onX handlers and addEventListener listeners the same way', () => {
    const reportError = vi.fn()
    vi.stubGlobal('reportError', reportError)
    const ws = openSocket()
    const calls: string[] = []
    ws.onmessage = () => {
      calls.push('handler')
      throw new Error('handler bug')
    }
    ws.addEventListener('message', () => {
      calls.push('listener')
      throw new Error('listener bug')
    })
    ws.on('message', () => calls.push('last'))
    receive('hi')
    expect(calls).toEqual(['handler', 'listener', 'last'])
    expect(reportError.mock.calls.map(([error]) => (error as Error).message)).toEqual(['handler bug', 'listener bug'])
  })

  it('rethrows asynchronously where reportError does not exist', () => {
    vi.stubGlobal('reportError', undefined)
    const ws = openSocket()
    const failure = new Error('listener bug')
    const after = vi.fn()
    ws.on('message', () => {
      throw failure
    })
    ws.on('message', after)
    expect(() => receive('hi')).not.toThrow()
    expect(after).toHaveBeenCalledTimes(1)
    expect(() => vi.runOnlyPendingTimers()).toThrow(failure)
  })
})

describe('throwing listeners and the connection', () => {
  it('keeps reconnecting when a close listener throws', async () => {
    const reportError = vi.fn()
    vi.stubGlobal('reportError', reportError)
    const ws = openSocket()
    const reconnecting = vi.fn()
    ws.on('close', () => {
      throw new Error('close listener bug')
    })
    ws.on('reconnecting', reconnecting)
    FakeWebSocket.latest().serverClose(1001)
    expect(reportError).toHaveBeenCalledTimes(1)
    expect(reconnecting).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(reconnecting.mock.calls[0]![0].delayMs)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })
})

describe('removal during dispatch', () => {
  it('does not call an on() listener removed by an earlier listener', () => {
    const ws = openSocket()
    const removed = vi.fn()
    ws.on('message', () => ws.off('message', removed))
    ws.on('message', removed)
    receive('hi')
    expect(removed).not.toHaveBeenCalled()
  })

  it('does not call an addEventListener listener removed by an earlier listener', () => {
    const ws = openSocket()
    const removed = vi.fn()
    ws.addEventListener('message', () => ws.removeEventListener('message', removed))
    ws.addEventListener('message', removed)
    receive('hi')
    expect(removed).not.toHaveBeenCalled()
  })

  it('does not call an onX handler cleared by an earlier listener', () => {
    const ws = openSocket()
    const handler = vi.fn()
    ws.on('message', () => {
      ws.onmessage = null
    })
    ws.onmessage = handler
    receive('hi')
    expect(handler).not.toHaveBeenCalled()
  })

  it('does not call listeners that an earlier listener removed with removeAllListeners()', () => {
    // eventemitter3 replaces its whole listener store when the last event type is emptied.
    const ws = openSocket()
    const removed = vi.fn()
    ws.on('message', () => ws.removeAllListeners())
    ws.on('message', removed)
    receive('hi')
    expect(removed).not.toHaveBeenCalled()
  })

  it('still calls the remaining listeners after a removal', () => {
    const ws = openSocket()
    const calls: string[] = []
    const removed = () => calls.push('removed')
    ws.on('message', () => {
      calls.push('remover')
      ws.off('message', removed)
    })
    ws.on('message', removed)
    ws.on('message', () => calls.push('last'))
    receive('hi')
    expect(calls).toEqual(['remover', 'last'])
  })
})

describe('addEventListener options', () => {
  it('ignores a second registration of the same listener', () => {
    const ws = openSocket()
    const listener = vi.fn()
    ws.addEventListener('message', listener)
    ws.addEventListener('message', listener)
    receive('hi')
    expect(listener).toHaveBeenCalledTimes(1)
  })

  it('removes a listener with removeEventListener', () => {
    const ws = openSocket()
    const listener = vi.fn()
    ws.addEventListener('message', listener)
    ws.removeEventListener('message', listener)
    receive('hi')
    expect(listener).not.toHaveBeenCalled()
  })

  it('calls a once listener a single time', () => {
    const ws = openSocket()
    const listener = vi.fn()
    ws.addEventListener('message', listener, { once: true })
    receive('one')
    receive('two')
    expect(listener).toHaveBeenCalledTimes(1)
    expect(listener.mock.calls[0]![0]).toMatchObject({ data: 'one' })
  })

  it('can add a once listener again after it ran', () => {
    const ws = openSocket()
    const listener = vi.fn()
    ws.addEventListener('message', listener, { once: true })
    receive('one')
    ws.addEventListener('message', listener, { once: true })
    receive('two')
    expect(listener).toHaveBeenCalledTimes(2)
  })

  it('removes a listener when its signal aborts', () => {
    const ws = openSocket()
    const controller = new AbortController()
    const listener = vi.fn()
    ws.addEventListener('message', listener, { signal: controller.signal })
    receive('one')
    controller.abort()
    receive('two')
    expect(listener).toHaveBeenCalledTimes(1)
  })

  it('does not add a listener whose signal already aborted', () => {
    const ws = openSocket()
    const listener = vi.fn()
    ws.addEventListener('message', listener, { signal: AbortSignal.abort() })
    receive('hi')
    expect(listener).not.toHaveBeenCalled()
  })

  it('calls handleEvent on a listener object', () => {
    const ws = openSocket()
    const listener = { handleEvent: vi.fn() }
    ws.addEventListener('message', listener)
    receive('hi')
    expect(listener.handleEvent).toHaveBeenCalledTimes(1)
    expect(listener.handleEvent.mock.calls[0]![0]).toMatchObject({ data: 'hi' })
  })

  it('calls an eventemitter3 once() listener a single time', () => {
    const ws = openSocket()
    const listener = vi.fn()
    ws.once('message', listener)
    receive('one')
    receive('two')
    expect(listener).toHaveBeenCalledTimes(1)
  })
})

// src/listeners.ts reads eventemitter3's private store to give every listener DOM
// semantics; package.json pins the exact version, and these pin the shape it reads.
describe('the eventemitter3 store the dispatch loop reads (pinned version)', () => {
  type Store = Record<string, unknown>
  const storeOf = (emitter: EventEmitter) => (emitter as unknown as { _events: Store })._events
  const key = (type: string) => (typeof EventEmitter.prefixed === 'string' ? EventEmitter.prefixed : '') + type

  it('is the version package.json pins', async () => {
    const pinned = (await import('../../package.json', { with: { type: 'json' } })).default.dependencies.eventemitter3
    const installed = (await import('eventemitter3/package.json', { with: { type: 'json' } })).default.version
    expect(installed).toBe(pinned)
  })

  it('keeps one listener as a record { fn, context, once }, several as an array of them in order', () => {
    const emitter = new EventEmitter()
    const first = () => {}
    const second = () => {}
    emitter.on('message', first)
    expect(storeOf(emitter)[key('message')]).toEqual({ fn: first, context: emitter, once: false })
    emitter.once('message', second)
    expect(storeOf(emitter)[key('message')]).toEqual([
      { fn: first, context: emitter, once: false },
      { fn: second, context: emitter, once: true },
    ])
  })

  it('replaces the store object when the last listeners go, and drops the key when one type empties', () => {
    const emitter = new EventEmitter()
    const fn = () => {}
    emitter.on('a', fn)
    emitter.on('b', fn)
    const before = storeOf(emitter)
    emitter.off('a', fn)
    expect(storeOf(emitter)).toBe(before)
    expect(storeOf(emitter)[key('a')]).toBeUndefined()
    emitter.removeAllListeners()
    expect(storeOf(emitter)).not.toBe(before)
    expect(storeOf(emitter)[key('b')]).toBeUndefined()
  })
})
