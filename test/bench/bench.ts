/**
 * The benchmark runner: builds the bundles, starts the bench server and a
 * headless Chromium, and runs every benchmark with the subjects interleaved
 * round by round (forward on even rounds, backward on odd ones, so drift hits
 * every subject alike). Each measured run gets a fresh page.
 */
import { cpus, freemem, release, totalmem } from 'node:os'
import { CHROMIUM_PATH } from '../support/chromium.js'
import { buildBundles } from './bundles.js'
import { type Browser, launchChromium, type Metrics, type Page } from './chromium.js'
import { analyseProfile, type CpuProfile, type ProfileSummary } from './profile.js'
import { median } from './report.js'
import { type BenchServer, startBenchServer } from './server.js'
import { SUBJECTS, type Subject } from './subjects.js'

export type BenchName = 'receive-text' | 'receive-binary' | 'send' | 'queue' | 'reconnect'
export const BENCHES: readonly BenchName[] = ['receive-text', 'receive-binary', 'send', 'queue', 'reconnect']

/** Receive compares every listener kind, so the generic `ours` is left out (and `ours-base` unless asked for). */
export const RECEIVE_SUBJECTS: readonly Subject[] = SUBJECTS.filter((s) => s !== 'ours' && s !== 'ours-base')

/**
 * What each subject's ratio is taken against, in the same round: like with
 * like. A subject whose app code registers with `addEventListener` (ours, and
 * the two peers whose API is `addEventListener`) is measured against native
 * `addEventListener`; everything else, `on()` included, against native
 * `onmessage`/`onopen` (the one-callback way, as `on()` is). Native
 * `addEventListener` itself is shown against native `onmessage`.
 */
export function baselineOf(subject: Subject): Subject | null {
  if (subject === 'native') return null
  if (subject === 'ours-addEventListener' || subject === 'reconnecting-websocket' || subject === 'partysocket') {
    return 'native-addEventListener'
  }
  return 'native'
}
export const SUBJECTS_OF: Record<BenchName, readonly Subject[]> = {
  'receive-text': RECEIVE_SUBJECTS,
  'receive-binary': RECEIVE_SUBJECTS,
  send: ['native', 'ours', 'reconnecting-websocket', 'partysocket', 'websocket-ts', 'sockette'],
  // Native and sockette cannot send while CONNECTING (they throw), so they have no queue.
  queue: ['ours', 'reconnecting-websocket', 'partysocket', 'websocket-ts'],
  reconnect: ['native', 'ours', 'reconnecting-websocket', 'partysocket', 'websocket-ts', 'sockette'],
}

/** The subjects profiled per path: native first, the comparison baseline of the rest. */
export const PROFILED = {
  receive: ['native', 'native-addEventListener', 'ours-onmessage', 'ours-addEventListener', 'ours-on'],
  reconnect: ['native', 'ours'],
} as const satisfies Record<string, readonly Subject[]>

export interface Params {
  /** Rounds per benchmark; every round runs every subject once. */
  rounds: Record<BenchName, number>
  text: { count: number; size: number; warmup: number }
  binary: { count: number; size: number; warmup: number }
  send: { count: number; size: number; warmup: number }
  /** One queue of `count` sends timed in chunks of `chunk`, after a warm-up queue of `warmup`. */
  queue: { count: number; chunk: number; warmup: number }
  reconnect: { cycles: number; warmup: number }
  /** Cycles in the reconnect profile (each subject profiled once, after `reconnect.warmup` cycles). */
  profileCycles: number
  profile: boolean
}

export const PARAMS: Record<'full' | 'quick', Params> = {
  // About 10 minutes on 2 cores: sending drains at ~27k messages/s and Chromium
  // spaces connections to one endpoint ≥ 10 ms apart, so those get fewer rounds.
  full: {
    rounds: { 'receive-text': 5, 'receive-binary': 5, send: 3, queue: 3, reconnect: 2 },
    text: { count: 50_000, size: 32, warmup: 5_000 },
    binary: { count: 1_000, size: 65_536, warmup: 50 },
    send: { count: 200_000, size: 32, warmup: 10_000 },
    queue: { count: 100_000, chunk: 1_000, warmup: 20_000 },
    reconnect: { cycles: 1_000, warmup: 20 },
    profileCycles: 500,
    profile: true,
  },
  quick: {
    rounds: { 'receive-text': 1, 'receive-binary': 1, send: 1, queue: 1, reconnect: 1 },
    text: { count: 5_000, size: 32, warmup: 1_000 },
    binary: { count: 50, size: 65_536, warmup: 10 },
    send: { count: 10_000, size: 32, warmup: 1_000 },
    queue: { count: 10_000, chunk: 1_000, warmup: 2_000 },
    reconnect: { cycles: 50, warmup: 5 },
    profileCycles: 50,
    profile: false,
  },
}

/** One measured run of one subject. */
export interface Sample {
  bench: BenchName
  subject: Subject
  round: number
  /** Metric name → value (see METRICS for units). */
  values: Record<string, number>
  /** Messages (or cycles) that should have arrived and that did. */
  expected: number
  received: number
  ok: boolean
  note?: string
}

export interface MetricSpec {
  key: string
  label: string
  unit: string
  better: 'higher' | 'lower'
  /** Whether a ratio to native is meaningful. */
  ratio: boolean
}

const CPU = 'main-thread CPU (ThreadTime)'
const RECEIVE_METRICS: MetricSpec[] = [
  { key: 'msgsPerSec', label: 'throughput', unit: 'msg/s', better: 'higher', ratio: true },
  { key: 'cpuUsPerMsg', label: CPU, unit: 'µs/msg', better: 'lower', ratio: true },
  { key: 'scriptUsPerMsg', label: 'JS (ScriptDuration)', unit: 'µs/msg', better: 'lower', ratio: true },
]
export const METRICS: Record<BenchName, MetricSpec[]> = {
  'receive-text': RECEIVE_METRICS,
  'receive-binary': RECEIVE_METRICS,
  send: [
    { key: 'msgsPerSec', label: 'send() calls', unit: 'msg/s', better: 'higher', ratio: true },
    { key: 'cpuUsPerMsg', label: CPU, unit: 'µs/msg', better: 'lower', ratio: true },
  ],
  queue: [
    { key: 'usPerSendShallow', label: 'send() at depth < 10%', unit: 'µs/send', better: 'lower', ratio: false },
    { key: 'usPerSendDeep', label: 'send() at depth > 90%', unit: 'µs/send', better: 'lower', ratio: false },
    { key: 'flatness', label: 'deep ÷ shallow (1 = flat)', unit: '×', better: 'lower', ratio: false },
    {
      key: 'usPerSendAll',
      label: 'send(), whole queue with GC pauses',
      unit: 'µs/send',
      better: 'lower',
      ratio: false,
    },
    { key: 'flushUsPerMsg', label: 'flush when it opens', unit: 'µs/msg', better: 'lower', ratio: false },
  ],
  reconnect: [
    { key: 'msPerCycle', label: 'reconnect cycle', unit: 'ms/cycle', better: 'lower', ratio: true },
    { key: 'cpuUsPerCycle', label: CPU, unit: 'µs/cycle', better: 'lower', ratio: true },
    { key: 'heapFirstHalfKB', label: 'heap growth after GC, 1st half', unit: 'KB', better: 'lower', ratio: false },
    { key: 'heapDeltaKB', label: 'heap growth after GC, 2nd half', unit: 'KB', better: 'lower', ratio: false },
  ],
}

/** Renderer metrics per unit of work, from two Performance.getMetrics snapshots (seconds → µs). */
function cpuValues(m1: Metrics, m0: Metrics, units: number, suffix: string): Record<string, number> {
  const per = (name: string) => (delta(m1, m0, name) / units) * 1e6
  return {
    [`cpuUs${suffix}`]: per('ThreadTime'),
    [`scriptUs${suffix}`]: per('ScriptDuration'),
    [`taskUs${suffix}`]: per('TaskDuration'),
    [`processUs${suffix}`]: per('ProcessTime'),
  }
}

export interface Machine {
  cpus: number
  cpuModel: string
  memoryGB: number
  freeMemoryGB: number
  os: string
  node: string
  chromium: string
  crossOriginIsolated: boolean
}

export interface BenchResults {
  mode: 'full' | 'quick'
  date: string
  durationSec: number
  params: Params
  machine: Machine
  samples: Sample[]
  profiles: Record<string, ProfileSummary>
}

export interface BenchOptions {
  quick?: boolean
  /** Overrides the mode's number of rounds (for every benchmark). */
  rounds?: number
  /** Runs only these benchmarks. */
  only?: readonly BenchName[]
  /** Runs only these subjects, and the native baselines they are compared with. */
  subjects?: readonly Subject[]
  /** `src/index.ts` of our library at another commit: adds the subject `ours-base` (with `on()`) to every benchmark but queue. */
  baseEntry?: string
  /** Profiles the text receive and the reconnect paths, ours against native (on by default in full mode). */
  profile?: boolean
  chromium?: string
  /** Progress lines (default: none). */
  log?: (line: string) => void
  /** Aborts the whole run after this long (default 15 min full, 2 min quick). */
  timeoutMs?: number
}

const j = (value: unknown) => JSON.stringify(value)
const delta = (m1: Metrics, m0: Metrics, name: string) => (m1[name] ?? 0) - (m0[name] ?? 0)
let nextId = 0
const uniqueId = () => `r${process.pid}-${++nextId}`

export class Runner {
  constructor(
    readonly page: Page,
    readonly server: BenchServer,
    readonly params: Params,
  ) {}

  async fresh(subject: Subject, timedOpen = false): Promise<void> {
    await this.page.goto(`${this.server.origin}/`)
    await this.page.evaluate(`bench.load(${j(subject)}, ${timedOpen})`)
  }

  async receive(subject: Subject, binary: boolean): Promise<Omit<Sample, 'bench' | 'round'>> {
    const { count, size, warmup } = binary ? this.params.binary : this.params.text
    await this.fresh(subject)
    await this.page.evaluate(`bench.connect('/blast', ${binary}, 'plain')`)
    await this.page.evaluate(`bench.blast(${warmup}, ${size}, ${binary})`)
    await this.page.collectGarbage()
    const m0 = await this.page.metrics()
    const r = await this.page.evaluate<{ ms: number; received: number; bytes: number }>(
      `bench.blast(${count}, ${size}, ${binary})`,
    )
    const m1 = await this.page.metrics()
    await this.page.evaluate('bench.close()')
    const ok = r.received === count && r.bytes === count * size
    return {
      subject,
      expected: count,
      received: r.received,
      ok,
      values: {
        msgsPerSec: (count / r.ms) * 1000,
        MiBPerSec: r.bytes / 2 ** 20 / (r.ms / 1000),
        ...cpuValues(m1, m0, count, 'PerMsg'),
        wallMs: r.ms,
      },
      ...(ok ? {} : { note: `received ${r.received}/${count} messages, ${r.bytes}/${count * size} bytes` }),
    }
  }

  async send(subject: Subject): Promise<Omit<Sample, 'bench' | 'round'>> {
    const { count, size, warmup } = this.params.send
    await this.fresh(subject)
    await this.page.evaluate(`bench.connect('/sink', false, 'plain')`)
    await this.page.evaluate(`bench.sendLoop(${warmup}, ${size})`)
    await this.page.collectGarbage()
    const m0 = await this.page.metrics()
    const r = await this.page.evaluate<{ ms: number; drainMs: number; received: number }>(
      `bench.sendLoop(${count}, ${size})`,
    )
    const m1 = await this.page.metrics()
    await this.page.evaluate('bench.close()')
    const ok = r.received === count
    return {
      subject,
      expected: count,
      received: r.received,
      ok,
      values: {
        msgsPerSec: (count / r.ms) * 1000,
        ...cpuValues(m1, m0, count, 'PerMsg'),
        drainMs: r.drainMs,
        wallMs: r.ms,
      },
      ...(ok ? {} : { note: `server received ${r.received}/${count}` }),
    }
  }

  /** Queues `count` messages on a held handshake, releases it, and checks the server got them all in order. */
  async #queueOnce(count: number) {
    const id = uniqueId()
    await this.page.evaluate(`bench.connect(${j(`/gate/${id}`)}, false, 'queue', false)`)
    const fill = await this.page.evaluate<{ ms: number; usPerSend: number[] }>(
      `bench.queueFill(${count}, ${this.params.queue.chunk})`,
    )
    const flushed = await this.page.evaluate<{ flushMs: number; received: number; ordered: boolean }>(
      `bench.queueFlush(${j(`/release/${id}`)})`,
    )
    await this.page.evaluate('bench.close()')
    return { ...fill, ...flushed }
  }

  /**
   * After a warm-up queue, fills one queue of `count` messages timed per chunk:
   * the median µs per send over the first tenth of the chunks (shallow queue)
   * against the last tenth (deep queue), then the flush when it opens.
   */
  async queue(subject: Subject): Promise<Omit<Sample, 'bench' | 'round'>> {
    const { count, warmup } = this.params.queue
    await this.fresh(subject, true)
    // A warm-up queue lets the JIT optimise send() first. The first chunks of the measured queue are
    // still slower than later ones (tiering up), so a per-send cost that grew with depth would show as
    // deep ÷ shallow > 1, and a flat queue stays at or below 1.
    const warm = [await this.#queueOnce(warmup)]
    await this.page.collectGarbage()
    const r = await this.#queueOnce(count)
    const tenth = Math.max(1, Math.round(r.usPerSend.length / 10))
    const shallow = median(r.usPerSend.slice(0, tenth))
    const deep = median(r.usPerSend.slice(-tenth))
    const received = warm[0]!.received + r.received
    const ok = received === warmup + count && warm[0]!.ordered && r.ordered
    return {
      subject,
      expected: warmup + count,
      received,
      ok,
      values: {
        usPerSendShallow: shallow,
        usPerSendDeep: deep,
        flatness: deep / shallow,
        // Includes the GC pauses the medians leave out.
        usPerSendAll: (r.ms * 1000) / count,
        flushUsPerMsg: (r.flushMs / count) * 1000,
      },
      ...(ok ? {} : { note: `server received ${received}/${warmup + count}${r.ordered ? '' : ', out of order'}` }),
    }
  }

  /**
   * `warmup` cycles, then two measured halves of `cycles / 2`. The heap is read
   * after a full GC between them (the socket open and idle each time): growth
   * that scales with the number of cycles shows in both halves, one-off
   * allocations (JIT code, lazily built tables) only in the first.
   */
  async reconnect(subject: Subject): Promise<Omit<Sample, 'bench' | 'round'>> {
    const { cycles, warmup } = this.params.reconnect
    const half = Math.floor(cycles / 2)
    const id = uniqueId()
    await this.fresh(subject)
    await this.page.evaluate(
      `bench.connect(${j(`/cycle/${id}/${warmup}/${warmup + half}/${warmup + cycles}`)}, false, 'fast')`,
    )
    await this.page.evaluate(`bench.cycle(${warmup})`)
    const heap0 = await this.page.heapAfterGc()
    const leg = async (count: number) => {
      const m0 = await this.page.metrics()
      const r = await this.page.evaluate<{ ms: number; opens: number }>(`bench.cycle(${count})`)
      const m1 = await this.page.metrics()
      return { ...r, m0, m1 }
    }
    const first = await leg(half)
    const heap1 = await this.page.heapAfterGc()
    const second = await leg(cycles - half)
    const heap2 = await this.page.heapAfterGc()
    await this.page.evaluate('bench.close()')
    const opens = first.opens + second.opens
    const connections = this.server.cycleConnections(id)
    const ok = opens === cycles && connections === warmup + cycles + 1
    // CPU over both legs, without the GCs between them.
    const cpu = Object.fromEntries(
      Object.entries(cpuValues(first.m1, first.m0, cycles, 'PerCycle')).map(([k, v]) => [
        k,
        v + (cpuValues(second.m1, second.m0, cycles, 'PerCycle')[k] ?? 0),
      ]),
    )
    return {
      subject,
      expected: cycles,
      received: opens,
      ok,
      values: {
        msPerCycle: (first.ms + second.ms) / cycles,
        ...cpu,
        heapBeforeKB: heap0 / 1024,
        heapMiddleKB: heap1 / 1024,
        heapAfterKB: heap2 / 1024,
        heapFirstHalfKB: (heap1 - heap0) / 1024,
        heapDeltaKB: (heap2 - heap1) / 1024,
      },
      ...(ok ? {} : { note: `${opens}/${cycles} reopened, server saw ${connections} connections` }),
    }
  }

  /** Samples the CPU profile of `expression` (sampled every 50 µs). */
  async #profile(expression: string): Promise<CpuProfile> {
    await this.page.collectGarbage()
    await this.page.send('Profiler.enable')
    await this.page.send('Profiler.setSamplingInterval', { interval: 50 })
    await this.page.send('Profiler.start')
    await this.page.evaluate(expression)
    const { profile } = await this.page.send<{ profile: CpuProfile }>('Profiler.stop', {}, 60_000)
    await this.page.send('Profiler.disable')
    return profile
  }

  /** Samples the CPU profile of one receive blast (text) for `subject`. */
  async profileReceive(subject: Subject): Promise<CpuProfile> {
    const { count, size, warmup } = this.params.text
    await this.fresh(subject)
    await this.page.evaluate(`bench.connect('/blast', false, 'plain')`)
    await this.page.evaluate(`bench.blast(${warmup}, ${size}, false)`)
    const profile = await this.#profile(`bench.blast(${count}, ${size}, false)`)
    await this.page.evaluate('bench.close()')
    return profile
  }

  /** Samples the CPU profile of `profileCycles` reconnect cycles for `subject`, after the usual warm-up. */
  async profileReconnect(subject: Subject): Promise<CpuProfile> {
    const { warmup } = this.params.reconnect
    const cycles = this.params.profileCycles
    const id = uniqueId()
    await this.fresh(subject)
    await this.page.evaluate(`bench.connect(${j(`/cycle/${id}/${warmup}/${warmup + cycles}`)}, false, 'fast')`)
    await this.page.evaluate(`bench.cycle(${warmup})`)
    const profile = await this.#profile(`bench.cycle(${cycles})`)
    await this.page.evaluate('bench.close()')
    return profile
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} exceeded ${Math.round(ms / 1000)} s: aborted`)), ms)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

/** Runs the benchmarks; always stops the browser and the server, also on failure or timeout. */
export async function runBench(options: BenchOptions = {}): Promise<BenchResults> {
  const mode = options.quick ? 'quick' : 'full'
  const params: Params = { ...PARAMS[mode] }
  const { rounds } = options
  if (rounds !== undefined) params.rounds = { ...params.rounds, ...Object.fromEntries(BENCHES.map((b) => [b, rounds])) }
  if (options.profile !== undefined) params.profile = options.profile
  const only = options.only ?? BENCHES
  const log = options.log ?? (() => {})
  const started = Date.now()

  const bundles = await buildBundles(options.baseEntry)
  const server = await startBenchServer(bundles.files)
  const launching = launchChromium(options.chromium ?? CHROMIUM_PATH)
  launching.catch(() => {})
  let stopping = false
  const run = async (): Promise<BenchResults> => {
    const browser = await launching
    if (stopping) throw new Error('aborted')
    const page = browser.page
    await page.goto(`${server.origin}/`)
    await page.send('Performance.enable')
    const crossOriginIsolated = await page.evaluate<boolean>('bench.crossOriginIsolated')
    const runner = new Runner(page, server, params)
    const samples: Sample[] = []
    for (const bench of BENCHES.filter((b) => only.includes(b))) {
      const wanted = options.subjects
      const all =
        options.baseEntry && bench !== 'queue' ? [...SUBJECTS_OF[bench], 'ours-base' as const] : SUBJECTS_OF[bench]
      const subjects = all.filter(
        (s) => !wanted || s === 'ours-base' || wanted.includes(s) || wanted.some((w) => baselineOf(w) === s),
      )
      const rounds = params.rounds[bench]
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? subjects : [...subjects].reverse()
        for (const subject of order) {
          if (stopping) throw new Error('aborted')
          const sample =
            bench === 'receive-text'
              ? await runner.receive(subject, false)
              : bench === 'receive-binary'
                ? await runner.receive(subject, true)
                : bench === 'send'
                  ? await runner.send(subject)
                  : bench === 'queue'
                    ? await runner.queue(subject)
                    : await runner.reconnect(subject)
          samples.push({ bench, round, ...sample })
          const shown = Object.entries(sample.values)
            .map(([k, v]) => `${k}=${v.toPrecision(4)}`)
            .join(' ')
          log(`${bench} round ${round + 1}/${rounds} ${subject}: ${shown}${sample.ok ? '' : ` FAILED ${sample.note}`}`)
        }
      }
    }
    const profiles: Record<string, ProfileSummary> = {}
    if (params.profile && only.includes('receive-text')) {
      const what = { what: 'text receive', unit: 'message', units: params.text.count }
      for (const subject of PROFILED.receive) {
        log(`profiling the text receive path of ${subject}`)
        profiles[`receive ${subject}`] = analyseProfile(await runner.profileReceive(subject), what, bundles.ours)
      }
    }
    if (params.profile && only.includes('reconnect')) {
      const what = { what: 'reconnect', unit: 'cycle', units: params.profileCycles }
      for (const subject of options.baseEntry ? [...PROFILED.reconnect, 'ours-base' as const] : PROFILED.reconnect) {
        log(`profiling the reconnect path of ${subject}`)
        profiles[`reconnect ${subject}`] = analyseProfile(await runner.profileReconnect(subject), what, bundles.ours)
      }
    }
    const machine: Machine = {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      freeMemoryGB: Math.round((freemem() / 2 ** 30) * 10) / 10,
      os: `${process.platform} ${release()}`,
      node: process.version,
      chromium: browser.version,
      crossOriginIsolated,
    }
    return {
      mode,
      date: new Date().toISOString(),
      durationSec: Math.round((Date.now() - started) / 100) / 10,
      params,
      machine,
      samples,
      profiles,
    }
  }
  try {
    return await withDeadline(run(), options.timeoutMs ?? (options.quick ? 120_000 : 900_000), 'the benchmark')
  } finally {
    // Closing the browser also fails whatever DevTools call is still in flight.
    stopping = true
    const browser: Browser | undefined = await launching.catch(() => undefined)
    await browser?.close()
    await server.stop()
  }
}
