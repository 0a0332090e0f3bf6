/**
 * Drop-in conformance: event handler attributes, listener order, the event
 * objects listeners see, and the error → close sequence of a failing
 * connection. Each test names the web-platform-tests file (under
 * `websockets/`) whose requirement it checks; the tests are our own.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ResilientWebSocket } from '../../../src/index.js'
import { recordEvents } from '../../support/record-events.js'
import { eventually } from '../../support/wait.js'
import {
  closeOpenedSockets,
  finalClose,
  NATIVE_LIKE,
  native,
  nextResilientEvent,
  refusedUrl,
  resilient,
  thrownName,
  trace,
  traceClosed,
  uniqueKey,
  wsUrl,
} from '../helpers.js'

afterEach(closeOpenedSockets)

const HANDLERS = ['onopen', 'onmessage', 'onerror', 'onclose'] as const
type Handler = (typeof HANDLERS)[number]
type HandlerSlots = Record<Handler, unknown>

function handlerSlots(socket: ResilientWebSocket): HandlerSlots {
  return socket as unknown as HandlerSlots
}

describe('event handler attributes', () => {
  it.for(HANDLERS)('interfaces/WebSocket/events/001.html: %s is null initially', (name) => {
    expect(handlerSlots(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE))[name]).toBeNull()
  })

  it.for(HANDLERS)(
    'interfaces/WebSocket/events/002.html, 014.html: %s returns the function set, and null after null',
    (name) => {
      const slots = handlerSlots(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE))
      const handler = () => {}
      slots[name] = handler
      expect(slots[name]).toBe(handler)
      slots[name] = null
      expect(slots[name]).toBeNull()
    },
  )

  const nonObjects: [string, unknown][] = [
    ['interfaces/WebSocket/events/010.html: undefined', undefined],
    ['interfaces/WebSocket/events/011.html: 1', 1],
    ['interfaces/WebSocket/events/012.html: ";"', ';'],
    ['websockets/eventhandlers.any.js: 2 after a function', 2],
  ]
  it.for(nonObjects)('%s — a non-callable value makes every handler null, exactly like native', ([, value]) => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const slots = handlerSlots(socket)
    const reference = native(wsUrl('/echo')) as unknown as HandlerSlots
    for (const name of HANDLERS) {
      slots[name] = () => {}
      slots[name] = value
      reference[name] = () => {}
      reference[name] = value
      expect(reference[name]).toBeNull()
      expect(slots[name]).toBeNull()
    }
  })

  // [LegacyTreatNonObjectAsNull]: any object is kept and read back, callable or not.
  it.for(HANDLERS)(
    'interfaces/WebSocket/events/013.html: %s set to {handleEvent} (not callable) reads back that object, like native',
    (name) => {
      const slots = handlerSlots(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE))
      const reference = native(wsUrl('/echo')) as unknown as HandlerSlots
      const handler = { handleEvent() {} }
      slots[name] = () => {}
      slots[name] = handler
      reference[name] = handler
      expect(reference[name]).toBe(handler)
      expect(slots[name]).toBe(handler)
    },
  )

  it('interfaces/WebSocket/events/013.html: a non-callable object handler is not called, and its handleEvent neither', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const calls: string[] = []
    const handler = { handleEvent: () => calls.push('handleEvent') }
    socket.addEventListener('open', () => calls.push('listener'))
    handlerSlots(socket).onopen = handler
    socket.dispatchEvent(new Event('open'))
    expect(calls).toEqual(['listener'])
  })

  it('a handler set to a non-callable value is no longer called', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const calls: string[] = []
    socket.onopen = () => calls.push('handler')
    handlerSlots(socket).onopen = 1
    socket.dispatchEvent(new Event('open'))
    expect(calls).toEqual([])
  })

  it.for([
    ['interfaces/WebSocket/events/003.html', 'open'],
    ['interfaces/WebSocket/events/007.html', 'message'],
    ['interfaces/WebSocket/events/008.html', 'error'],
    ['interfaces/WebSocket/events/009.html', 'close'],
  ] as const)('%s: dispatchEvent(new %s event) runs the on-handler synchronously with that event', ([, type]) => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const seen: Event[] = []
    handlerSlots(socket)[`on${type}`] = (event: Event) => seen.push(event)
    const event = new CustomEvent(type, { detail: 5 })
    socket.dispatchEvent(event)
    expect(seen).toEqual([event])
    expect((seen[0] as CustomEvent).detail).toBe(5)
  })

  it('interfaces/WebSocket/events/019.html: a removed listener is not called', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const got: string[] = []
    const listener = (event: Event) => got.push(event.type)
    for (const type of ['open', 'message', 'error', 'close']) {
      socket.addEventListener(type, listener)
      socket.removeEventListener(type, listener)
      socket.dispatchEvent(new Event(type))
    }
    expect(got).toEqual([])
  })
})

describe('listener order', () => {
  it('interfaces/WebSocket/events/016.html: listeners and on-handlers run in registration order for open, message and close', async () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const order: string[] = []
    socket.addEventListener('open', () => {
      order.push('open listener 1')
      socket.send('Goodbye')
    })
    socket.onopen = () => order.push('onopen')
    socket.addEventListener('open', () => order.push('open listener 2'))
    socket.addEventListener('message', () => order.push('message listener 1'))
    socket.onmessage = () => {
      order.push('onmessage')
      socket.close()
    }
    socket.addEventListener('message', () => order.push('message listener 2'))
    socket.addEventListener('close', () => order.push('close listener 1'))
    socket.onclose = () => order.push('onclose')
    socket.addEventListener('close', () => order.push('close listener 2'))
    await nextResilientEvent(socket, 'close')
    expect(order).toEqual([
      'open listener 1',
      'onopen',
      'open listener 2',
      'message listener 1',
      'onmessage',
      'message listener 2',
      'close listener 1',
      'onclose',
      'close listener 2',
    ])
  })

  it('HTML event handlers: a replaced handler keeps its first place in the order, exactly like native', () => {
    const run = (target: Pick<WebSocket, 'addEventListener' | 'dispatchEvent'> & { onopen: unknown }) => {
      const order: string[] = []
      target.addEventListener('open', () => order.push('listener A'))
      target.onopen = () => order.push('first handler')
      target.addEventListener('open', () => order.push('listener B'))
      target.onopen = () => order.push('second handler')
      target.dispatchEvent(new Event('open'))
      return order
    }
    const reference = run(native(wsUrl('/echo')) as unknown as Parameters<typeof run>[0])
    expect(reference).toEqual(['listener A', 'second handler', 'listener B'])
    expect(run(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE) as unknown as Parameters<typeof run>[0])).toEqual(
      reference,
    )
  })

  it('a handler set to null and set again goes to the end of the order, exactly like native', () => {
    const run = (target: Pick<WebSocket, 'addEventListener' | 'dispatchEvent'> & { onopen: unknown }) => {
      const order: string[] = []
      target.onopen = () => order.push('first handler')
      target.addEventListener('open', () => order.push('listener'))
      target.onopen = null
      target.onopen = () => order.push('new handler')
      target.dispatchEvent(new Event('open'))
      return order
    }
    const reference = run(native(wsUrl('/echo')) as unknown as Parameters<typeof run>[0])
    expect(reference).toEqual(['listener', 'new handler'])
    expect(run(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE) as unknown as Parameters<typeof run>[0])).toEqual(
      reference,
    )
  })

  it('on(), addEventListener() and onX see the same events in registration order', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const order: string[] = []
    socket.on('open', () => order.push('on()'))
    socket.addEventListener('open', () => order.push('addEventListener'))
    socket.onopen = () => order.push('onopen')
    socket.once('open', () => order.push('once()'))
    socket.dispatchEvent(new Event('open'))
    expect(order).toEqual(['on()', 'addEventListener', 'onopen', 'once()'])
  })

  it('a listener removed by an earlier listener during the same dispatch is not called', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const order: string[] = []
    const second = () => order.push('second')
    socket.addEventListener('open', () => {
      order.push('first')
      socket.removeEventListener('open', second)
    })
    socket.addEventListener('open', second)
    socket.dispatchEvent(new Event('open'))
    expect(order).toEqual(['first'])
  })

  it('addEventListener ignores a duplicate registration, like any EventTarget', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    let calls = 0
    const listener = () => {
      calls += 1
    }
    socket.addEventListener('open', listener)
    socket.addEventListener('open', listener)
    socket.dispatchEvent(new Event('open'))
    expect(calls).toBe(1)
  })
})

interface Seen {
  type: string
  thisIsSocket: boolean
  targetIsSocket: boolean
  currentTargetIsSocket: boolean
  eventPhase: number
}

/** Listens to `types` with plain functions and records what each listener saw. */
function observe(socket: ResilientWebSocket, types: string[]): Seen[] {
  const seen: Seen[] = []
  for (const type of types) {
    socket.addEventListener(type, function (this: unknown, event: Event) {
      seen.push({
        type,
        thisIsSocket: this === socket,
        targetIsSocket: event.target === socket,
        currentTargetIsSocket: event.currentTarget === socket,
        eventPhase: event.eventPhase,
      })
    })
  }
  return seen
}

const AT_TARGET = { thisIsSocket: true, targetIsSocket: true, currentTargetIsSocket: true, eventPhase: Event.AT_TARGET }

describe('interfaces/WebSocket/events/017.html: this, target, currentTarget and eventPhase inside listeners', () => {
  it('open, message and close: this/target/currentTarget are the wrapper, eventPhase is AT_TARGET', async () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const seen = observe(socket, ['open', 'message', 'close'])
    socket.onopen = () => socket.send('hello')
    socket.onmessage = () => socket.close()
    await nextResilientEvent(socket, 'close')
    expect(seen).toEqual(['open', 'message', 'close'].map((type) => ({ type, ...AT_TARGET })))
  })

  it('error and close of a failing connection: this/target/currentTarget are the wrapper, eventPhase is AT_TARGET', async () => {
    const socket = resilient(refusedUrl(), undefined, NATIVE_LIKE)
    const seen = observe(socket, ['error', 'close'])
    await nextResilientEvent(socket, 'close')
    expect(seen).toEqual(['error', 'close'].map((type) => ({ type, ...AT_TARGET })))
  })

  it('on-handlers are called with this = the wrapper', async () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    let self: unknown
    socket.onopen = function (this: unknown) {
      self = this
    }
    await nextResilientEvent(socket, 'open')
    expect(self).toBe(socket)
  })

  it('an event dispatched with dispatchEvent() also has the wrapper as target', () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const seen = observe(socket, ['open'])
    expect(socket.dispatchEvent(new Event('open'))).toBe(true)
    expect(seen).toEqual([{ type: 'open', ...AT_TARGET }])
  })
})

describe('interfaces/WebSocket/events/015.html, 018.html: the event objects', () => {
  /** Opens, sends one message, closes; returns the open, message and close events listeners saw. */
  async function openMessageClose(): Promise<Event[]> {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    const events: Event[] = []
    for (const type of ['open', 'message', 'close']) socket.addEventListener(type, (event: Event) => events.push(event))
    socket.onopen = () => socket.send('test')
    socket.onmessage = () => socket.close()
    await nextResilientEvent(socket, 'close')
    return events
  }

  it('open is an Event and message a MessageEvent ("[object Event]", "[object MessageEvent]")', async () => {
    const [open, message] = await openMessageClose()
    expect(open).toBeInstanceOf(Event)
    expect(message).toBeInstanceOf(MessageEvent)
    expect([String(open), String(message)]).toEqual(['[object Event]', '[object MessageEvent]'])
  })

  it('interfaces/WebSocket/events/018.html: a message event reads like the native one (data, origin, lastEventId, source, ports)', async () => {
    const read = (event: MessageEvent) => ({
      data: event.data,
      origin: event.origin,
      lastEventId: event.lastEventId,
      source: event.source,
      ports: [...event.ports],
      type: event.type,
      bubbles: event.bubbles,
      cancelable: event.cancelable,
    })
    const nativeSocket = native(wsUrl('/echo'))
    nativeSocket.onopen = () => nativeSocket.send('same')
    const nativeMessage = await new Promise<MessageEvent>((resolve) => {
      nativeSocket.onmessage = resolve
    })
    const [, message] = await openMessageClose()
    expect(read(message as MessageEvent)).toEqual({ ...read(nativeMessage), data: 'test' })
    expect(read(nativeMessage).data).toBe('same')
  })

  it('close is a CloseEvent ("[object CloseEvent]")', async () => {
    const [, , close] = await openMessageClose()
    expect(close).toBeInstanceOf(CloseEvent)
    expect(String(close)).toBe('[object CloseEvent]')
  })

  it('none of open, message, close bubbles or is cancelable', async () => {
    const events = await openMessageClose()
    expect(events.map((event) => [event.type, event.bubbles, event.cancelable])).toEqual([
      ['open', false, false],
      ['message', false, false],
      ['close', false, false],
    ])
  })

  it('the message event carries data and the origin of the socket URL', async () => {
    const socket = resilient(wsUrl('/echo'), undefined, NATIVE_LIKE)
    socket.onopen = () => socket.send('payload')
    const message = await nextResilientEvent(socket, 'message')
    expect(message.data).toBe('payload')
    expect(message.origin).toBe(new URL(wsUrl('/echo')).origin)
  })

  it('interfaces/WebSocket/events/020.html: a failing connection fires an Event named error that does not bubble', async () => {
    const socket = resilient(refusedUrl(), undefined, NATIVE_LIKE)
    const error = await nextResilientEvent(socket, 'error')
    expect(error).toBeInstanceOf(Event)
    expect([error.type, error.bubbles, error.cancelable]).toEqual(['error', false, false])
  })
})

describe('interfaces/WebSocket/close/close-basic.html: event attributes are read-only, like native', () => {
  /** The same socket life, native and wrapped: open, one echoed message, a clean close. */
  async function events(socket: WebSocket | ResilientWebSocket): Promise<{ message: MessageEvent; close: CloseEvent }> {
    const seen: Partial<{ message: MessageEvent; close: CloseEvent }> = {}
    await new Promise<void>((resolve) => {
      socket.onopen = () => socket.send('hello')
      socket.onmessage = (event: MessageEvent) => {
        seen.message = event
        socket.close(1000, 'done')
      }
      socket.onclose = (event: CloseEvent) => {
        seen.close = event
        resolve()
      }
    })
    return seen as { message: MessageEvent; close: CloseEvent }
  }

  /** Assigns and deletes each field (strict code: a getter-only field throws), then reads it back. */
  function tamper(event: object, fields: readonly string[]): Record<string, unknown> {
    const target = event as Record<string, unknown>
    const after: Record<string, unknown> = {}
    for (const field of fields) {
      const assigned = thrownName(() => {
        target[field] = 'changed'
      })
      const deleted = delete target[field]
      after[field] = { assigned, deleted, value: target[field] }
    }
    return after
  }

  it('close: code, reason and wasClean cannot be assigned or deleted; message: data and origin neither', async () => {
    const wrapped = await events(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE))
    const reference = await events(native(wsUrl('/echo')))
    const closeFields = ['code', 'reason', 'wasClean'] as const
    const messageFields = ['data', 'origin'] as const
    expect(tamper(wrapped.close, closeFields)).toEqual(tamper(reference.close, closeFields))
    expect(tamper(wrapped.message, messageFields)).toEqual(tamper(reference.message, messageFields))
    expect([wrapped.close.code, wrapped.close.reason, wrapped.close.wasClean]).toEqual([1000, 'done', true])
    expect(wrapped.message.data).toBe('hello')
  })

  it('close-basic.html: code, reason and wasClean are CloseEvent.prototype’s own getters, as on a native close event', async () => {
    const wrapped = await events(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE))
    const where = (event: object, name: string) => {
      let owner: object | null = event
      while (owner !== null && !Object.hasOwn(owner, name)) owner = Object.getPrototypeOf(owner)
      return owner
    }
    for (const name of ['code', 'reason', 'wasClean']) expect(where(wrapped.close, name)).toBe(CloseEvent.prototype)
  })

  it('multi-globals/message-received.html: a message event’s constructor is the page’s MessageEvent', async () => {
    const wrapped = await events(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE))
    const reference = await events(native(wsUrl('/echo')))
    expect(reference.message.constructor).toBe(MessageEvent)
    expect(wrapped.message.constructor).toBe(MessageEvent)
  })

  it('our own fields (willReconnect, error, attempt, delayMs, a drop’s data) are read-only too', async () => {
    const key = uniqueKey('read-only')
    const socket = resilient(wsUrl(`/plan/${key}?steps=close:1001,open`), undefined, {
      backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 'none' },
    })
    const log = recordEvents(socket)
    await eventually(() => expect(log.of('reconnecting')).toHaveLength(1))
    socket.send('queued')
    socket.close()
    await finalClose(log)
    const [close] = log.of('close')
    const [reconnecting] = log.of('reconnecting')
    const [drop] = log.of('drop')
    const error = log.of('error').at(-1)
    for (const [event, fields] of [
      [close, ['willReconnect']],
      [reconnecting, ['attempt', 'delayMs', 'code', 'reason']],
      [drop, ['data', 'reason']],
      [error, ['error', 'message']],
    ] as const) {
      const before = Object.fromEntries(fields.map((field) => [field, (event as never)[field]]))
      const after = tamper(event as object, fields)
      for (const field of fields) {
        expect(after[field]).toEqual({ assigned: 'TypeError', deleted: true, value: before[field] })
      }
    }
    expect(close?.willReconnect).toBe(true)
    expect(drop?.data).toBe('queued')
  })
})

describe('a failing connection: error first, then close, with readyState already CLOSED (events/015.html)', () => {
  it('a refused connection gives exactly the native sequence: error (readyState CLOSED), then close 1006 unclean', async () => {
    const socket = resilient(refusedUrl(), undefined, NATIVE_LIKE)
    const reference = native(refusedUrl())
    const lines = trace(socket)
    const referenceLines = trace(reference)
    await Promise.all([traceClosed(lines), traceClosed(referenceLines)])
    expect(referenceLines).toEqual(['error readyState=3', 'close code=1006 reason="" wasClean=false readyState=3'])
    expect(lines).toEqual(referenceLines)
  })

  it('a handshake rejected with HTTP 403 gives exactly the native sequence', async () => {
    const socket = resilient(wsUrl('/reject/403'), undefined, NATIVE_LIKE)
    const reference = native(wsUrl('/reject/403'))
    const lines = trace(socket)
    const referenceLines = trace(reference)
    await Promise.all([traceClosed(lines), traceClosed(referenceLines)])
    expect(referenceLines).toEqual(['error readyState=3', 'close code=1006 reason="" wasClean=false readyState=3'])
    expect(lines).toEqual(referenceLines)
  })

  it('the onerror handler also sees readyState CLOSED', async () => {
    const socket = resilient(refusedUrl(), undefined, NATIVE_LIKE)
    let inHandler = -1
    socket.onerror = () => {
      inHandler = socket.readyState
    }
    await nextResilientEvent(socket, 'close')
    expect(inHandler).toBe(ResilientWebSocket.CLOSED)
  })

  it('a server close with code 4000 gives exactly the native sequence (no retry with maxRetries: 0)', async () => {
    const path = '/close/4000?reason=app'
    const socket = resilient(wsUrl(path), undefined, NATIVE_LIKE)
    const reference = native(wsUrl(path))
    const lines = trace(socket)
    const referenceLines = trace(reference)
    await Promise.all([traceClosed(lines), traceClosed(referenceLines)])
    expect(lines).toEqual(referenceLines)
    expect(socket.readyState).toBe(ResilientWebSocket.CLOSED)
  })

  // The server drops the connection when the page's first message arrives: a drop right
  // after the handshake races the open event (Firefox may then report no open at all).
  it('a dropped connection (no close frame) gives exactly the native sequence', async () => {
    const socket = resilient(wsUrl('/drop-on-message'), undefined, NATIVE_LIKE)
    const reference = native(wsUrl('/drop-on-message'))
    const lines = trace(socket)
    const referenceLines = trace(reference)
    socket.addEventListener('open', () => socket.send('drop now'))
    reference.addEventListener('open', () => reference.send('drop now'))
    await Promise.all([traceClosed(lines), traceClosed(referenceLines)])
    expect(lines).toEqual(referenceLines)
  })
})

type Target = Pick<WebSocket, 'addEventListener' | 'removeEventListener' | 'dispatchEvent'>

/** Runs the same scenario on a native socket and on the wrapper; returns both results. */
function sideBySide<T>(scenario: (target: Target) => T): { native: T; wrapper: T } {
  return {
    native: scenario(native(wsUrl('/echo'))),
    wrapper: scenario(resilient(wsUrl('/echo'), undefined, NATIVE_LIKE) as unknown as Target),
  }
}

describe('EventTarget semantics of addEventListener/removeEventListener, side by side with native', () => {
  it('dom/events/AddEventListenerOptions-once.any.js: a once listener runs one time', () => {
    const result = sideBySide((target) => {
      let calls = 0
      target.addEventListener('message', () => calls++, { once: true })
      target.dispatchEvent(new Event('message'))
      target.dispatchEvent(new Event('message'))
      return calls
    })
    expect(result).toEqual({ native: 1, wrapper: 1 })
  })

  it('dom/events/AddEventListenerOptions-signal.any.js: aborting the signal removes the listener', () => {
    const result = sideBySide((target) => {
      const controller = new AbortController()
      let calls = 0
      target.addEventListener('message', () => calls++, { signal: controller.signal })
      target.dispatchEvent(new Event('message'))
      controller.abort()
      target.dispatchEvent(new Event('message'))
      return calls
    })
    expect(result).toEqual({ native: 1, wrapper: 1 })
  })

  it('dom/events/EventListener-handleEvent.any.js: an object listener’s handleEvent runs with the object as this', () => {
    const result = sideBySide((target) => {
      const listener = {
        self: null as unknown,
        handleEvent(this: { self: unknown }) {
          this.self = this
        },
      }
      target.addEventListener('open', listener)
      target.dispatchEvent(new Event('open'))
      return listener.self === listener
    })
    expect(result).toEqual({ native: true, wrapper: true })
  })

  it('dom/events/EventTarget-removeEventListener.any.js: removal matches the capture flag', () => {
    const result = sideBySide((target) => {
      const calls: string[] = []
      const listener = () => calls.push('called')
      target.addEventListener('open', listener, true)
      target.removeEventListener('open', listener)
      target.dispatchEvent(new Event('open'))
      target.removeEventListener('open', listener, { capture: true })
      target.dispatchEvent(new Event('open'))
      return calls
    })
    expect(result).toEqual({ native: ['called'], wrapper: ['called'] })
  })

  it('dom/events/EventTarget-dispatchEvent.any.js: dispatchEvent returns false when a listener cancels a cancelable event', () => {
    const result = sideBySide((target) => {
      target.addEventListener('message', (event) => event.preventDefault())
      return [
        target.dispatchEvent(new Event('message', { cancelable: true })),
        target.dispatchEvent(new Event('message')),
      ]
    })
    expect(result).toEqual({ native: [false, true], wrapper: [false, true] })
  })

  it('a listener that throws is reported (window error event) and the next listener still runs', () => {
    const reported: unknown[] = []
    // Captured before Vitest's own handler sees it, so the deliberate error does not fail the run.
    const swallow = (event: ErrorEvent) => {
      reported.push(event.error)
      event.preventDefault()
      event.stopImmediatePropagation()
    }
    window.addEventListener('error', swallow, { capture: true })
    try {
      const result = sideBySide((target) => {
        const calls: string[] = []
        target.addEventListener('open', () => {
          throw new Error('listener failed')
        })
        target.addEventListener('open', () => calls.push('second listener'))
        target.dispatchEvent(new Event('open'))
        return calls
      })
      expect(result).toEqual({ native: ['second listener'], wrapper: ['second listener'] })
      expect(reported.map((error) => (error as Error).message)).toEqual(['listener failed', 'listener failed'])
    } finally {
      window.removeEventListener('error', swallow, { capture: true })
    }
  })
})
