import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CLOSE_CODES, CloseCodeError, describeCloseCode } from '../../src/index.js'
import { CONTRACT_CLOSE_CODES, type ContractAction, contractRow } from '../support/contract.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

/** The contract's default-policy table, row by row. */
const TABLE = CONTRACT_CLOSE_CODES.map((row) => [row.code, row.name, row.action] as const)

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

  it.each(CONTRACT_CLOSE_CODES.filter((row) => row.backoff))('gives $code its own backoff', ({ code, backoff }) => {
    const policy = (CLOSE_CODES as Record<number, { policy: unknown }>)[code]!.policy
    expect(policy).toEqual({ action: 'retry', backoff })
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

  const rows = (action: ContractAction) =>
    TABLE.filter((row) => row[2] === action).map(([code, name]) => [code, name] as const)

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
    await vi.advanceTimersByTimeAsync(log.of('reconnecting')[0]!.delayMs)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })

  it.each(rows('error'))('surfaces a CloseCodeError and stops on %i (%s)', async (code) => {
    const { ws, log } = await closeWith(code)
    expect(log.types()).toEqual(['open', 'error', 'close'])
    const error = log.of('error')[0]!.error
    expect(error).toBeInstanceOf(CloseCodeError)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name: 'CloseCodeError', code, reason: `server said ${code}` })
    expect(log.of('close')[0]).toMatchObject({ code, willReconnect: false })
    expect(ws.readyState).toBe(ws.CLOSED)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('has no row for the codes the tests use as unnamed', () => {
    expect(UNNAMED_CODES.filter((code) => contractRow(code) !== undefined)).toEqual([])
  })

  it.each(UNNAMED_CODES)('retries on %i, which no row names', async (code) => {
    const { ws, log } = await closeWith(code)
    expect(log.types()).toEqual(['open', 'close', 'reconnecting'])
    expect(log.of('reconnecting')[0]).toMatchObject({ attempt: 1, code })
    ws.close()
  })

  it('waits 1013’s own initial delay before retrying although the configured backoff starts at 1000 ms', async () => {
    const initialDelayMs = contractRow(1013)!.backoff!.initialDelayMs
    const { ws, log } = await closeWith(1013)
    expect(log.of('reconnecting')[0]).toMatchObject({ delayMs: initialDelayMs })
    await vi.advanceTimersByTimeAsync(initialDelayMs - 1)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(FakeWebSocket.instances).toHaveLength(2)
    ws.close()
  })
})
