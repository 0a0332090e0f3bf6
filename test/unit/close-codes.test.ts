import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CLOSE_CODES, CloseCodeError, describeCloseCode } from '../../src/index.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

type Action = 'stop' | 'retry' | 'error'

/** The default-policy table of the contract, row by row. */
const TABLE: Array<[code: number, name: string, action: Action]> = [
  [1000, 'Normal Closure', 'stop'],
  [1001, 'Going Away', 'retry'],
  [1002, 'Protocol Error', 'error'],
  [1003, 'Unsupported Data', 'error'],
  [1005, 'No Status Received', 'retry'],
  [1006, 'Abnormal Closure', 'retry'],
  [1007, 'Invalid Frame Payload Data', 'error'],
  [1008, 'Policy Violation', 'error'],
  [1009, 'Message Too Big', 'error'],
  [1010, 'Mandatory Extension', 'error'],
  [1011, 'Internal Error', 'retry'],
  [1012, 'Service Restart', 'retry'],
  [1013, 'Try Again Later', 'retry'],
  [1014, 'Bad Gateway', 'retry'],
  [1015, 'TLS Handshake', 'error'],
  [3000, 'Unauthorized', 'error'],
  [3003, 'Forbidden', 'error'],
  [3008, 'Timeout', 'retry'],
]

/** Codes no row names: the built-in default applies (retry). */
const UNNAMED_CODES = [1004, 1016, 2999, 3001, 3999, 4000, 4001, 4999]

function actionOf(policy: unknown): unknown {
  return typeof policy === 'object' && policy !== null ? (policy as { action: unknown }).action : policy
}

describe('CLOSE_CODES', () => {
  it.each(TABLE)('registers %i as %s with default policy %s', (code, name, action) => {
    const entry = (CLOSE_CODES as Record<number, { name: string; meaning: string; policy: unknown }>)[code]
    expect(entry).toBeDefined()
    expect(entry!.name.toLowerCase()).toContain(name.toLowerCase())
    expect(entry!.meaning).toEqual(expect.any(String))
    expect(entry!.meaning.length).toBeGreaterThan(0)
    expect(actionOf(entry!.policy)).toBe(action)
  })

  it('gives 1013 its own backoff of 5000 ms initial and 60000 ms maximum', () => {
    const policy = (CLOSE_CODES as Record<number, { policy: unknown }>)[1013]!.policy
    expect(policy).toMatchObject({ action: 'retry', backoff: { initialDelayMs: 5000, maxDelayMs: 60_000 } })
  })
})

describe('describeCloseCode', () => {
  it.each(TABLE)('describes registered code %i from the registry', (code, name) => {
    const entry = (CLOSE_CODES as Record<number, object>)[code]
    const description = describeCloseCode(code)
    expect(description).toMatchObject({ ...entry, code, registered: true })
    expect(description.name.toLowerCase()).toContain(name.toLowerCase())
  })

  it('describes an unregistered 3000–3999 code as a library/framework code that is retried', () => {
    const description = describeCloseCode(3500)
    expect(description).toMatchObject({ code: 3500, registered: false })
    expect(actionOf(description.policy)).toBe('retry')
    expect(`${description.name} ${description.meaning}`).toMatch(/librar|framework|IANA|register/i)
  })

  it('describes a 4000–4999 code as a private application code that is retried', () => {
    const description = describeCloseCode(4500)
    expect(description).toMatchObject({ code: 4500, registered: false })
    expect(actionOf(description.policy)).toBe('retry')
    expect(`${description.name} ${description.meaning}`).toMatch(/private|application/i)
  })

  it('describes the two application ranges differently', () => {
    expect(describeCloseCode(3500).meaning).not.toBe(describeCloseCode(4500).meaning)
  })

  it.each([-1, 999, 5000, 65_535, 1000.5, Number.NaN])('describes %s as an invalid close code', (code) => {
    const description = describeCloseCode(code)
    expect(description.registered).toBe(false)
    expect(`${description.name} ${description.meaning}`).toMatch(/invalid|not a valid|not used|out of range/i)
  })

  it('does not describe an unregistered code with a registered entry', () => {
    expect(describeCloseCode(4500).name).not.toBe(describeCloseCode(1000).name)
    expect(describeCloseCode(3500).name).not.toBe(describeCloseCode(3000).name)
  })
})

describe('default policy behaviour', () => {
  beforeEach(() => {
    FakeWebSocket.reset()
    vi.useFakeTimers()
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  /** Opens a socket, lets the server close it with `code`, and returns what the app saw. */
  async function closeWith(code: number) {
    const ws = createSocket()
    const log = recordEvents(ws)
    await tick()
    FakeWebSocket.latest().open()
    FakeWebSocket.latest().serverClose(code, `server said ${code}`)
    await tick()
    return { ws, log }
  }

  const rows = (action: Action) => TABLE.filter((row) => row[2] === action).map(([code, name]) => [code, name] as const)

  it.each(rows('stop'))('stops on %i (%s) without an error', async (code) => {
    const { ws, log } = await closeWith(code)
    expect(log.types()).toEqual(['open', 'close'])
    expect(log.of('close')[0]).toMatchObject({ code, wasClean: true, willReconnect: false })
    expect(ws.readyState).toBe(ws.CLOSED)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it.each(rows('retry'))('retries on %i (%s)', async (code) => {
    const { ws, log } = await closeWith(code)
    expect(log.types()).toEqual(['open', 'close', 'reconnecting'])
    expect(log.of('close')[0]).toMatchObject({ code, reason: `server said ${code}`, willReconnect: true })
    expect(log.of('reconnecting')[0]).toMatchObject({ attempt: 1, code, reason: `server said ${code}` })
    expect(ws.readyState).toBe(ws.CONNECTING)
    await vi.advanceTimersByTimeAsync(log.of('reconnecting')[0].delayMs)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it.each(rows('error'))('surfaces a CloseCodeError and stops on %i (%s)', async (code) => {
    const { ws, log } = await closeWith(code)
    expect(log.types()).toEqual(['open', 'error', 'close'])
    const error = log.of('error')[0].error
    expect(error).toBeInstanceOf(CloseCodeError)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name: 'CloseCodeError', code, reason: `server said ${code}` })
    expect(log.of('close')[0]).toMatchObject({ code, willReconnect: false })
    expect(ws.readyState).toBe(ws.CLOSED)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it.each(UNNAMED_CODES)('retries on %i, which no row names', async (code) => {
    const { ws, log } = await closeWith(code)
    expect(log.types()).toEqual(['open', 'close', 'reconnecting'])
    expect(log.of('reconnecting')[0]).toMatchObject({ attempt: 1, code })
    ws.close()
  })

  it('waits 5000 ms before retrying after 1013 although the default backoff starts at 1000 ms', async () => {
    const { ws, log } = await closeWith(1013)
    expect(log.of('reconnecting')[0]).toMatchObject({ delayMs: 5000 })
    await vi.advanceTimersByTimeAsync(4999)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })
})
