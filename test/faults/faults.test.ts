/**
 * Fault injection in each browser engine against a real `ws` server (issue 4, item
 * 2). Each test breaks the network one way (test/faults/fault-lab.ts), lets
 * clients keep sending numbered messages through it, waits until every client
 * is back and a last message has arrived, and then classifies every message
 * (test/faults/probe.ts). Asserted: no message silently lost, none duplicated
 * or reordered, never two native sockets CONNECTING/OPEN for one client, and
 * every client recovers. Counted and reported (never asserted): retries,
 * outage times, messages lost in flight on a connection that died (inherent
 * to TCP: the browser accepted them, the server never read them).
 *
 * Randomness is seeded: restart timings (server side), proxy cut points
 * (seed + client key + connection number), message sizes and backoff jitter.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ResilientWebSocketOptions } from '../../src/index.js'
import { engine, onWire } from '../browser/engines.js'
import { mulberry32 } from '../support/random.js'
import { eventually, sleep } from '../support/wait.js'
import { type Accounting, controlGet, Probe, postResult, summarize, targetUrl, WAIT_MS } from './probe.js'

const probes: Probe[] = []

beforeAll(() => controlGet('/reset'))

afterEach(async () => {
  await Promise.all(probes.map((probe) => probe.close()))
  probes.length = 0
})

function probe(...args: ConstructorParameters<typeof Probe>): Probe {
  const created = new Probe(...args)
  probes.push(created)
  return created
}

/** Backoff small enough for a test, with seeded jitter. */
/**
 * WebKitGTK can keep a socket OPEN after its TCP connection was cut by the proxy or a
 * server kill (README, Browser differences): only a heartbeat notices, so there every
 * client has one, unless the test sets its own.
 */
const ENGINE_DEFAULTS: ResilientWebSocketOptions =
  engine === 'webkit' ? { heartbeat: { intervalMs: 500, timeoutMs: 1_000 } } : {}

function options(seed: number, extra: ResilientWebSocketOptions = {}): ResilientWebSocketOptions {
  return {
    backoff: { initialDelayMs: 20, maxDelayMs: 300 },
    connectTimeoutMs: 3_000,
    random: mulberry32(seed),
    ...ENGINE_DEFAULTS,
    ...extra,
  }
}

/**
 * Recovers (unless the fault stops the socket for good), closes and accounts
 * for every probe; asserts the must-be-0 figures; posts the row.
 */
async function finish(fault: string, injected: number, clients: Probe[], recovers = true): Promise<Accounting[]> {
  if (recovers) await Promise.all(clients.map((client) => client.recover()))
  await Promise.all(clients.map((client) => client.close()))
  const { row, accounts } = await summarize(fault, injected, clients)
  await postResult(row)
  for (const [i, account] of accounts.entries()) {
    const client = clients[i]!
    expect(
      {
        key: client.key,
        silentlyLost: account.silentlyLostIds,
        droppedButDelivered: account.droppedButDelivered,
        duplicates: account.duplicates,
        outOfOrder: account.outOfOrder,
        unknownDelivered: account.unknownDelivered,
        doubleSockets: client.doubleSockets,
        finalCloses: client.closes.filter((c) => !c.willReconnect).length,
        nativesLeftOpen: client.natives.filter(
          (s) => s.readyState === WebSocket.CONNECTING || s.readyState === WebSocket.OPEN,
        ).length,
      },
      `${fault}: ${client.key}`,
    ).toEqual({
      key: client.key,
      silentlyLost: [],
      droppedButDelivered: 0,
      duplicates: 0,
      outOfOrder: 0,
      unknownDelivered: 0,
      doubleSockets: 0,
      finalCloses: 1,
      nativesLeftOpen: 0,
    })
    expect(account.delivered + account.dropReported + account.lostInFlight).toBe(account.sent)
  }
  return accounts
}

interface StormReply {
  cycles: number
}

const PUMP_MS = 10

describe('server killed and restarted repeatedly (TCP reset, no close frame)', () => {
  it('every client reconnects after every kill; nothing queued is lost silently', async () => {
    const url = (key: string) => targetUrl(key)
    const clients = [
      probe('kill-a', url, { options: options(1) }),
      // A tiny queue: it overflows while the server is down, and every loss must be a drop event.
      probe('kill-b', url, { options: options(2, { buffer: { maxMessages: 4 } }) }),
      probe('kill-c', url, { options: options(3, { heartbeat: { intervalMs: 200, timeoutMs: 400 } }) }),
    ]
    await eventually(() => expect(clients.every((c) => c.opens === 1)).toBe(true), WAIT_MS)
    for (const client of clients) client.startPump(PUMP_MS)
    const storm = await controlGet<StormReply>(
      '/storm?how=reset&cycles=8&seed=11&upMin=200&upMax=500&downMin=50&downMax=300',
    )
    expect(storm.cycles).toBe(8)
    const accounts = await finish('kill/restart (TCP reset)', storm.cycles * clients.length, clients)
    for (const client of clients) expect(client.opens).toBeGreaterThan(1)
    expect(accounts[1]!.dropReported).toBeGreaterThan(0)
  })
})

describe('restart storm: the server restarts with 1012, 20 clients in one page', () => {
  it('no client ever has two native sockets; all recover', async () => {
    const clients = Array.from({ length: 20 }, (_, i) =>
      probe(`storm-${i}`, (key) => targetUrl(key), {
        options: options(100 + i, { backoff: { initialDelayMs: 50, maxDelayMs: 500 } }),
      }),
    )
    await eventually(() => expect(clients.every((c) => c.opens === 1)).toBe(true), WAIT_MS)
    for (const client of clients) client.startPump(50)
    const storm = await controlGet<StormReply>(
      '/storm?how=1012&cycles=5&seed=12&upMin=300&upMax=600&downMin=100&downMax=300',
    )
    expect(storm.cycles).toBe(5)
    await finish('restart storm, 1012 (20 clients)', storm.cycles * clients.length, clients)
    // WebKitGTK hands the page a 1006 for a 1012 close (engines.ts): then the 1006 row retries.
    const seen = onWire(1012).code
    for (const client of clients) expect(client.closes.some((c) => c.code === seen && c.willReconnect)).toBe(true)
  })
})

describe('handshake rejected with an HTTP status', () => {
  it.each([401, 403, 500, 503])('HTTP %i three times, then accepted: queued messages all arrive', async (status) => {
    const client = probe(
      `reject-${status}`,
      (key) => targetUrl(key, `reject:${status},reject:${status},reject:${status},echo`),
      {
        options: options(status),
      },
    )
    client.startPump(PUMP_MS)
    await eventually(() => expect(client.opens).toBe(1), WAIT_MS)
    const [account] = await finish(`handshake rejected, HTTP ${status}`, 3, [client])
    // A failed handshake is a 1006 close, whatever the status; the 1006 policy retries.
    expect(client.closes.slice(0, 3)).toEqual(Array(3).fill({ code: 1006, willReconnect: true }))
    expect(client.retries).toBe(3)
    expect(account!.delivered).toBe(account!.sent)
  })
})

describe('handshake that hangs', () => {
  it('connectTimeoutMs abandons the attempt, the next one connects; queued messages arrive', async () => {
    const client = probe('hang', (key) => targetUrl(key, 'hang,hang,echo'), {
      options: options(4, { connectTimeoutMs: 300 }),
    })
    client.startPump(PUMP_MS)
    await eventually(() => expect(client.opens).toBe(1), WAIT_MS)
    const [account] = await finish('handshake hangs (connectTimeoutMs 300)', 2, [client])
    // Two hung handshakes; a retry queued behind one (engines start one handshake to a host at a
    // time, and Firefox keeps an abandoned one open) may time out too.
    expect(client.errors.filter((name) => name === 'ConnectTimeoutError').length).toBeGreaterThanOrEqual(2)
    expect(new Set(client.errors)).toEqual(new Set(['ConnectTimeoutError']))
    expect(account!.delivered).toBe(account!.sent)
  })
})

describe('half-open connection: the server stops reading and sending', () => {
  it('the heartbeat detects it, the socket reconnects', async () => {
    const client = probe('half-open', (key) => targetUrl(key, 'half-open,half-open,half-open,echo', '&after=300'), {
      options: options(5, { heartbeat: { intervalMs: 100, timeoutMs: 200 } }),
    })
    client.startPump(PUMP_MS)
    await eventually(() => expect(client.opens).toBe(4), WAIT_MS)
    await finish('half-open (heartbeat 100/200 ms)', 3, [client])
    expect(client.errors.filter((name) => name === 'HeartbeatTimeoutError')).toHaveLength(3)
  })
})

interface ProxyStats {
  cuts: number
  inHandshake: number
  left: number
}

describe('a TCP proxy cuts connections at random points (seeded)', () => {
  it('mid-handshake and mid-message cuts: reconnects, nothing silently lost', async () => {
    const cuts = 24
    await controlGet(`/proxy?seed=7&cuts=${cuts}&minBytes=100&maxBytes=30000`)
    const clients = [1, 2, 3].map((n) => {
      const sizes = mulberry32(n * 7919)
      return probe(`proxy-${n}`, (key) => targetUrl(key, 'echo', '', 'proxy'), {
        options: options(20 + n),
        padding: () => Math.floor(sizes() * 3000),
      })
    })
    for (const client of clients) client.startPump(PUMP_MS)
    await eventually(async () => expect((await controlGet<ProxyStats>('/proxy-stats')).cuts).toBe(cuts), 30_000)
    const { inHandshake } = await controlGet<ProxyStats>('/proxy-stats')
    await finish(`proxy cuts (seeded; ${inHandshake} of them mid-handshake)`, cuts, clients)
    expect(inHandshake).toBeGreaterThan(0)
    expect(inHandshake).toBeLessThan(cuts)
  })
})

describe('slow server: the handshake and every frame answered late', () => {
  it('every message arrives (heartbeat misfires would show as retries: reported, not asserted)', async () => {
    const client = probe('slow', (key) => targetUrl(key, 'slow', '&delay=150'), {
      options: options(6, { heartbeat: { intervalMs: 300, timeoutMs: 1_000 } }),
    })
    client.startPump(20)
    await sleep(2_000)
    const [account] = await finish('slow server (+150 ms per frame)', 1, [client])
    expect(account!.delivered).toBe(account!.sent)
  })
})

describe('server closes for good mid-stream (1008: error policy)', () => {
  it('messages sent after the close frame arrived are queued, then each reported by a drop event', async () => {
    const client = probe('close-1008', (key) => targetUrl(key, 'close:1008', '&after=300&linger=200'), {
      options: options(7),
    })
    client.startPump(PUMP_MS)
    await eventually(() => expect(client.closes.some((c) => !c.willReconnect)).toBe(true), WAIT_MS)
    const [account] = await finish('server closes for good (1008)', 1, [client], false)
    expect(client.errors).toContain('CloseCodeError')
    expect(client.closes).toEqual([{ code: 1008, willReconnect: false }])
    // The server keeps the TCP connection 200 ms after its close frame. Chromium's socket stays
    // CLOSING until then: sends in that time are queued (native would discard them), and dropped with a
    // drop event each when the 1008 policy stops the socket. Firefox and WebKitGTK report the close as
    // soon as they have answered the frame, so their window is a task long and holds 0 or a few
    // messages; that nothing was lost unreported is what finish() asserts in every engine.
    if (engine === 'chromium') expect(account!.dropReported).toBeGreaterThan(0)
  })
})
