/**
 * The `logger` option: one entry per decision with a stable event name, URLs
 * redacted, nothing written when it is off, and a logger that throws does not
 * break the socket.
 */
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  consoleLogger,
  LOG_EVENTS,
  type LogEntry,
  type LogEvent,
  type ResilientWebSocket,
  type ResilientWebSocketOptions,
} from '../../src/index.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, TEST_URL, tick } from '../support/harness.js'
import { type PageStub, stubPage } from '../support/window-stub.js'

/** Every event name any test below saw, to check that each documented one is reachable. */
const seen = new Set<string>()

function capture(options: ResilientWebSocketOptions = {}, url: Parameters<typeof createSocket>[1] = TEST_URL) {
  const entries: LogEntry[] = []
  const ws = createSocket(
    {
      ...options,
      logger: (entry) => {
        seen.add(entry.event)
        entries.push(entry)
      },
    },
    url,
  )
  const events = () => entries.map((entry) => entry.event)
  const last = (event: string) => entries.filter((entry) => entry.event === event).at(-1)
  return { ws, entries, events, last }
}

let page: PageStub

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
  page = stubPage()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('off by default', () => {
  it('writes nothing to the console through a whole run of retries, drops and a final error', async () => {
    const spies = (['log', 'debug', 'info', 'warn', 'error'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation(() => {}),
    )
    const ws = createSocket({ buffer: { maxMessages: 1 } })
    ws.send('a')
    ws.send('b')
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1008)
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
    expect(ws.readyState).toBe(ws.CLOSED)
  })

  it('rejects a logger that is not a function, naming the option', () => {
    expect(() => createSocket({ logger: 'debug' as never })).toThrow(
      new TypeError('options.logger must be a function, got "debug"'),
    )
    expect(() => createSocket({ logger: {} as never })).toThrow(/options\.logger must be a function, got an object/)
  })
})

describe('one entry per decision', () => {
  it('a drop, its built-in policy, the backoff delay, the next attempt and the open', async () => {
    const { ws, entries, events } = capture()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    expect(events()).toEqual([
      'connect.attempt',
      'connect.open',
      'close.received',
      'policy.decided',
      'retry.scheduled',
      'connect.attempt',
      'connect.open',
    ])
    expect(entries[0]).toEqual({
      level: 'info',
      event: 'connect.attempt',
      message: 'connect.attempt attempt=0 url=ws://example.test/socket',
      data: { attempt: 0, url: 'ws://example.test/socket' },
    })
    expect(entries[2]?.data).toEqual({ code: 1006, reason: '', wasClean: false, failed: true })
    expect(entries[3]?.data).toEqual({ code: 1006, action: 'retry', rule: 'built-in' })
    expect(entries[4]?.data).toEqual({
      attempt: 1,
      delayMs: 1000,
      source: 'backoff',
      serverDictated: false,
      offline: false,
    })
    expect(entries[5]?.data).toMatchObject({ attempt: 1 })
    ws.close()
  })

  it('names the rule that decided: your code, your range, the built-in row, your default, the built-in default', async () => {
    const { ws, last } = capture({ policies: { 4001: 'stop', '4000-4099': 'retry', default: 'retry' } })
    const decideFor = async (code: number) => {
      if (ws.readyState === ws.CLOSED) ws.reconnect()
      await vi.advanceTimersByTimeAsync(60_000)
      FakeWebSocket.latest().open()
      FakeWebSocket.latest().serverClose(code)
      return last('policy.decided')?.data
    }
    expect(await decideFor(4001)).toEqual({ code: 4001, action: 'stop', rule: 'user-code' })
    expect(await decideFor(4050)).toEqual({ code: 4050, action: 'retry', rule: 'user-range' })
    expect(await decideFor(1008)).toEqual({ code: 1008, action: 'error', rule: 'built-in' })
    expect(await decideFor(4500)).toEqual({ code: 4500, action: 'retry', rule: 'user-default' })
    ws.close()

    const plain = capture()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4500)
    expect(plain.last('policy.decided')?.data).toEqual({ code: 4500, action: 'retry', rule: 'built-in-default' })
    plain.ws.close()
  })

  it('a policy function that throws, and a fixed delay from a policy', async () => {
    const bug = new Error('policy bug')
    const { ws, last, events } = capture({
      policies: {
        4001: () => {
          throw bug
        },
        4002: { action: 'retry', delayMs: 7000 },
      },
    })
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4001)
    expect(last('policy.failed')).toMatchObject({ level: 'warn', data: { code: 4001, error: bug } })
    expect(last('policy.failed')?.message).toBe('policy.failed code=4001 error=Error: policy bug')
    expect(last('policy.decided')?.data).toEqual({ code: 4001, action: 'retry', rule: 'built-in-default' })
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(4002)
    expect(last('retry.scheduled')?.data).toMatchObject({ delayMs: 7000, source: 'policy', serverDictated: true })
    expect(events()).toContain('retry.scheduled')
    ws.close()
  })

  it('retries running out, then the stop with the CloseCodeError', async () => {
    const { ws, last, events } = capture({ maxRetries: 1 })
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().fail()
    expect(events().slice(-3)).toEqual(['policy.decided', 'retry.exhausted', 'socket.stopped'])
    expect(last('retry.exhausted')?.data).toEqual({ code: 1006, maxRetries: 1 })
    const stopped = last('socket.stopped')
    expect(stopped?.level).toBe('error')
    expect(stopped?.data?.code).toBe(1006)
    expect(stopped?.data?.error).toMatchObject({ name: 'CloseCodeError', retriesExhausted: true })
    expect(ws.readyState).toBe(ws.CLOSED)
  })

  it('close() and reconnect() by the application, and the quiet stop after close()', async () => {
    const { ws, events, last } = capture()
    FakeWebSocket.latest().open()
    ws.reconnect(4000, 'switch')
    expect(last('app.reconnect')?.data).toEqual({ code: 4000 })
    FakeWebSocket.latest().open()
    ws.close(1000)
    FakeWebSocket.latest().finishClose()
    expect(events().slice(-3)).toEqual(['app.close', 'close.received', 'socket.stopped'])
    expect(last('socket.stopped')).toMatchObject({ level: 'info', data: { code: 1000, error: undefined } })
    expect(last('socket.stopped')?.message).toBe('socket.stopped code=1000')
  })

  it('the connect timeout and the heartbeat timeout', async () => {
    const { ws, last } = capture({ connectTimeoutMs: 3000, heartbeat: { intervalMs: 1000, timeoutMs: 500 } })
    await vi.advanceTimersByTimeAsync(3000)
    expect(last('connect.timeout')).toMatchObject({ level: 'warn', data: { timeoutMs: 3000 } })
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    await vi.advanceTimersByTimeAsync(1500)
    expect(last('heartbeat.timeout')).toMatchObject({ level: 'warn', data: { timeoutMs: 500 } })
    expect(last('close.received')).toBeUndefined() // abandoned attempts are not closes the server sent
    ws.close()
  })

  it('the retry counter reset once the connection is stable', async () => {
    const { ws, last } = capture({ stableAfterMs: 2000 })
    FakeWebSocket.latest().open()
    await vi.advanceTimersByTimeAsync(1999)
    expect(last('retry.reset')).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(last('retry.reset')).toEqual({ level: 'debug', event: 'retry.reset', message: 'retry.reset' })
    ws.close()
  })

  it('queue overflow: each dropped message, the refused send(), and the drops when the socket stops', async () => {
    const { ws, entries } = capture({ buffer: { maxMessages: 1 } })
    ws.send('one')
    ws.send('two')
    ws.close()
    await tick()
    const dropped = entries.filter((entry) => entry.event === 'queue.dropped').map((entry) => entry.data)
    expect(dropped).toEqual([
      { reason: 'overflow', bytes: 3 },
      { reason: 'closed', bytes: 3 },
    ])

    const strict = capture({ buffer: { maxMessages: 1, overflow: 'error' } })
    strict.ws.send('one')
    expect(() => strict.ws.send('two')).toThrow(/maxMessages/)
    expect(strict.last('queue.overflow')).toMatchObject({ level: 'warn', data: { limit: 'maxMessages' } })
    strict.ws.close()
  })

  it('page lifecycle: waiting for online, the shortcuts that cut a wait, the back/forward cache', async () => {
    const { ws, last, events } = capture()
    FakeWebSocket.latest().open()
    page.window.goOffline()
    FakeWebSocket.latest().fail()
    expect(last('retry.scheduled')?.data).toMatchObject({ offline: true })
    await vi.advanceTimersByTimeAsync(1000)
    expect(last('retry.waiting-online')?.data).toEqual({ attempt: 1 })
    page.window.goOnline()
    expect(last('retry.now')?.data).toEqual({ trigger: 'online' })

    FakeWebSocket.latest().open()
    page.window.pageHide(true)
    expect(events().at(-1)).toBe('page.suspended')
    page.window.pageShow(true)
    expect(last('retry.now')?.data).toEqual({ trigger: 'pageshow' })

    FakeWebSocket.latest().fail()
    page.document.becomeHidden()
    page.document.becomeVisible()
    expect(last('retry.now')?.data).toEqual({ trigger: 'visible' })
    ws.close()
  })

  it('a URL provider that fails, and a constructor that rejects the URL a provider returned', async () => {
    const broken = capture({}, () => {
      throw new Error('token service down')
    })
    await tick()
    expect(broken.last('connect.provider-failed')).toMatchObject({
      level: 'error',
      message: 'connect.provider-failed error=Error: token service down',
    })
    broken.ws.close()

    const invalid = capture({}, () => 'ftp://example.test/')
    await tick()
    expect(invalid.events()).toEqual(['connect.attempt', 'connect.constructor-failed', 'socket.stopped'])
    expect(invalid.last('connect.constructor-failed')?.level).toBe('error')
  })
})

describe('secrets', () => {
  const SECRET_URL = 'wss://u:secret@host/path?token=secret#frag'

  /** Every string a test can read out of what the socket produced. */
  function texts(entries: LogEntry[], events: ReturnType<typeof recordEvents>): string[] {
    const out: string[] = []
    for (const entry of entries) {
      out.push(entry.message, JSON.stringify(entry))
      for (const value of Object.values(entry.data ?? {})) out.push(String(value))
    }
    for (const { event: recorded } of events) {
      const event = recorded as Partial<{ reason: string; message: string; error: unknown }>
      out.push(JSON.stringify(event), String(event.reason ?? ''), String(event.message ?? ''))
      if (event.error !== undefined) out.push(String(event.error), JSON.stringify(event.error))
    }
    return out
  }

  it('a provider returning credentials, a token and a fragment: `secret` is in no entry, error or event', async () => {
    // The fake, like older browsers, rejects the fragment: the constructor path.
    const { ws, entries, last } = capture({}, () => SECRET_URL)
    const events = recordEvents(ws)
    await tick()
    expect(last('connect.attempt')?.data?.url).toBe('wss://host/path?…')
    expect(events.of('error')).toHaveLength(1)
    expect(texts(entries, events).filter((text) => text.includes('secret'))).toEqual([])

    // Without the fragment the socket connects, fails, retries and stops with an error.
    const { ws: second, entries: more } = capture({ maxRetries: 1 }, () => SECRET_URL.replace('#frag', ''))
    const moreEvents = recordEvents(second)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1008, 'bad token')
    expect(more.map((entry) => entry.event)).toContain('socket.stopped')
    expect(moreEvents.of('error').length).toBeGreaterThan(0)
    expect(texts(more, moreEvents).filter((text) => text.includes('secret'))).toEqual([])
  })
})

describe('a logger that throws', () => {
  it('is reported like a throwing listener, and the socket goes on: opens, retries, stops', async () => {
    const reportError = vi.fn()
    vi.stubGlobal('reportError', reportError)
    const bug = new Error('logger bug')
    const ws = createSocket({
      maxRetries: 1,
      logger: () => {
        throw bug
      },
    })
    const events = recordEvents(ws)
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000)
    FakeWebSocket.latest().fail()
    expect(events.types()).toEqual(['open', 'error', 'close', 'reconnecting', 'error', 'error', 'close'])
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(reportError.mock.calls.length).toBeGreaterThan(5)
    expect(reportError.mock.calls.every(([error]) => error === bug)).toBe(true)
  })
})

describe('consoleLogger', () => {
  it('writes entries at its level and above with the console method of the entry’s level', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {})
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const log = consoleLogger()
    log({ level: 'debug', event: 'retry.reset', message: 'retry.reset' })
    log({ level: 'info', event: 'connect.open', message: 'connect.open attempt=0', data: { attempt: 0 } })
    log({ level: 'warn', event: 'connect.timeout', message: 'connect.timeout timeoutMs=1' })
    expect(debug).not.toHaveBeenCalled()
    expect(info).toHaveBeenCalledWith('[resilient-websocket] connect.open attempt=0', { attempt: 0 })
    expect(warn).toHaveBeenCalledWith('[resilient-websocket] connect.timeout timeoutMs=1')

    consoleLogger('debug')({ level: 'debug', event: 'retry.reset', message: 'retry.reset' })
    expect(debug).toHaveBeenCalledTimes(1)
  })

  it('rejects an unknown level', () => {
    expect(() => consoleLogger('verbose' as never)).toThrow(TypeError)
  })
})

describe('the event names are one list', () => {
  it('the README’s Debugging table lists exactly LOG_EVENTS, in order', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const start = readme.indexOf('\n## Debugging')
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
    const names = [...section.matchAll(/^\| `([a-z.-]+)` \|/gm)].map((match) => match[1])
    expect(names).toEqual([...LOG_EVENTS])
  })

  // Runs last in this file: a documented name that no scenario above produced is a stale row or an untested path.
  it('every name in LOG_EVENTS was produced by one of the scenarios above', () => {
    expect([...LOG_EVENTS].filter((event) => !seen.has(event))).toEqual([])
  })
})

/** A logger that does `act` the first time it writes `event`. */
function onceAt(event: LogEvent, act: () => void): (entry: LogEntry) => void {
  let done = false
  return (entry) => {
    if (!done && entry.event === event) {
      done = true
      act()
    }
  }
}

describe('a logger that calls close() is obeyed, whatever entry it is writing', () => {
  it('connect.timeout: the socket stops, no retry (eb59600 stopped here)', async () => {
    let ws!: ResilientWebSocket
    ws = createSocket({ connectTimeoutMs: 1000, logger: onceAt('connect.timeout', () => ws.close()) })
    const log = recordEvents(ws)
    await vi.advanceTimersByTimeAsync(1000)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(log.of('close').map((e) => e.willReconnect)).toEqual([false])
  })

  it('heartbeat.timeout: the socket stops, no retry (eb59600 stopped here)', async () => {
    let ws!: ResilientWebSocket
    ws = createSocket({
      heartbeat: { intervalMs: 1000, timeoutMs: 500 },
      logger: onceAt('heartbeat.timeout', () => ws.close()),
    })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    await vi.advanceTimersByTimeAsync(1500)
    FakeWebSocket.finishAllClosing()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(log.of('close').map((e) => e.willReconnect)).toEqual([false])
  })

  it('retry.scheduled: no timer survives the stop, the closed socket never reconnects', async () => {
    let ws!: ResilientWebSocket
    ws = createSocket({ logger: onceAt('retry.scheduled', () => ws.close()) })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1001)
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(log.of('close').map((e) => e.willReconnect)).toEqual([false])
  })

  it('retry.exhausted: one final close, not two', async () => {
    let ws!: ResilientWebSocket
    ws = createSocket({ maxRetries: 0, logger: onceAt('retry.exhausted', () => ws.close()) })
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1001)
    expect(log.of('close').map((e) => e.willReconnect)).toEqual([false])
  })

  it('connect.provider-failed: the socket stops, no retry', async () => {
    let ws!: ResilientWebSocket
    ws = createSocket({ logger: onceAt('connect.provider-failed', () => ws.close()) }, () =>
      Promise.reject(new Error('no token')),
    )
    const log = recordEvents(ws)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(log.of('close').map((e) => e.willReconnect)).toEqual([false])
  })

  it('retry.now (online): the socket stops, no new attempt', async () => {
    let ws!: ResilientWebSocket
    ws = createSocket({ logger: onceAt('retry.now', () => ws.close()) })
    await tick()
    page.window.goOffline()
    FakeWebSocket.latest().fail()
    page.window.goOnline()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('page.suspended: the socket stops, pageshow does not reconnect it', async () => {
    let ws!: ResilientWebSocket
    ws = createSocket({ logger: onceAt('page.suspended', () => ws.close()) })
    await tick()
    FakeWebSocket.latest().open()
    page.window.pageHide(true)
    FakeWebSocket.finishAllClosing()
    page.window.pageShow(true)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('connect.attempt: no native socket is left CONNECTING after the stop', async () => {
    let ws!: ResilientWebSocket
    let count = 0
    ws = createSocket({
      logger: (entry) => {
        if (entry.event === 'connect.attempt' && ++count === 2) ws.close()
      },
    })
    await tick()
    FakeWebSocket.latest().fail() // retry scheduled
    await vi.advanceTimersByTimeAsync(60_000) // the retry's connect.attempt entry closes
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(FakeWebSocket.live()).toEqual([])
  })
})

describe('a logger that calls reconnect() never makes two sockets or leaks page listeners', () => {
  it('connect.attempt: one live native socket', async () => {
    let ws!: ResilientWebSocket
    let count = 0
    ws = createSocket({
      logger: (entry) => {
        if (entry.event === 'connect.attempt' && ++count === 2) ws.reconnect()
      },
    })
    await tick()
    FakeWebSocket.latest().fail()
    await vi.advanceTimersByTimeAsync(1000) // the retry: its connect.attempt entry reconnects
    expect(FakeWebSocket.live()).toHaveLength(1)
    ws.close()
    FakeWebSocket.finishAllClosing()
    expect(FakeWebSocket.live()).toEqual([])
  })

  it('socket.stopped: the new run keeps its page listeners, and none outlive the final stop', async () => {
    let ws!: ResilientWebSocket
    ws = createSocket({ logger: onceAt('socket.stopped', () => ws.reconnect()) })
    await tick()
    const before = page.window.total()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(1000) // stop: the logger starts a new run
    expect(ws.readyState).toBe(ws.CONNECTING)
    expect(page.window.total()).toBe(before) // the new run listens to the page, exactly once
    ws.close()
    await vi.advanceTimersByTimeAsync(0)
    expect(page.window.total() + page.document.total()).toBe(0)
  })
})
