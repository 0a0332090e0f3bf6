/**
 * Runs one scenario against the real `ResilientWebSocket` around the
 * scriptable fake, with fake timers and a stubbed page (window, document, navigator), feeding
 * what happens to the reference model and checking it after every step.
 */
import { vi } from 'vitest'
import {
  type Policies,
  type Policy,
  type PolicyDecision,
  ResilientWebSocket,
  type ResilientWebSocketOptions,
} from '../../src/index.js'
import { FakeWebSocket, FakeWebSocketConstructor } from '../support/fake-websocket.js'
import { mulberry32 } from '../support/random.js'
import { EVENT_TYPES } from '../support/record-events.js'
import { stubPage } from '../support/window-stub.js'
import { Deferred } from './deferred.js'
import { Model, PAYLOAD_PREFIX, POLICY_FAILURE } from './model.js'
import { pickFunctionResult, resolveModelOptions } from './reference.js'
import type { Command, DecisionSpec, ListenerSpec, OptionsSpec, PolicySpec, RandomSpec, Scenario } from './scenario.js'

const STATIC_URL = 'ws://example.test/socket'
const INVALID_URL = 'ftp://example.test/socket'
/** More attempts than this in one scenario and `advance` stops moving the clock. */
const ATTEMPT_BUDGET = 100

export class ScenarioFailure extends Error {
  override name = 'ScenarioFailure'
}

export interface ScenarioResult {
  model: Model
  steps: number
}

function decision(spec: DecisionSpec): PolicyDecision {
  return typeof spec === 'string' ? spec : (structuredClone(spec) as PolicyDecision)
}

function buildPolicies(specs: Array<[string, PolicySpec]>, model: () => Model): Policies {
  const table: Record<string, Policy> = {}
  for (const [key, spec] of specs) {
    if ('value' in spec) {
      table[key] = decision(spec.value)
      continue
    }
    table[key] = (event, context) => {
      model().onPolicyCall({ key, code: event.code, attempt: context.attempt })
      const result = pickFunctionResult(spec.fn, event.code, context.attempt)
      if (result === 'undefined') return undefined
      if (result === 'throw') throw POLICY_FAILURE
      if (result === 'invalid') return { action: 'explode' } as unknown as PolicyDecision
      return decision(result)
    }
  }
  return table as Policies
}

/** A constant draw, or a seeded sequence. */
function randomSource(spec: RandomSpec): () => number {
  return 'constant' in spec ? () => spec.constant : mulberry32(spec.seed)
}

export function buildOptions(spec: OptionsSpec, model: () => Model, random: RandomSpec): ResilientWebSocketOptions {
  const options: ResilientWebSocketOptions = { WebSocket: FakeWebSocketConstructor, random: randomSource(random) }
  if (spec.policies) options.policies = buildPolicies(spec.policies, model)
  if (spec.backoff) options.backoff = { ...spec.backoff }
  if (spec.maxRetries !== undefined) options.maxRetries = spec.maxRetries
  if (spec.stableAfterMs !== undefined) options.stableAfterMs = spec.stableAfterMs
  if (spec.connectTimeoutMs !== undefined) options.connectTimeoutMs = spec.connectTimeoutMs
  if (spec.buffer !== undefined) options.buffer = spec.buffer === false ? false : { ...spec.buffer }
  if (spec.heartbeat !== undefined) options.heartbeat = { ...spec.heartbeat }
  if (spec.reconnectOnOnline !== undefined) options.reconnectOnOnline = spec.reconnectOnOnline
  return options
}

/** Errors that escaped to the process during a test. */
export interface Escapes {
  uncaught: unknown[]
}

/** Records uncaught exceptions and unhandled rejections until released. */
export function trapEscapes(): { escapes: Escapes; release: () => void } {
  const escapes: Escapes = { uncaught: [] }
  const onUncaught = (error: unknown) => escapes.uncaught.push(error)
  process.on('uncaughtException', onUncaught)
  process.on('unhandledRejection', onUncaught)
  return {
    escapes,
    release: () => {
      process.off('uncaughtException', onUncaught)
      process.off('unhandledRejection', onUncaught)
    },
  }
}

/** Runs a scenario; throws a `ScenarioFailure` naming the step and every violation. */
export async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  vi.useRealTimers()
  vi.useFakeTimers()
  FakeWebSocket.reset()
  const start = Date.now()
  const now = () => Date.now() - start
  const page = stubPage()
  const reported: unknown[] = []
  vi.stubGlobal('reportError', (error: unknown) => reported.push(error))

  const resolved = resolveModelOptions(scenario.options)
  const staticUrl = scenario.url === 'static'
  const model = new Model(resolved, staticUrl, now)
  const trace: string[] = []
  let ws: ResilientWebSocket | undefined
  let payloads = 0
  let providerCalls = 0
  let messages = 0
  const deferreds: Array<Deferred<string | URL>> = []
  /** Events the model's own listener saw, per type; what every other listener ran for; what they threw. */
  const seen: Record<string, number> = {}
  const calls = (scenario.listeners ?? []).map(() => 0)
  const thrown: unknown[] = []
  /** Actions waiting for their event; none run inside the app's own close()/reconnect() calls. */
  const armed: Array<Extract<Command, { kind: 'arm' }>> = []
  let inAppCall = false

  function addListener(target: ResilientWebSocket, spec: ListenerSpec, index: number): void {
    const listener = () => {
      calls[index]!++
      if (!spec.throws) return
      const error = new Error(`listener #${index} (${spec.via} ${spec.type}) threw`)
      thrown.push(error)
      throw error
    }
    const loose = target as unknown as {
      on(type: string, listener: () => void): void
      once(type: string, listener: () => void): void
      addEventListener(type: string, listener: EventListenerOrEventListenerObject): void
    } & Record<string, unknown>
    switch (spec.via) {
      case 'on':
        loose.on(spec.type, listener)
        break
      case 'once':
        loose.once(spec.type, listener)
        break
      case 'addEventListener':
        loose.addEventListener(spec.type, listener)
        break
      case 'handleEvent':
        loose.addEventListener(spec.type, { handleEvent: listener })
        break
      case 'onX':
        loose[`on${spec.type}`] = listener
        break
    }
  }

  FakeWebSocket.onCreate = (socket) => model.onSocketCreated(socket)

  const provider = () => {
    const steps = scenario.url === 'static' ? [] : scenario.url
    const step = steps[providerCalls] ?? 'sync'
    providerCalls++
    const url = `${STATIC_URL}?call=${providerCalls}`
    switch (step) {
      case 'sync':
        model.onProviderCall('ok', {})
        return url
      case 'url-object':
        model.onProviderCall('ok', {})
        return new URL(url)
      case 'throw': {
        const failure = new Error(`provider failure ${providerCalls}`)
        model.onProviderCall('throw', { failure })
        throw failure
      }
      case 'invalid':
        model.onProviderCall('invalid', {})
        return INVALID_URL
      case 'async': {
        const deferred = new Deferred<string | URL>()
        deferreds.push(deferred)
        model.onProviderCall('async', { deferred })
        return deferred.promise
      }
    }
  }

  const fail = (message: string): never => {
    throw new ScenarioFailure(`${message}\n  after steps:\n    ${trace.slice(-12).join('\n    ')}`)
  }

  const check = async (label: string) => {
    trace.push(label)
    await vi.advanceTimersByTimeAsync(0)
    // A task queued with setTimeout(0) from inside a fake-timer tick runs 1 ms later
    // (@sinonjs/fake-timers); events still owed may be waiting for that task.
    // Nested app calls can chain such tasks, hence a few.
    for (let extra = 0; extra < 5 && model.owesEvents; extra++) await vi.advanceTimersByTimeAsync(1)
    const violations = model.settle(ws!, vi.getTimerCount(), page.counts())
    if (reported.length !== thrown.length || reported.some((error, index) => error !== thrown[index])) {
      model.violate(
        `reportError got ${reported.map(String).join(', ') || 'nothing'}; the listeners threw ${thrown.map(String).join(', ') || 'nothing'}`,
      )
    }
    for (const [index, spec] of (scenario.listeners ?? []).entries()) {
      const events = seen[spec.type] ?? 0
      const expected = spec.via === 'once' ? Math.min(1, events) : events
      if (calls[index] !== expected) {
        model.violate(
          `listener #${index} ${JSON.stringify(spec)} ran ${calls[index]} times for ${events} ${spec.type} events`,
        )
      }
    }
    if (violations.length > 0) fail(violations.join('\n'))
  }

  try {
    ws = new ResilientWebSocket(
      staticUrl ? STATIC_URL : provider,
      undefined,
      buildOptions(scenario.options, () => model, scenario.random),
    )
    const listenerSpecs = scenario.listeners ?? []
    for (const [index, spec] of listenerSpecs.entries()) if (spec.before) addListener(ws, spec, index)
    for (const type of EVENT_TYPES) {
      ;(ws as unknown as { on(type: string, listener: (event: any) => void): void }).on(type, (event) => {
        seen[type] = (seen[type] ?? 0) + 1
        model.onEvent(type, event, ws!.readyState)
        runArmed(type)
      })
    }
    for (const [index, spec] of listenerSpecs.entries()) if (!spec.before) addListener(ws, spec, index)
    await check('construct')

    for (const [index, command] of scenario.commands.entries()) {
      const label = await execute(command, index)
      if (label !== undefined) await check(label)
    }

    // Drain: end the run, then make sure nothing happens any more.
    armed.length = 0
    if (model.phase !== 'closed') {
      if (model.phase !== 'closing') {
        model.userClose()
        ws.close()
      }
      if (model.phase === 'closing') finishClosing('finishClose')
    }
    await check('drain: close()')
    model.accountForPayloads()
    await vi.advanceTimersByTimeAsync(600_000)
    await check('drain: 10 minutes later')
    if (model.phase !== 'closed') fail(`the run did not end (phase ${model.phase})`)
    return { model, steps: trace.length }
  } finally {
    FakeWebSocket.onCreate = undefined
    vi.unstubAllGlobals()
    vi.useRealTimers()
  }

  function finishClosing(event: 'finishClose' | 'fail' | 'serverClose', code = 4000): void {
    const socket = model.attempt!.socket!
    if (event === 'fail') {
      model.closingSocketClosed(1006, true)
      socket.fail()
    } else if (event === 'serverClose') {
      model.closingSocketClosed(code, false)
      socket.serverClose(code)
    } else {
      model.closingSocketClosed(socket.closeCalls.at(-1)?.code ?? 1005, false)
      socket.finishClose()
    }
  }

  /** The app's send(), checked against what the model says it must do. */
  function send(data: string, nested: boolean): void {
    const expected = model.send(data, nested)
    let thrown: unknown
    try {
      ws!.send(data)
    } catch (error) {
      thrown = error
    }
    if (expected.throws === undefined && thrown !== undefined) {
      model.violate(`send(${data}) threw ${String(thrown)}`)
    } else if (expected.throws === 'InvalidStateError') {
      if (!(thrown instanceof DOMException && thrown.name === 'InvalidStateError')) {
        model.violate(
          `send(${data}) with buffer false while CONNECTING did not throw InvalidStateError: ${String(thrown)}`,
        )
      }
    } else if (expected.throws === 'BufferOverflowError') {
      const error = thrown as { name?: string; limit?: 'maxMessages' | 'maxBytes'; message?: string } | undefined
      if (
        error?.name !== 'BufferOverflowError' ||
        error.limit === undefined ||
        !expected.limits.includes(error.limit)
      ) {
        model.violate(
          `send(${data}) should throw BufferOverflowError naming ${expected.limits}, threw ${String(thrown)}`,
        )
      } else if (!error.message?.includes(error.limit)) {
        model.violate(`BufferOverflowError message does not name ${error.limit}: ${error.message}`)
      }
    }
  }

  /** Runs an armed action from inside the listener of the event it waited for. */
  function runArmed(type: string): void {
    if (inAppCall) return
    const index = armed.findIndex((entry) => entry.on === type)
    if (index === -1) return
    const [{ action }] = armed.splice(index, 1) as [Extract<Command, { kind: 'arm' }>]
    trace.push(`  (inside ${type} listener) ${action}()`)
    inAppCall = true
    if (action === 'send') send(`${PAYLOAD_PREFIX}${++payloads}:nested`, true)
    else if (action === 'close') {
      model.userClose(true)
      ws!.close()
    } else if (model.phase !== 'closing') {
      model.reconnect(undefined, undefined, true)
      ws!.reconnect()
    }
    inAppCall = false
  }

  /** Runs one command if it applies in the current state; returns its label, or undefined when skipped. */
  async function execute(command: Command, index: number): Promise<string | undefined> {
    const socket = model.attempt?.socket
    const label = `#${index} ${JSON.stringify(command)}`
    switch (command.kind) {
      case 'open':
        if (model.phase !== 'connecting' || socket?.readyState !== FakeWebSocket.CONNECTING) return undefined
        model.open()
        socket.open()
        return label
      case 'fail':
        if (model.phase === 'closing') {
          finishClosing('fail')
          return label
        }
        if (socket === undefined || (model.phase !== 'open' && model.phase !== 'connecting')) return undefined
        model.closeAttempt({ code: 1006, wasClean: false, cause: { kind: 'native' } })
        socket.fail()
        return label
      case 'serverClose':
        if (model.phase === 'closing') {
          finishClosing('serverClose', command.code)
          return label
        }
        if (model.phase !== 'open' || socket === undefined) return undefined
        model.closeAttempt({ code: command.code, reason: command.reason, wasClean: true })
        socket.serverClose(command.code, command.reason)
        return label
      case 'finishClose':
        if (model.phase !== 'closing') return undefined
        finishClosing('finishClose')
        return label
      case 'message': {
        if (model.phase !== 'open' || socket === undefined) return undefined
        const data = `s:${++messages}`
        model.message(data)
        socket.message(data)
        return label
      }
      case 'send': {
        const data = `${PAYLOAD_PREFIX}${++payloads}:${(command.multibyte ? 'é' : 'x').repeat(command.size)}`
        send(data, false)
        return `${label} -> ${data}`
      }
      case 'arm':
        armed.push(command)
        return label
      case 'close': {
        const wasOpen = model.phase === 'open'
        const expectedState = model.userClose()
        inAppCall = true
        if (command.code === undefined) ws!.close()
        else ws!.close(command.code, command.reason)
        inAppCall = false
        if (ws!.readyState !== expectedState)
          model.violate(`readyState ${ws!.readyState} right after close(), expected ${expectedState}`)
        if (wasOpen && command.code !== undefined) {
          const call = socket?.closeCalls.at(-1)
          if (call?.code !== command.code)
            model.violate(`native close() called with ${JSON.stringify(call)}, expected code ${command.code}`)
        }
        return label
      }
      case 'reconnect': {
        if (model.phase === 'closing') return undefined
        const wasLive = socket !== undefined && socket.readyState <= FakeWebSocket.OPEN
        model.reconnect(command.code, command.code === undefined ? undefined : command.reason)
        inAppCall = true
        if (command.code === undefined) ws!.reconnect()
        else ws!.reconnect(command.code, command.reason)
        inAppCall = false
        if (wasLive && socket.closeCalls.at(-1)?.code !== (command.code ?? 1000)) {
          model.violate(`reconnect() closed the native socket with ${JSON.stringify(socket.closeCalls.at(-1))}`)
        }
        return label
      }
      case 'advance': {
        // In chunks, stopping once the scenario has made ATTEMPT_BUDGET attempts: a
        // backoff of 0 ms is legal, but a minute of it is 60,000 attempts.
        let left = command.ms
        do {
          const chunk = Math.min(left, 1000)
          await vi.advanceTimersByTimeAsync(chunk)
          left -= chunk
        } while (left > 0 && FakeWebSocket.instances.length + providerCalls < ATTEMPT_BUDGET)
        return `${label}${left > 0 ? ` (stopped ${left} ms early: attempt budget spent)` : ''}`
      }
      case 'network': {
        const online = model.offline
        model.network(online)
        if (online) page.window.goOnline()
        else page.window.goOffline()
        return `${label} -> ${online ? 'online' : 'offline'}`
      }
      case 'settleProvider': {
        const open = deferreds.filter((deferred) => !deferred.settled)
        const deferred = open[command.pick % Math.max(1, open.length)]
        if (deferred === undefined) return undefined
        const failure = new Error(`provider rejection ${index}`)
        model.onProviderSettled(deferred, command.outcome, failure)
        if (command.outcome === 'ok') deferred.resolve(`${STATIC_URL}?settled=${index}`)
        else if (command.outcome === 'invalid') deferred.resolve(INVALID_URL)
        else deferred.reject(failure)
        return label
      }
      case 'late': {
        const left = model.abandoned.filter((candidate) => candidate.readyState !== FakeWebSocket.CLOSED)
        const target = left[command.pick % Math.max(1, left.length)]
        if (target === undefined) return undefined
        // What a browser can still report for an abandoned socket: a close frame only if it was established.
        if (command.event === 'fail') target.fail()
        else if (command.event === 'serverClose' && target.established) target.serverClose(1001)
        else if (target.readyState === FakeWebSocket.CLOSING) target.finishClose()
        else target.fail()
        return label
      }
    }
  }
}
