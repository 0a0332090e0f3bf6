import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CloseCodeError, HeartbeatTimeoutError } from '../../src/index.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

const heartbeat = { intervalMs: 1000, timeoutMs: 500 }

async function openSocket(options: Parameters<typeof createSocket>[0] = {}) {
  const ws = createSocket({ heartbeat, connectTimeoutMs: 0, ...options })
  const log = recordEvents(ws)
  await tick()
  const socket = FakeWebSocket.latest()
  socket.open()
  return { ws, log, socket }
}

describe('pings', () => {
  it('sends a ping every intervalMs while the server answers', async () => {
    const { ws, socket } = await openSocket()
    await vi.advanceTimersByTimeAsync(999)
    expect(socket.sent).toEqual([])
    for (let round = 1; round <= 3; round++) {
      await vi.advanceTimersByTimeAsync(round === 1 ? 1 : 1000)
      expect(socket.sent).toEqual(Array(round).fill('ping'))
      socket.message('pong')
    }
    ws.close()
  })

  it('sends no ping into a closing handshake the server started (native CLOSING, our close still to come)', async () => {
    const { ws, socket } = await openSocket()
    const send = vi.spyOn(socket, 'send')
    socket.readyState = FakeWebSocket.CLOSING
    await vi.advanceTimersByTimeAsync(1000)
    expect(send).not.toHaveBeenCalled()
    socket.serverClose(1000)
    ws.close()
  })

  it('sends the configured message', async () => {
    const { ws, socket } = await openSocket({ heartbeat: { ...heartbeat, message: '{"type":"ping"}' } })
    await vi.advanceTimersByTimeAsync(1000)
    expect(socket.sent).toEqual(['{"type":"ping"}'])
    ws.close()
  })

  it('sends no ping before the socket is open', async () => {
    const ws = createSocket({ heartbeat, connectTimeoutMs: 0 })
    await vi.advanceTimersByTimeAsync(5000)
    expect(FakeWebSocket.latest().sent).toEqual([])
    expect(FakeWebSocket.latest().readyState).toBe(FakeWebSocket.CONNECTING)
    ws.close()
  })

  it('stops pinging once the socket closed for good', async () => {
    const { ws, socket } = await openSocket()
    ws.close()
    socket.finishClose()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(socket.sent).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('signs of life', () => {
  it('counts any incoming message as a sign of life and still delivers it', async () => {
    const { ws, log, socket } = await openSocket()
    await vi.advanceTimersByTimeAsync(1000)
    socket.message('unrelated update')
    await vi.advanceTimersByTimeAsync(499)
    expect(log.of('message').map((event) => event.data)).toEqual(['unrelated update'])
    expect(log.of('close')).toEqual([])
    expect(socket.closeCalls).toEqual([])
    ws.close()
  })

  it('delivers the pong to the app like any other message', async () => {
    const { ws, log, socket } = await openSocket()
    await vi.advanceTimersByTimeAsync(1000)
    socket.message('pong')
    expect(log.of('message').map((event) => event.data)).toEqual(['pong'])
    ws.close()
  })

  it('keeps a connection alive for as long as it answers', async () => {
    const { ws, log, socket } = await openSocket()
    for (let round = 1; round <= 10; round++) {
      await vi.advanceTimersByTimeAsync(1000)
      expect(socket.sent).toHaveLength(round)
      socket.message('pong')
    }
    expect(log.of('close')).toEqual([])
    expect(ws.readyState).toBe(ws.OPEN)
    ws.close()
  })
})

describe('silence', () => {
  it('abandons the socket at once when nothing arrives within timeoutMs of a ping, reporting 1006', async () => {
    const { ws, log, socket } = await openSocket()
    await vi.advanceTimersByTimeAsync(1000)
    expect(socket.sent).toEqual(['ping'])
    await vi.advanceTimersByTimeAsync(499)
    expect(log.of('close')).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(socket.closeCalls).toHaveLength(1)
    expect(log.types()).toEqual(['open', 'error', 'close', 'reconnecting'])
    expect(log.of('error')[0]!.error).toBeInstanceOf(HeartbeatTimeoutError)
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false, willReconnect: true })
    expect(log.of('reconnecting')[0]).toMatchObject({ attempt: 1, code: 1006 })
    ws.close()
  })

  it('reports the dead connection once and ignores the old socket afterwards', async () => {
    const { ws, log, socket } = await openSocket()
    await vi.advanceTimersByTimeAsync(1500)
    socket.finishClose()
    expect(log.of('close')).toHaveLength(1)
    expect(log.of('reconnecting')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(FakeWebSocket.live()).toEqual([FakeWebSocket.latest()])
    ws.close()
  })

  it('applies the 1006 policy to a dead connection', async () => {
    const { ws, log } = await openSocket({ policies: { 1006: 'error' } })
    await vi.advanceTimersByTimeAsync(1500)
    const closeCodeErrors = log.of('error').filter((event) => event.error instanceof CloseCodeError)
    expect(closeCodeErrors.map((event) => (event.error as CloseCodeError).code)).toEqual([1006])
    expect(log.of('close')).toEqual([expect.objectContaining({ code: 1006, wasClean: false, willReconnect: false })])
    expect(log.of('reconnecting')).toEqual([])
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(vi.getTimerCount()).toBe(0)
  })

  it("stops without retrying when the 1006 policy is 'stop'", async () => {
    const { ws, log } = await openSocket({ policies: { 1006: 'stop' } })
    await vi.advanceTimersByTimeAsync(1500)
    expect(log.of('close')).toEqual([expect.objectContaining({ code: 1006, willReconnect: false })])
    expect(ws.readyState).toBe(ws.CLOSED)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('pings the next connection again after a reconnect', async () => {
    const { ws } = await openSocket()
    await vi.advanceTimersByTimeAsync(1500)
    await vi.advanceTimersByTimeAsync(1000)
    const next = FakeWebSocket.latest()
    next.open()
    await vi.advanceTimersByTimeAsync(1000)
    expect(next.sent).toEqual(['ping'])
    ws.close()
  })
})
