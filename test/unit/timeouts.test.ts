import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ConnectTimeoutError } from '../../src/index.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('connectTimeoutMs', () => {
  it('abandons an attempt that is not open in time and handles it like a 1006 close', async () => {
    const ws = createSocket({ connectTimeoutMs: 3000 })
    const log = recordEvents(ws)
    await tick()
    const hung = FakeWebSocket.latest()
    await vi.advanceTimersByTimeAsync(2999)
    expect(log.types()).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(hung.closeCalls).toHaveLength(1)
    expect(log.types()).toEqual(['error', 'close', 'reconnecting'])
    expect(log.of('error')[0]!.error).toBeInstanceOf(ConnectTimeoutError)
    expect(log.of('error')[0]!.error).toMatchObject({ name: 'ConnectTimeoutError', timeoutMs: 3000 })
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false, willReconnect: true })
    expect(log.of('reconnecting')[0]).toMatchObject({ attempt: 1, code: 1006, delayMs: 1000 })
    expect(FakeWebSocket.live()).toEqual([])
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it('reports the abandoned attempt once and ignores its late events', async () => {
    const ws = createSocket({ connectTimeoutMs: 3000 })
    const log = recordEvents(ws)
    await tick()
    const hung = FakeWebSocket.latest()
    await vi.advanceTimersByTimeAsync(3000)
    hung.fail()
    expect(log.of('close')).toHaveLength(1)
    expect(log.of('error')).toHaveLength(1)
    expect(ws.readyState).toBe(ws.CONNECTING)
    ws.close()
  })

  it('applies the 1006 policy to a timed-out attempt', async () => {
    const ws = createSocket({ connectTimeoutMs: 3000, policies: { 1006: 'stop' } })
    const log = recordEvents(ws)
    await tick()
    await vi.advanceTimersByTimeAsync(3000)
    expect(log.of('close')).toEqual([expect.objectContaining({ code: 1006, willReconnect: false })])
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('cancels the timeout once the socket opens', async () => {
    const ws = createSocket({ connectTimeoutMs: 3000 })
    const log = recordEvents(ws)
    await tick()
    await vi.advanceTimersByTimeAsync(2999)
    FakeWebSocket.latest().open()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log.types()).toEqual(['open'])
    expect(FakeWebSocket.latest().closeCalls).toEqual([])
    ws.close()
  })

  it('times every retry attempt on its own', async () => {
    const ws = createSocket({ connectTimeoutMs: 3000 })
    const log = recordEvents(ws)
    await tick()
    await vi.advanceTimersByTimeAsync(3000 + 1000)
    expect(FakeWebSocket.instances).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(2999)
    expect(log.of('close')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(log.of('close')).toHaveLength(2)
    expect(log.of('reconnecting').map((event) => event.attempt)).toEqual([1, 2])
    ws.close()
  })

  it('covers the time an async URL provider takes', async () => {
    let calls = 0
    const ws = createSocket({ connectTimeoutMs: 3000 }, () => {
      calls++
      return new Promise<string>(() => {})
    })
    const log = recordEvents(ws)
    await tick()
    await vi.advanceTimersByTimeAsync(2999)
    expect(log.types()).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(log.types()).toEqual(['error', 'close', 'reconnecting'])
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false })
    expect(FakeWebSocket.instances).toEqual([])
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toBe(2)
    ws.close()
  })

  it('counts the provider time and the handshake time together', async () => {
    const ws = createSocket(
      { connectTimeoutMs: 3000 },
      () => new Promise<string>((resolve) => setTimeout(() => resolve('ws://example.test/slow'), 2000)),
    )
    const log = recordEvents(ws)
    await vi.advanceTimersByTimeAsync(2000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(999)
    expect(log.types()).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(log.of('close')).toEqual([expect.objectContaining({ code: 1006, wasClean: false })])
    expect(FakeWebSocket.instances[0]!.closeCalls).toHaveLength(1)
    ws.close()
  })

  it('ignores a URL the provider delivers after the timeout', async () => {
    let resolveUrl: (url: string) => void = () => {}
    const ws = createSocket({ connectTimeoutMs: 3000 }, () => new Promise<string>((resolve) => (resolveUrl = resolve)))
    await tick()
    await vi.advanceTimersByTimeAsync(3000)
    resolveUrl('ws://example.test/too-late')
    await tick()
    expect(FakeWebSocket.instances).toEqual([])
    ws.close()
  })

  it('uses 10000 ms by default', async () => {
    const ws = createSocket()
    const log = recordEvents(ws)
    await vi.advanceTimersByTimeAsync(9999)
    expect(log.types()).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(log.of('close')).toEqual([expect.objectContaining({ code: 1006, willReconnect: true })])
    ws.close()
  })

  it('waits forever with connectTimeoutMs 0', async () => {
    const ws = createSocket({ connectTimeoutMs: 0 })
    const log = recordEvents(ws)
    await tick()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(600_000)
    expect(log.types()).toEqual([])
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(ws.readyState).toBe(ws.CONNECTING)
    FakeWebSocket.latest().open()
    expect(ws.readyState).toBe(ws.OPEN)
    ws.close()
  })
})
