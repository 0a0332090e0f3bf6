/**
 * Shrunk counterexamples from the property tests, replayed as fixed cases.
 * Each names what the contract expects and what the library did when found.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ResilientWebSocket } from '../../src/index.js'
import { FakeWebSocket, FakeWebSocketConstructor } from '../support/fake-websocket.js'
import { runScenario } from './runner.js'
import type { Scenario } from './scenario.js'

describe('model-based counterexamples', () => {
  // Contract: the lookup is your exact code, your ranges, the built-in exact code, the built-in
  // range, your `default`, the built-in default. The contract's table has no row for 1004, so
  // your `default` decides it. Found: the library has a 1004 row ('retry') that beats your
  // `default`: close 1004 → reconnecting, instead of the final close `default: 'stop'` asks for.
  it('lets your default decide 1004, which has no row in the default-policy table', async () => {
    const scenario: Scenario = {
      options: { policies: [['default', { fn: ['stop'] }]] },
      url: 'static',
      random: { seed: 0 },
      commands: [{ kind: 'open' }, { kind: 'serverClose', code: 1004, reason: '' }],
    }
    await runScenario(scenario)
  })

  // Same root cause, seen through maxRetries: your default `{ action: 'retry', maxRetries: 3 }`
  // should retry 1004 despite `maxRetries: 0`; the library's 1004 row applied the global 0 and stopped.
  it("applies your default's own maxRetries to 1004", async () => {
    const scenario: Scenario = {
      options: { policies: [['default', { value: { action: 'retry', maxRetries: 3 } }]], maxRetries: 0 },
      url: [],
      random: { constant: 0 },
      commands: [{ kind: 'open' }, { kind: 'serverClose', code: 1004, reason: '' }],
    }
    await runScenario(scenario)
  })
})

describe('bad-input counterexamples', () => {
  beforeEach(() => {
    FakeWebSocket.reset()
    vi.useFakeTimers()
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  // WebIDL converts send()'s argument before the method body runs, so send(Symbol()) is a
  // TypeError in every state, CONNECTING included. Found: with buffer: false, the wrapper checks
  // its state first and throws InvalidStateError, while CONNECTING and during a retry wait.
  // (With the buffer, and once a native socket is involved, the conversion already throws.)
  it('throws TypeError for send(Symbol()) while CONNECTING with buffer: false, like native', async () => {
    const ws = new ResilientWebSocket('ws://example.test/', undefined, {
      WebSocket: FakeWebSocketConstructor,
      buffer: false,
    })
    ws.on('error', () => {})
    await vi.advanceTimersByTimeAsync(0)
    expect(() => ws.send(Symbol('data') as unknown as string), 'attempt in flight').toThrow(TypeError)
    FakeWebSocket.latest().fail()
    expect(ws.readyState).toBe(ws.CONNECTING)
    expect(() => ws.send(Symbol('data') as unknown as string), 'retry wait').toThrow(TypeError)
    ws.close()
  })
})
