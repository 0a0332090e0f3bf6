import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { redactUrl } from '../../src/errors.js'
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

  it('never puts a URL provider’s token into the error it surfaces when the URL is rejected', async () => {
    const ws = createSocket({}, () => 'ws://exa mple.test/live?token=s3cr3t-token')
    const log = recordEvents(ws)
    await tick()
    const [errorEvent] = log.of('error')
    expect(errorEvent.error).toBeInstanceOf(DOMException)
    expect(errorEvent.error.name).toBe('SyntaxError')
    expect(errorEvent.error.message).not.toContain('s3cr3t-token')
    expect(errorEvent.error.message).toContain('ws://exa mple.test/live?…')
    expect(log.types()).toEqual(['error', 'close'])
    expect(ws.readyState).toBe(ws.CLOSED)
  })
})
