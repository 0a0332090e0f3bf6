import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { redactError, redactUrl } from '../../src/errors.js'
import { FakeWebSocket } from '../support/fake-websocket.js'
import { createSocket, recordEvents, tick } from '../support/harness.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('secrets in URLs', () => {
  it('cuts credentials and the query string out of a URL meant for messages', () => {
    expect(redactUrl('wss://user:secret@example.test/live?token=abc123#frag')).toBe('wss://example.test/live?…')
    expect(redactUrl('wss://example.test/live')).toBe('wss://example.test/live')
  })

  it('cuts them from every spelling the URL parser accepts, and from URLs it rejects', () => {
    const spellings = [
      'ws://example.test/s?token=SECRET\nx',
      'ws://example.test/s?tok\ten=SECRET',
      'ws://user:p@SECRET@example.test/s',
      'ws:\\\\user:SECRET@example.test/s',
      'ws:user:SECRET@example.test/s',
      'ws://example.test/s#SECRET',
      'ws://exa mple.test/s?token=SECRET\u2028x',
      'ws://u:SECRET@exa mple.test/s',
    ]
    for (const url of spellings) expect(redactUrl(url), url).not.toContain('SECRET')
    expect(redactUrl('ws://user:p@SECRET@example.test/s')).toBe('ws://example.test/s')
    expect(redactUrl('ws://example.test/s#SECRET')).toBe('ws://example.test/s#…')
  })

  it('never puts a URL provider’s token into the error it surfaces when the URL is rejected', async () => {
    const ws = createSocket({}, () => 'ws://exa mple.test/live?token=s3cr3t-token')
    const log = recordEvents(ws)
    await tick()
    const error = log.of('error')[0]!.error as DOMException
    expect(error).toBeInstanceOf(DOMException)
    expect(error.name).toBe('SyntaxError')
    expect(error.message).not.toContain('s3cr3t-token')
    expect(error.message).toContain('ws://exa mple.test/live?…')
    expect(log.types()).toEqual(['error', 'close'])
    expect(ws.readyState).toBe(ws.CLOSED)
  })

  it('redacts the URL out of what the wrapped implementation says about a failure', async () => {
    const url = 'ws://user:pw@example.test/live?token=s3cr3t-token'
    const ws = createSocket({ maxRetries: 0 }, url)
    const log = recordEvents(ws)
    const said = `connect failed for ${FakeWebSocket.latest().url}`
    FakeWebSocket.latest().fail({ message: said, error: Object.assign(new Error(said), { code: 'EFAKE' }) })
    const errorEvent = log.of('error')[0]!
    const error = errorEvent.error as Error
    expect(errorEvent.message).toBe('connect failed for ws://example.test/live?…')
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toBe(errorEvent.message)
    expect(JSON.stringify([errorEvent.message, error.message, String(error.cause)])).not.toContain('s3cr3t')
  })

  it('forwards a browser-style error event, which says nothing, as error undefined and message empty', async () => {
    const ws = createSocket({ maxRetries: 0 })
    const log = recordEvents(ws)
    FakeWebSocket.latest().fail()
    const errorEvent = log.of('error')[0]!
    expect(errorEvent.error).toBeUndefined()
    expect(errorEvent.message).toBe('')
  })
})

describe('a redacted error', () => {
  it('keeps the stack (redacted) and the original cause, never the original error that names the token', () => {
    const url = 'wss://user:pw@example.test/live?token=secret#frag'
    const cause = new Error('DNS said no')
    const original = new SyntaxError(`Failed to construct 'WebSocket': The URL '${url}' is invalid.`, { cause })
    const copy = redactError(original, url) as Error
    expect(copy).not.toBe(original)
    expect(copy).toBeInstanceOf(SyntaxError)
    expect(copy.message).not.toMatch(/secret|pw|frag/)
    expect(copy.stack).toBeDefined()
    expect(copy.stack).not.toMatch(/secret|pw|frag/)
    expect(copy.stack).toContain('example.test/live?…')
    expect(copy.cause).toBe(cause)
  })
})
