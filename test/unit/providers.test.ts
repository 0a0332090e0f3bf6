import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

beforeEach(() => {
  FakeWebSocket.reset()
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('URL providers', () => {
  it('calls a sync provider before every attempt', async () => {
    let token = 0
    const ws = createSocket({}, () => `ws://example.test/socket?token=${++token}`)
    await tick()
    expect(FakeWebSocket.instances.map((socket) => socket.url)).toEqual(['ws://example.test/socket?token=1'])
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1001)
    await vi.advanceTimersByTimeAsync(2000)
    expect(FakeWebSocket.instances.map((socket) => socket.url)).toEqual([
      'ws://example.test/socket?token=1',
      'ws://example.test/socket?token=2',
      'ws://example.test/socket?token=3',
    ])
    ws.close()
  })

  it('awaits an async provider before every attempt', async () => {
    let token = 0
    const ws = createSocket({}, async () => {
      await Promise.resolve()
      return new URL(`wss://example.test/async?token=${++token}`)
    })
    await tick()
    expect(FakeWebSocket.latest().url).toBe('wss://example.test/async?token=1')
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.latest().url).toBe('wss://example.test/async?token=2')
    ws.close()
  })

  it('returns the URL of the current attempt from url', async () => {
    let token = 0
    const ws = createSocket({}, () => `ws://example.test/socket?token=${++token}`)
    await tick()
    expect(ws.url).toBe('ws://example.test/socket?token=1')
    FakeWebSocket.latest().fail()
    expect(ws.url).toBe('ws://example.test/socket?token=1')
    await vi.advanceTimersByTimeAsync(1000)
    expect(ws.url).toBe('ws://example.test/socket?token=2')
    ws.close()
  })

  it('treats a throwing provider as a failed attempt: error, then a 1006 close, then the retry policy', async () => {
    const failure = new Error('no token')
    let calls = 0
    const ws = createSocket({}, () => {
      calls++
      if (calls === 1) throw failure
      return 'ws://example.test/socket'
    })
    const log = recordEvents(ws)
    await tick()
    expect(log.types()).toEqual(['error', 'close', 'reconnecting'])
    expect(log.of('error')[0]!.error).toBe(failure)
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false, willReconnect: true })
    expect(log.map((entry) => entry.readyState)).toEqual([ws.CONNECTING, ws.CONNECTING, ws.CONNECTING])
    expect(FakeWebSocket.instances).toEqual([])
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toBe(2)
    expect(FakeWebSocket.instances).toHaveLength(1)
    ws.close()
  })

  it('treats a rejecting provider as a failed attempt', async () => {
    const failure = new Error('token service down')
    const ws = createSocket({}, () => Promise.reject(failure))
    const log = recordEvents(ws)
    await tick()
    expect(log.types()).toEqual(['error', 'close', 'reconnecting'])
    expect(log.of('error')[0]!.error).toBe(failure)
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false })
    ws.close()
  })

  it('applies the 1006 policy to a provider failure', async () => {
    const ws = createSocket({ policies: { 1006: 'stop' } }, () => Promise.reject(new Error('down')))
    const log = recordEvents(ws)
    await tick()
    expect(log.types()).toEqual(['error', 'close'])
    expect(log.of('close')[0]).toMatchObject({ code: 1006, willReconnect: false })
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('opens no socket for a URL that arrives after close()', async () => {
    let resolveUrl: (url: string) => void = () => {}
    const ws = createSocket({}, () => new Promise<string>((resolve) => (resolveUrl = resolve)))
    const log = recordEvents(ws)
    await tick()
    ws.close()
    await tick()
    resolveUrl('ws://example.test/late')
    await tick()
    expect(FakeWebSocket.instances).toEqual([])
    expect(log.of('close')).toEqual([expect.objectContaining({ code: 1006, willReconnect: false })])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('stops for good when the native constructor rejects the provided URL', async () => {
    let calls = 0
    const ws = createSocket({}, () => {
      calls++
      return 'ftp://example.test/socket'
    })
    const log = recordEvents(ws)
    await tick()
    expect(log.types()).toEqual(['error', 'close'])
    expect(log.of('error')[0]!.error).toMatchObject({ name: 'SyntaxError' })
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false, willReconnect: false })
    expect(ws.readyState).toBe(ws.CLOSED)
    await vi.advanceTimersByTimeAsync(600_000)
    expect(calls).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('throws SyntaxError at construction for a static URL the native socket would reject', () => {
    expect(() => createSocket({}, 'ftp://example.test/socket')).toThrow(
      expect.objectContaining({ name: 'SyntaxError' }),
    )
    expect(() => createSocket({}, 'ws://example.test/#fragment')).toThrow(
      expect.objectContaining({ name: 'SyntaxError' }),
    )
  })
})

describe('protocol providers', () => {
  it('passes static protocols to every attempt', async () => {
    const ws = createSocket({}, 'ws://example.test/socket', ['v2.chat', 'v1.chat'])
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.instances.map((socket) => socket.protocols)).toEqual([
      ['v2.chat', 'v1.chat'],
      ['v2.chat', 'v1.chat'],
    ])
    ws.close()
  })

  it('calls a sync protocols function before every attempt', async () => {
    let version = 0
    const ws = createSocket({}, 'ws://example.test/socket', () => `v${++version}`)
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.instances.map((socket) => socket.protocols)).toEqual(['v1', 'v2'])
    ws.close()
  })

  it('awaits an async protocols function before every attempt', async () => {
    let version = 0
    const ws = createSocket({}, 'ws://example.test/socket', async () => [`v${++version}`, 'fallback'])
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeWebSocket.instances.map((socket) => socket.protocols)).toEqual([
      ['v1', 'fallback'],
      ['v2', 'fallback'],
    ])
    ws.close()
  })

  it('treats a failing protocols function as a failed attempt', async () => {
    const failure = new Error('no protocol')
    const ws = createSocket({}, 'ws://example.test/socket', () => Promise.reject(failure))
    const log = recordEvents(ws)
    await tick()
    expect(log.types()).toEqual(['error', 'close', 'reconnecting'])
    expect(log.of('error')[0]!.error).toBe(failure)
    expect(log.of('close')[0]).toMatchObject({ code: 1006, wasClean: false })
    expect(FakeWebSocket.instances).toEqual([])
    ws.close()
  })

  it('calls the URL and protocols functions once per attempt, both before the native socket', async () => {
    const calls: string[] = []
    const ws = createSocket(
      {},
      () => {
        calls.push('url')
        return 'ws://example.test/socket'
      },
      () => {
        calls.push('protocols')
        return 'chat'
      },
    )
    await tick()
    expect(calls.sort()).toEqual(['protocols', 'url'])
    expect(FakeWebSocket.latest().protocols).toBe('chat')
    ws.close()
  })
})
