import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BufferOverflowError, CloseCodeError } from '../../src/index.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('buffering while CONNECTING', () => {
  it('queues sends during the first attempt and flushes them in order on open', async () => {
    const ws = createSocket()
    await tick()
    ws.send('a')
    ws.send('b')
    const socket = FakeWebSocket.latest()
    expect(socket.sent).toEqual([])
    socket.open()
    expect(socket.sent).toEqual(['a', 'b'])
    ws.send('c')
    expect(socket.sent).toEqual(['a', 'b', 'c'])
    ws.close()
  })

  it('queues sends made before the first native socket exists', async () => {
    const ws = createSocket({}, async () => 'ws://example.test/later')
    ws.send('early')
    await tick()
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual(['early'])
    ws.close()
  })

  it('flushes the queue before anything sent from an open listener', async () => {
    const ws = createSocket()
    ws.on('open', () => ws.send('from open'))
    await tick()
    ws.send('queued 1')
    ws.send('queued 2')
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual(['queued 1', 'queued 2', 'from open'])
    ws.close()
  })

  it('queues sends during a retry wait and flushes them on the next socket', async () => {
    const ws = createSocket()
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1001)
    ws.send('while waiting')
    await vi.advanceTimersByTimeAsync(1000)
    const next = FakeWebSocket.latest()
    ws.send('while connecting')
    next.open()
    expect(next.sent).toEqual(['while waiting', 'while connecting'])
    expect(FakeWebSocket.instances[0]!.sent).toEqual([])
    ws.close()
  })

  it('keeps the queue across a failed attempt', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    ws.send('kept')
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual(['kept'])
    expect(log.of('drop')).toEqual([])
    ws.close()
  })

  it('copies an ArrayBuffer when queueing it', async () => {
    const ws = createSocket()
    await tick()
    const bytes = new Uint8Array([1, 2, 3])
    ws.send(bytes.buffer)
    bytes[0] = 99
    FakeWebSocket.latest().open()
    const sent = FakeWebSocket.latest().sent[0] as ArrayBuffer
    expect([...new Uint8Array(sent)]).toEqual([1, 2, 3])
    ws.close()
  })

  it('behaves like native in CLOSING and CLOSED: nothing queued, nothing thrown, nothing dropped', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    const socket = FakeWebSocket.latest()
    socket.open()
    ws.close()
    expect(() => ws.send('closing')).not.toThrow()
    socket.finishClose()
    expect(() => ws.send('closed')).not.toThrow()
    expect(socket.sent).toEqual([])
    expect(log.of('drop')).toEqual([])
  })
})

describe('overflow', () => {
  it("drops the oldest queued message with 'drop-oldest' when maxMessages is reached", async () => {
    const ws = createSocket({ buffer: { maxMessages: 2, overflow: 'drop-oldest' } })
    const log = recordEvents(ws)
    await tick()
    ws.send('a')
    ws.send('b')
    ws.send('c')
    expect(log.of('drop')).toEqual([expect.objectContaining({ data: 'a', reason: 'overflow' })])
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual(['b', 'c'])
    ws.close()
  })

  it("drops the new message with 'drop-newest' when maxMessages is reached", async () => {
    const ws = createSocket({ buffer: { maxMessages: 2, overflow: 'drop-newest' } })
    const log = recordEvents(ws)
    await tick()
    ws.send('a')
    ws.send('b')
    ws.send('c')
    expect(log.of('drop')).toEqual([expect.objectContaining({ data: 'c', reason: 'overflow' })])
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual(['a', 'b'])
    ws.close()
  })

  it("throws an error naming maxMessages and its value with 'error' and leaves the send buffer unchanged", async () => {
    const ws = createSocket({ buffer: { maxMessages: 2, overflow: 'error' } })
    const log = recordEvents(ws)
    await tick()
    ws.send('a')
    ws.send('b')
    let thrown: unknown
    try {
      ws.send('c')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(BufferOverflowError)
    expect(thrown).toMatchObject({ name: 'BufferOverflowError', limit: 'maxMessages', value: 2 })
    expect((thrown as Error).message).toContain('maxMessages (2)')
    expect(log.of('drop')).toEqual([])
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual(['a', 'b'])
    ws.close()
  })

  it("drops the oldest messages with 'drop-oldest' until the new one fits maxBytes", async () => {
    const ws = createSocket({ buffer: { maxBytes: 10, overflow: 'drop-oldest' } })
    const log = recordEvents(ws)
    await tick()
    ws.send('1234')
    ws.send('5678')
    ws.send('90')
    ws.send('abcde')
    expect(log.of('drop').map((event) => [event.data, event.reason])).toEqual([
      ['1234', 'overflow'],
      ['5678', 'overflow'],
    ])
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual(['90', 'abcde'])
    ws.close()
  })

  it("drops the new message with 'drop-newest' when it would exceed maxBytes", async () => {
    const ws = createSocket({ buffer: { maxBytes: 10, overflow: 'drop-newest' } })
    const log = recordEvents(ws)
    await tick()
    ws.send('123456')
    ws.send('7890')
    ws.send('x')
    expect(log.of('drop')).toEqual([expect.objectContaining({ data: 'x', reason: 'overflow' })])
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual(['123456', '7890'])
    ws.close()
  })

  it("throws an error naming maxBytes with 'error', counting UTF-8 bytes", async () => {
    const ws = createSocket({ buffer: { maxBytes: 4, overflow: 'error' } })
    const log = recordEvents(ws)
    await tick()
    ws.send('éé')
    let thrown: unknown
    try {
      ws.send('a')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toMatchObject({ name: 'BufferOverflowError', limit: 'maxBytes' })
    expect((thrown as Error).message).toMatch(/maxBytes/)
    expect(log.of('drop')).toEqual([])
    expect(ws.bufferedAmount).toBe(4)
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual(['éé'])
    ws.close()
  })

  it('counts binary messages by their byte length', async () => {
    const ws = createSocket({ buffer: { maxBytes: 8, overflow: 'error' } })
    await tick()
    ws.send(new ArrayBuffer(4))
    ws.send(new Uint8Array(3))
    expect(ws.bufferedAmount).toBe(7)
    expect(() => ws.send(new Uint16Array(1))).toThrow(/maxBytes/)
    ws.send(new Blob(['x']))
    expect(ws.bufferedAmount).toBe(8)
    ws.close()
  })
})

describe('stopping with messages in the send buffer', () => {
  it("drops every queued message with reason 'closed' before the final close of close()", async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    ws.send('a')
    ws.send('b')
    ws.close()
    await tick()
    expect(log.types()).toEqual(['drop', 'drop', 'error', 'close'])
    expect(log.of('drop').map((event) => [event.data, event.reason])).toEqual([
      ['a', 'closed'],
      ['b', 'closed'],
    ])
    expect(log.of('close')[0]).toMatchObject({ willReconnect: false })
    expect(ws.bufferedAmount).toBe(0)
  })

  it("drops the queue, then errors, then closes when an 'error' policy stops it", async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    // Between the server's close frame and the close event, send() queues (README: drop-in differences).
    FakeWebSocket.latest().serverCloseFrame(1008, 'go away')
    ws.send('queued')
    FakeWebSocket.latest().finishClose()
    await tick()
    expect(log.types()).toEqual(['open', 'drop', 'error', 'close'])
    expect(log.of('drop')[0]).toMatchObject({ data: 'queued', reason: 'closed' })
    expect(log.of('error')[0]!.error).toMatchObject({ name: 'CloseCodeError', code: 1008 })
  })

  it('drops the queue, then errors, then closes when retries run out', async () => {
    const ws = createSocket({ maxRetries: 1 })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().fail()
    ws.send('never sent')
    await vi.advanceTimersByTimeAsync(1000)
    log.length = 0
    FakeWebSocket.latest().fail()
    await tick()
    // The failing attempt's own error event may come first; after it: drops, the CloseCodeError, the final close.
    const stopping = log.filter(
      (entry) => entry.type !== 'error' || (entry.event as ErrorEvent).error instanceof CloseCodeError,
    )
    expect(stopping.map((entry) => entry.type)).toEqual(['drop', 'error', 'close'])
    expect(log.of('error')).toHaveLength(2)
    expect(log.of('drop')[0]).toMatchObject({ data: 'never sent', reason: 'closed' })
    expect(log.of('close')[0]).toMatchObject({ code: 1006, willReconnect: false })
    expect(FakeWebSocket.instances.every((socket) => socket.sent.length === 0)).toBe(true)
  })

  it('a drop listener that reconnects and sends: the message goes out on the new run, not dropped as closed', async () => {
    const ws = createSocket({ maxRetries: 0 })
    const log = recordEvents(ws)
    ws.send('a')
    let once = true
    ws.on('drop', () => {
      if (!once) return
      once = false
      ws.reconnect()
      ws.send('b')
    })
    await tick()
    FakeWebSocket.latest().fail() // stop: 'a' dropped, the listener starts a new run and sends 'b'
    expect(log.of('drop').map((e) => e.data)).toEqual(['a'])
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual(['b'])
  })
})

describe('bufferedAmount', () => {
  it('adds the queued bytes to the native bufferedAmount', async () => {
    const ws = createSocket()
    await tick()
    ws.send('abc')
    ws.send('é')
    expect(ws.bufferedAmount).toBe(5)
    FakeWebSocket.latest().bufferedAmount = 7
    expect(ws.bufferedAmount).toBe(12)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().bufferedAmount = 40
    expect(ws.bufferedAmount).toBe(40)
    ws.close()
  })
})

describe('buffer: false', () => {
  it('throws InvalidStateError while the native socket connects, like native', async () => {
    const ws = createSocket({ buffer: false })
    await tick()
    let thrown: unknown
    try {
      ws.send('x')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(DOMException)
    expect(thrown).toMatchObject({ name: 'InvalidStateError' })
    expect(ws.bufferedAmount).toBe(0)
    FakeWebSocket.latest().open()
    expect(FakeWebSocket.latest().sent).toEqual([])
    ws.close()
  })

  it('throws InvalidStateError during a retry wait', async () => {
    const ws = createSocket({ buffer: false })
    await tick()
    FakeWebSocket.latest().fail()
    expect(ws.readyState).toBe(ws.CONNECTING)
    expect(() => ws.send('x')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    ws.close()
  })

  it('sends straight through once open', async () => {
    const ws = createSocket({ buffer: false })
    await tick()
    FakeWebSocket.latest().open()
    ws.send('now')
    expect(FakeWebSocket.latest().sent).toEqual(['now'])
    ws.close()
  })
})
