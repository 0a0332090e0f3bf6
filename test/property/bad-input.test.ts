/**
 * Bad input, fuzzed: invalid options are rejected at construction with an
 * error naming the field; send(), close() and reconnect() treat their
 * arguments like the native WebSocket (WebIDL conversions, DOMException
 * names); nothing escapes from an event path or a timer; a throwing listener
 * is reported and changes nothing else.
 */
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ResilientWebSocket, type ResilientWebSocketOptions } from '../../src/index.js'
import { FakeWebSocket, FakeWebSocketConstructor } from '../support/fake-websocket.js'
import { utf8Bytes } from '../support/utf8.js'
import { type PageStub, stubPage } from '../support/window-stub.js'
import type { Model } from './model.js'
import { buildOptions, type Escapes, runScenario, trapEscapes } from './runner.js'
import { optionsSpec, scenarioWithListeners } from './scenario.js'

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300)
/** Room for long local runs (`PROPERTY_RUNS=20000`), and for shrinking. */
const TIMEOUT = Math.max(30_000, RUNS * 30)
vi.setConfig({ testTimeout: TIMEOUT })
const URL_OK = 'ws://example.test/socket'
/** A fixed jitter draw: a retry wait never ends inside a 0 ms tick by chance. */
const HALF = () => 0.5

let page: PageStub
let reported: unknown[]
let trap: { escapes: Escapes; release: () => void }

/** A clean slate for one generated case: no sockets, no timers, a new window, nothing reported. */
function fresh(): void {
  FakeWebSocket.reset()
  vi.clearAllTimers()
  vi.unstubAllGlobals()
  page = stubPage()
  reported = []
  vi.stubGlobal('reportError', (error: unknown) => reported.push(error))
}

beforeEach(() => {
  vi.useFakeTimers()
  fresh()
  trap = trapEscapes()
})

afterEach(() => {
  trap.release()
  vi.unstubAllGlobals()
  vi.useRealTimers()
  expect(trap.escapes.uncaught).toEqual([])
})

const noModel = () => undefined as unknown as Model

/** A random valid option set, as the model tests build them. */
const validOptions = fc
  .tuple(optionsSpec, fc.integer())
  .map(([spec, seed]) => buildOptions(spec, noModel, { seed }) as Record<string, unknown>)

// ---- options -------------------------------------------------------------------------------------

// `null` is left out: the library takes it as "use the default" for some fields and rejects it for others (reported).
const notANumber = fc.constantFrom<unknown>('100', '', true, {}, [], [5], () => 5, Symbol('n'), 10n)
const negative = fc.oneof(
  fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
  fc.integer({ max: -1 }),
  fc.constant(Number.NEGATIVE_INFINITY),
)
const badNumber = fc.oneof(negative, fc.constant(Number.NaN), notANumber)
const notAnObject = fc.constantFrom<unknown>(42, 'yes', true, Symbol('o'), [], () => ({}))

/** One invalid field: where it goes, its value, and what the error message must name. */
interface Injection {
  path: string[]
  value: unknown
  names: string
}

const at = (path: string[], values: fc.Arbitrary<unknown>, names = path.at(-1)!): fc.Arbitrary<Injection> =>
  values.map((value) => ({ path, value, names }))

const badPolicyKeys = fc.constantFrom(
  'sometimes',
  '4000-',
  '-1',
  '1.5',
  '5000',
  '65535',
  '4000-5000',
  '4099-4000',
  ' 4000',
  '0x10',
  '1e3',
  'Default',
)
const badPolicyValues = fc.constantFrom<unknown>(
  'explode',
  'Retry',
  42,
  true,
  [],
  { action: 'later' },
  { action: 'retry', maxRetries: -1 },
  { action: 'retry', maxRetries: Number.NaN },
  { action: 'retry', backoff: { factor: 0 } },
  { action: 'retry', backoff: { jitter: 'sometimes' } },
  { action: 'retry', backoff: { initialDelayMs: -5 } },
  { action: 'retry', backoff: 'fast' },
)

const injection: fc.Arbitrary<Injection> = fc.oneof(
  at(['backoff', 'initialDelayMs'], badNumber),
  at(['backoff', 'maxDelayMs'], badNumber),
  at(['backoff', 'factor'], fc.oneof(fc.double({ min: -10, max: 0.999_999, noNaN: true }), badNumber)),
  at(
    ['backoff', 'jitter'],
    fc.oneof(
      fc.string().filter((s) => !['full', 'equal', 'decorrelated', 'none'].includes(s)),
      notANumber,
    ),
  ),
  at(['backoff'], notAnObject),
  at(['maxRetries'], badNumber),
  at(['stableAfterMs'], badNumber),
  at(['connectTimeoutMs'], badNumber),
  at(['buffer', 'maxMessages'], badNumber),
  at(['buffer', 'maxBytes'], badNumber),
  at(['buffer', 'overflow'], fc.oneof(fc.constantFrom<unknown>('drop-random', 'DROP-OLDEST', '', 1), notANumber)),
  at(['buffer'], fc.constantFrom<unknown>(true, 42, 'big', Symbol('b'))),
  at(['heartbeat', 'intervalMs'], fc.oneof(badNumber, fc.constant(undefined))),
  at(['heartbeat', 'timeoutMs'], fc.oneof(badNumber, fc.constant(undefined))),
  at(['heartbeat', 'message'], fc.constantFrom<unknown>(42, {}, true, [1])),
  at(['heartbeat'], fc.constantFrom<unknown>(true, 42, 'on')),
  at(['reconnectOnOnline'], fc.constantFrom<unknown>('yes', 1, {})),
  at(['random'], fc.constantFrom<unknown>(42, 'x', {})),
  at(['WebSocket'], fc.constantFrom<unknown>(42, 'ws', {})),
  at(['policies'], fc.constantFrom<unknown>(42, 'stop', true)),
  badPolicyKeys.map((key) => ({ path: ['policies', key], value: 'stop', names: key })),
  fc
    .tuple(fc.constantFrom('4001', '1006', '4000-4099', 'default'), badPolicyValues)
    .map(([key, value]) => ({ path: ['policies', key], value, names: key })),
  fc.constantFrom('maxRetry', 'backof', 'timeout', 'url').map((key) => ({ path: [key], value: 1, names: key })),
)

/** Sets `value` at `path` in a copy of `options`, making room for it (buffer false → {}, heartbeat → a valid one). */
function inject(options: Record<string, unknown>, { path, value }: Injection): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...options }
  const [head, leaf] = path as [string, string | undefined]
  if (leaf === undefined) {
    copy[head] = value
    return copy
  }
  const base =
    head === 'heartbeat'
      ? { intervalMs: 1000, timeoutMs: 500, ...(options.heartbeat as object | undefined) }
      : typeof options[head] === 'object' && options[head] !== null
        ? options[head]
        : {}
  const inner: Record<string, unknown> = { ...(base as object) }
  if (value === undefined) delete inner[leaf]
  else inner[leaf] = value
  copy[head] = inner
  return copy
}

/** Constructs; a socket that did construct is closed and run to its end, so each call starts clean. */
function constructionError(options: unknown): unknown {
  fresh()
  try {
    new ResilientWebSocket(URL_OK, undefined, options as ResilientWebSocketOptions).close()
  } catch (error) {
    return error
  }
  vi.runOnlyPendingTimers()
  return undefined
}

describe('invalid options', () => {
  it('throw a TypeError or RangeError naming the field, and leave nothing behind', () => {
    fc.assert(
      fc.property(validOptions, injection, (options, bad) => {
        const error = constructionError(inject(options, bad))
        const label = `${bad.path.join('.')} = ${typeof bad.value === 'symbol' ? 'a Symbol' : String(bad.value)}`
        expect(error, `no error for ${label}`).toBeDefined()
        expect(error instanceof TypeError || error instanceof RangeError, `${label}: ${String(error)}`).toBe(true)
        expect((error as Error).message, label).toContain(bad.names)
        expect(FakeWebSocket.instances).toHaveLength(0)
        expect(vi.getTimerCount()).toBe(0)
        expect(page.counts()).toEqual({})
        expect(reported).toEqual([])
      }),
      { numRuns: RUNS * 3 },
    )
  })

  it('rejects two policy ranges of equal width that overlap, naming them', () => {
    fc.assert(
      fc.property(
        validOptions,
        fc.integer({ min: 0, max: 4000 }),
        fc.integer({ min: 1, max: 998 }),
        (options, from, shift) => {
          const width = 999
          const a = `${from}-${from + width}`
          const b = `${from + shift}-${from + shift + width}`
          const error = constructionError({ ...options, policies: { [a]: 'stop', [b]: 'retry' } })
          expect(error).toBeInstanceOf(RangeError)
          expect((error as Error).message).toMatch(new RegExp(`${a}|${b}`))
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('rejects options that are not an object', () => {
    for (const options of [42, 'fast', true, Symbol('s'), [], () => ({})]) {
      const error = constructionError(options)
      expect(error instanceof TypeError, String(options.toString())).toBe(true)
      expect((error as Error).message).toContain('options')
    }
  })

  it('accepts every valid option set without touching the network until it connects', () => {
    fc.assert(
      fc.property(validOptions, (options) => {
        fresh()
        const ws = new ResilientWebSocket(URL_OK, undefined, { ...options, WebSocket: FakeWebSocketConstructor })
        expect(ws.readyState).toBe(ws.CONNECTING)
        ws.close()
      }),
      { numRuns: RUNS },
    )
  })
})

// ---- URL and protocols -----------------------------------------------------------------------------

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

const urlParts = fc.record({
  scheme: fc.constantFrom('ws', 'wss', 'http', 'https', 'WS', 'Https', 'ftp', 'file', 'javascript', 'data', 'mailto'),
  host: fc.constantFrom('example.test', 'localhost:8080', '127.0.0.1', '[::1]', 'exa mple.test', '', 'ex%41mple.test'),
  path: fc.constantFrom('', '/', '/socket', '/a b', '/ü'),
  query: fc.constantFrom('', '?', '?token=abc', '?a=1&b=2'),
  fragment: fc.constantFrom(undefined, '', 'frag'),
})

/** The WebSockets standard's constructor steps 2–7, on Node's WHATWG URL parser. */
function urlVerdict(url: string): 'ok' | 'SyntaxError' {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'SyntaxError'
  }
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol)) return 'SyntaxError'
  if (url.includes('#')) return 'SyntaxError'
  return 'ok'
}

describe('invalid URLs and protocols', () => {
  it('throw SyntaxError for exactly the URLs the native constructor rejects', () => {
    fc.assert(
      fc.property(urlParts, ({ scheme, host, path, query, fragment }) => {
        const url = `${scheme}://${host}${path}${query}${fragment === undefined ? '' : `#${fragment}`}`
        const verdict = urlVerdict(url)
        fresh()
        let error: unknown
        let ws: ResilientWebSocket | undefined
        try {
          ws = new ResilientWebSocket(url, undefined, { WebSocket: FakeWebSocketConstructor })
        } catch (caught) {
          error = caught
        }
        if (verdict === 'ok') {
          expect(error, `${url} was rejected: ${String(error)}`).toBeUndefined()
          ws!.close()
        } else {
          expect(error, `${url} was accepted`).toBeInstanceOf(DOMException)
          expect((error as DOMException).name).toBe('SyntaxError')
          expect(vi.getTimerCount()).toBe(0)
          expect(page.counts()).toEqual({})
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('throw SyntaxError for invalid or duplicate subprotocols, like native', () => {
    const protocol = fc.oneof(
      fc.constantFrom('chat', 'v1.json', 'graphql-ws', 'a', 'CHAT'),
      fc.constantFrom('', 'two words', 'a,b', 'é', 'x"y', 'semi;colon', '(p)', 'tab\t'),
    )
    fc.assert(
      fc.property(fc.oneof(protocol, fc.array(protocol, { maxLength: 4 })), (protocols) => {
        const list = typeof protocols === 'string' ? [protocols] : protocols
        const valid = list.every((p) => TOKEN.test(p)) && new Set(list).size === list.length
        fresh()
        let error: unknown
        try {
          new ResilientWebSocket(URL_OK, protocols, { WebSocket: FakeWebSocketConstructor }).close()
        } catch (caught) {
          error = caught
        }
        if (valid) expect(error, `${JSON.stringify(protocols)} was rejected`).toBeUndefined()
        else {
          expect(error, `${JSON.stringify(protocols)} was accepted`).toBeInstanceOf(DOMException)
          expect((error as DOMException).name).toBe('SyntaxError')
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('throws TypeError without a URL', () => {
    expect(() => new (ResilientWebSocket as unknown as new () => unknown)()).toThrow(TypeError)
  })
})

// ---- send() --------------------------------------------------------------------------------------

type SendInput =
  | { kind: 'string'; text: string }
  | { kind: 'arraybuffer'; bytes: number[] }
  | { kind: 'view'; view: 'Uint8Array' | 'Int16Array' | 'Float64Array' | 'DataView' | 'subarray'; bytes: number[] }
  | { kind: 'blob'; text: string }
  | { kind: 'other'; value: unknown }
  | { kind: 'symbol' }

const sendInput: fc.Arbitrary<SendInput> = fc.oneof(
  fc.record({ kind: fc.constant('string' as const), text: fc.string({ unit: 'binary', maxLength: 20 }) }),
  fc.record({ kind: fc.constant('arraybuffer' as const), bytes: fc.array(fc.nat(255), { maxLength: 16 }) }),
  fc.record({
    kind: fc.constant('view' as const),
    view: fc.constantFrom('Uint8Array', 'Int16Array', 'Float64Array', 'DataView', 'subarray'),
    bytes: fc.array(fc.nat(255), { maxLength: 4 }).map((b) => [...b, ...b, ...b, ...b, ...b, ...b, ...b, ...b]),
  }),
  fc.record({ kind: fc.constant('blob' as const), text: fc.string({ maxLength: 10 }) }),
  fc.record({
    kind: fc.constant('other' as const),
    value: fc.oneof(
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constantFrom(null, undefined, {}, [1, 'a'], { toString: () => 'custom' }),
    ),
  }),
  fc.constant({ kind: 'symbol' as const }),
)

/** The value to pass, the bytes native would send, and a check of what reached the native socket. */
function materialize(input: SendInput): { value: unknown; bytes: number; source?: Uint8Array } {
  switch (input.kind) {
    case 'string':
      return { value: input.text, bytes: utf8Bytes(input.text) }
    case 'arraybuffer': {
      const source = Uint8Array.from(input.bytes)
      return { value: source.buffer, bytes: source.byteLength, source }
    }
    case 'view': {
      const backing = new Uint8Array(input.bytes.length + 8)
      backing.set(input.bytes, 8)
      const source = new Uint8Array(backing.buffer, 8, input.bytes.length)
      const n = input.bytes.length
      const value =
        input.view === 'Uint8Array'
          ? new Uint8Array(backing.buffer, 8, n)
          : input.view === 'Int16Array'
            ? new Int16Array(backing.buffer, 8, n / 2)
            : input.view === 'Float64Array'
              ? new Float64Array(backing.buffer, 8, n / 8)
              : input.view === 'DataView'
                ? new DataView(backing.buffer, 8, n)
                : backing.subarray(8)
      return { value, bytes: n, source }
    }
    case 'blob': {
      const blob = new Blob([input.text])
      return { value: blob, bytes: blob.size }
    }
    case 'other':
      return { value: input.value, bytes: utf8Bytes(String(input.value)) }
    case 'symbol':
      return { value: Symbol('data'), bytes: 0 }
  }
}

function bytesOf(data: unknown): number[] | undefined {
  if (data instanceof ArrayBuffer) return [...new Uint8Array(data)]
  if (ArrayBuffer.isView(data)) return [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]
  return undefined
}

function expectDelivered(input: SendInput, original: unknown, sent: unknown): void {
  switch (input.kind) {
    case 'string':
      expect(sent).toBe(input.text)
      break
    case 'arraybuffer':
      expect(sent).toBeInstanceOf(ArrayBuffer)
      expect(bytesOf(sent)).toEqual(input.bytes)
      break
    case 'view':
      expect(ArrayBuffer.isView(sent)).toBe(true)
      expect(bytesOf(sent)).toEqual(input.bytes)
      break
    case 'blob':
      expect(sent).toBeInstanceOf(Blob)
      expect((sent as Blob).size).toBe((original as Blob).size)
      break
    case 'other':
      // Native converts to a string (WebIDL USVString); the wrapper may do it first.
      expect(sent === original || sent === String(original)).toBe(true)
      break
    case 'symbol':
      throw new Error('a symbol cannot be sent')
  }
}

describe('send()', () => {
  it('queues any value while CONNECTING as native would send it, copied, in order; a Symbol or no argument throws TypeError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sendInput, { maxLength: 12 }), fc.boolean(), async (inputs, openFirst) => {
        fresh()
        const ws = new ResilientWebSocket(URL_OK, undefined, { WebSocket: FakeWebSocketConstructor, random: HALF })
        const drops: unknown[] = []
        ws.on('drop', (event) => drops.push(event.data))
        await vi.advanceTimersByTimeAsync(0)
        const socket = FakeWebSocket.latest()
        if (openFirst) socket.open()
        const accepted: Array<{ input: SendInput; value: unknown }> = []
        let queuedBytes = 0
        for (const input of inputs) {
          const { value, bytes, source } = materialize(input)
          let error: unknown
          try {
            ws.send(value as string)
          } catch (caught) {
            error = caught
          }
          if (input.kind === 'symbol') {
            // Open: handed to native, whose own conversion throws; the fake records it instead.
            if (!openFirst) expect(error).toBeInstanceOf(TypeError)
            continue
          }
          expect(error).toBeUndefined()
          accepted.push({ input, value })
          if (!openFirst) {
            queuedBytes += bytes
            // The queue holds a copy: changing the caller's buffer now must not change what is sent.
            source?.fill(0xaa)
          }
          expect(ws.bufferedAmount).toBe(queuedBytes)
        }
        expect(() => (ws as unknown as { send(): void }).send()).toThrow(TypeError)
        if (!openFirst) socket.open()
        const sent = socket.sent.filter((data) => typeof data !== 'symbol')
        expect(sent).toHaveLength(accepted.length)
        for (const [index, { input, value }] of accepted.entries()) expectDelivered(input, value, sent[index])
        expect(drops).toEqual([])
        expect(ws.bufferedAmount).toBe(0)
        ws.close()
        socket.finishClose()
        await vi.advanceTimersByTimeAsync(0)
        expect(vi.getTimerCount()).toBe(0)
      }),
      { numRuns: RUNS },
    )
  })

  it('throws InvalidStateError while CONNECTING with buffer: false; in CLOSING and CLOSED discards like native (a Symbol still throws TypeError)', async () => {
    await fc.assert(
      fc.asyncProperty(
        sendInput,
        fc.constantFrom('connecting', 'waiting', 'closing', 'closed'),
        fc.boolean(),
        async (input, state, buffered) => {
          if (buffered && (state === 'connecting' || state === 'waiting')) return
          fresh()
          const ws = new ResilientWebSocket(URL_OK, undefined, {
            WebSocket: FakeWebSocketConstructor,
            random: HALF,
            ...(buffered ? {} : { buffer: false }),
          })
          const drops: unknown[] = []
          ws.on('error', () => {})
          ws.on('drop', (event) => drops.push(event.data))
          await vi.advanceTimersByTimeAsync(0)
          if (state === 'waiting') FakeWebSocket.latest().fail()
          if (state === 'closing' || state === 'closed') {
            FakeWebSocket.latest().open()
            ws.close()
            if (state === 'closed') FakeWebSocket.latest().finishClose()
          }
          const { value } = materialize(input)
          let error: unknown
          try {
            ws.send(value as string)
          } catch (caught) {
            error = caught
          }
          const label = `send(${input.kind}) in ${state}, buffer ${buffered}`
          if (state === 'connecting' || state === 'waiting') {
            // WebIDL converts the argument before the method runs: a Symbol is a TypeError first.
            expect(error, label).toBeInstanceOf(input.kind === 'symbol' ? TypeError : DOMException)
            if (input.kind !== 'symbol') expect((error as DOMException).name, label).toBe('InvalidStateError')
          } else if (input.kind === 'symbol') expect(error, label).toBeInstanceOf(TypeError)
          else expect(error, label).toBeUndefined()
          expect(FakeWebSocket.instances.flatMap((socket) => socket.sent)).toEqual([])
          expect(drops).toEqual([])
          ws.close()
          await vi.advanceTimersByTimeAsync(0)
        },
      ),
      { numRuns: RUNS },
    )
  })
})

// ---- close() and reconnect() ---------------------------------------------------------------------

/** WebIDL `[Clamp] unsigned short`: NaN → 0, clamp to [0, 65535], round half to even. */
function clampUnsignedShort(value: number): number {
  if (Number.isNaN(value)) return 0
  const x = Math.min(Math.max(value, 0), 65_535)
  const floor = Math.floor(x)
  const fraction = x - floor
  if (fraction > 0.5) return floor + 1
  if (fraction < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

/** What native `close(code, reason)` throws, per the standard's steps. */
function closeVerdict(args: unknown[]): 'ok' | 'TypeError' | 'InvalidAccessError' | 'SyntaxError' {
  const [code, reason] = args
  let number: number | undefined
  let text: string | undefined
  try {
    if (args.length > 0 && code !== undefined) number = clampUnsignedShort(Number(code))
    if (args.length > 1 && reason !== undefined) text = String(reason)
  } catch {
    return 'TypeError'
  }
  if (number !== undefined && number !== 1000 && !(number >= 3000 && number <= 4999)) return 'InvalidAccessError'
  if (text !== undefined && utf8Bytes(text) > 123) return 'SyntaxError'
  return 'ok'
}

const closeCode = fc.oneof(
  fc.constantFrom(1000, 3000, 4999, 999, 1001, 1005, 1006, 1015, 2999, 5000, 0, -1, 65_535, 65_536, 66_536),
  fc.integer({ min: -100, max: 70_000 }),
  fc.constantFrom(999.5, 1000.4, 2999.5, 3000.5, 4999.5, 4999.4, Number.NaN, Number.POSITIVE_INFINITY, -0),
  fc.constantFrom<unknown>('1000', '4000', 'abc', null, true, {}, [3000], undefined, Symbol('c')),
)
const closeReason = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 130 }),
  fc.nat({ max: 5 }).map((extra) => 'x'.repeat(120 + extra)),
  fc.nat({ max: 3 }).map((extra) => 'é'.repeat(60 + extra)),
  fc.nat({ max: 3 }).map((extra) => '\uD800'.repeat(40 + extra)),
  fc.constantFrom<unknown>(undefined, null, 42, Symbol('r')),
)
const closeArgs = fc.oneof(
  fc.constant([] as unknown[]),
  closeCode.map((code) => [code]),
  fc.tuple(closeCode, closeReason).map((pair) => [...pair] as unknown[]),
)

describe('close() and reconnect() arguments', () => {
  for (const method of ['close', 'reconnect'] as const) {
    it(`${method}() throws exactly what native close() would, and changes nothing when it throws`, async () => {
      await fc.assert(
        fc.asyncProperty(closeArgs, fc.constantFrom('connecting', 'open', 'waiting', 'closed'), async (args, state) => {
          fresh()
          const ws = new ResilientWebSocket(URL_OK, undefined, {
            WebSocket: FakeWebSocketConstructor,
            random: HALF,
          })
          const events: string[] = []
          for (const type of ['open', 'error', 'close', 'reconnecting', 'drop'] as const)
            ws.on(type, () => events.push(type))
          await vi.advanceTimersByTimeAsync(0)
          if (state === 'open') FakeWebSocket.latest().open()
          if (state === 'waiting') FakeWebSocket.latest().fail()
          if (state === 'closed') {
            ws.close()
            await vi.advanceTimersByTimeAsync(0)
          }
          const before = { readyState: ws.readyState, sockets: FakeWebSocket.instances.length, events: events.length }
          const verdict = closeVerdict(args)
          let error: unknown
          try {
            ;(ws[method] as (...rest: unknown[]) => void)(...args)
          } catch (caught) {
            error = caught
          }
          const label = `${method}(${args.map((arg) => (typeof arg === 'symbol' ? 'Symbol' : JSON.stringify(arg))).join(', ')}) in ${state}`
          if (verdict === 'ok') expect(error, label).toBeUndefined()
          else {
            expect(error, label).toBeDefined()
            expect((error as Error).name, label).toBe(verdict)
            if (verdict !== 'TypeError') expect(error, label).toBeInstanceOf(DOMException)
            await vi.advanceTimersByTimeAsync(0)
            expect(
              { readyState: ws.readyState, sockets: FakeWebSocket.instances.length, events: events.length },
              label,
            ).toEqual(before)
          }
          ws.close()
          FakeWebSocket.finishAllClosing()
          await vi.advanceTimersByTimeAsync(0)
          expect(vi.getTimerCount(), label).toBe(0)
        }),
        { numRuns: RUNS * 2 },
      )
    })
  }
})

// ---- throwing listeners ----------------------------------------------------------------------------

describe('throwing listeners', () => {
  it('are reported through reportError, and every other listener and the reconnection logic carry on', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioWithListeners, async (generated) => {
        await runScenario(generated)
      }),
      { numRuns: RUNS },
    )
  })

  it('are rethrown asynchronously where reportError does not exist, never synchronously', async () => {
    const specs = fc.array(
      fc.record({
        type: fc.constantFrom('open', 'close', 'error', 'reconnecting'),
        throws: fc.boolean(),
      }),
      { minLength: 1, maxLength: 6 },
    )
    await fc.assert(
      fc.asyncProperty(specs, async (listeners) => {
        fresh()
        vi.stubGlobal('reportError', undefined)
        const ws = new ResilientWebSocket(URL_OK, undefined, {
          WebSocket: FakeWebSocketConstructor,
          backoff: { initialDelayMs: 10, jitter: 'none' },
        })
        const calls = listeners.map(() => 0)
        const thrown: unknown[] = []
        listeners.forEach(({ type, throws }, index) => {
          ws.addEventListener(type, () => {
            calls[index]!++
            if (throws) {
              const error = new Error(`listener ${index}`)
              thrown.push(error)
              throw error
            }
          })
        })
        const rethrown: unknown[] = []
        const advance = async (ms: number) => {
          // Fake timers rethrow the first error a timer threw, after running the rest.
          for (;;) {
            try {
              await vi.advanceTimersByTimeAsync(ms)
              return
            } catch (error) {
              rethrown.push(error)
              ms = 0
            }
          }
        }
        await advance(0)
        FakeWebSocket.latest().open()
        FakeWebSocket.latest().serverClose(1001)
        await advance(10)
        expect(FakeWebSocket.instances).toHaveLength(2)
        FakeWebSocket.latest().open()
        await advance(0)
        expect(ws.readyState).toBe(ws.OPEN)
        const expected = { open: 2, close: 1, error: 0, reconnecting: 1 }
        for (const [index, { type }] of listeners.entries()) {
          expect(calls[index]).toBe(expected[type as keyof typeof expected])
        }
        if (thrown.length > 0) expect(rethrown.length).toBeGreaterThan(0)
        for (const error of rethrown) expect(thrown).toContain(error)
        ws.close()
        FakeWebSocket.latest().finishClose()
        await advance(0)
        expect(vi.getTimerCount()).toBe(0)
      }),
      { numRuns: RUNS },
    )
  })
})
