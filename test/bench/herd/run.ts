/**
 * Thundering-herd CLI: simulates our defaults, the candidates and the peers,
 * prints markdown tables, writes results.json and herd.svg.
 *
 *   npm run herd            (npm run herd -- --seeds 3 --model bucket …)
 *
 * Options: --seeds N (default 9: seeds 1..N), --model slots|bucket,
 * --config '<json BackoffConfig>' (adds a candidate, e.g.
 * '{"rows":{"1006":{"initialDelayMs":4000}}}'), --out DIR (default
 * test/bench/herd, relative to the working directory), --no-write.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CANDIDATES, type Candidate, CURRENT, RECOMMENDED } from './candidates.js'
import { renderChart } from './chart.js'
import { PEERS } from './peers.js'
import {
  type AdmissionModel,
  type BackoffConfig,
  effectiveBackoff,
  meetsTarget,
  resilientStrategy,
  runSeeds,
  SCENARIOS,
  type Scenario,
  type Strategy,
  type Summary,
} from './simulate.js'

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '9' },
    model: { type: 'string', default: 'slots' },
    config: { type: 'string' },
    out: { type: 'string', default: 'test/bench/herd' },
    'no-write': { type: 'boolean', default: false },
  },
})

const seedCount = Number(args.seeds)
if (!Number.isInteger(seedCount) || seedCount < 1) throw new RangeError('--seeds must be a positive integer')
const seeds = Array.from({ length: seedCount }, (_, i) => i + 1)
if (args.model !== 'slots' && args.model !== 'bucket') throw new TypeError('--model must be slots or bucket')
const model: AdmissionModel = args.model
const scenarios = SCENARIOS.map((s) => ({ ...s, admission: model }))
const outDir = resolve(args.out)
if (!args['no-write'] && !existsSync(outDir))
  throw new Error(`--out ${outDir} does not exist (run from the repository root)`)

const candidates: Candidate[] = [...CANDIDATES]
if (args.config) {
  const config = JSON.parse(args.config) as BackoffConfig
  candidates.push({ id: 'custom', shape: config.rows ? 'b' : 'a', label: 'ours (custom --config)', config })
}
const peers = PEERS.map((p) => p.strategy)
const defaultPeers = PEERS.filter((p) => p.isDefault).map((p) => p.strategy.name)

// ---------------------------------------------------------------------------
// Run

const started = performance.now()
const summaries = new Map<string, Map<string, Summary>>() // subject name → scenario name → summary
function run(strategy: Strategy, scenario: Scenario): Summary {
  const byScenario = summaries.get(strategy.name) ?? new Map<string, Summary>()
  summaries.set(strategy.name, byScenario)
  const cached = byScenario.get(scenario.name)
  if (cached) return cached
  const summary = runSeeds(strategy, scenario, seeds)
  byScenario.set(scenario.name, summary)
  return summary
}
const strategies = new Map<string, Strategy>()
for (const c of candidates) strategies.set(c.label, resilientStrategy(c.label, c.config))
for (const scenario of scenarios) {
  for (const p of peers) run(p, scenario)
  for (const s of strategies.values()) run(s, scenario)
}

// ---------------------------------------------------------------------------
// Format

const int = (n: number) => Math.round(n).toLocaleString('en-US')
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
function cells(s: Summary): string[] {
  return [int(s.peakPerWindow.median), s.recoveredMs ? seconds(s.recoveredMs.median) : 'never', int(s.attempts.median)]
}
function get(name: string, scenario: Scenario): Summary {
  return summaries.get(name)!.get(scenario.name)!
}
function verdict(label: string, scenario: Scenario) {
  return meetsTarget(
    get(label, scenario),
    defaultPeers.map((p) => get(p, scenario)),
  )
}

const lines: string[] = []
const print = (line = '') => lines.push(line)
const header = scenarios.flatMap((s) => [
  `${s.closeCode} peak/100 ms`,
  `${s.closeCode} all back`,
  `${s.closeCode} attempts`,
])
const scenario0 = scenarios[0]!

print(
  `## Thundering herd: ${int(scenario0.clients)} clients dropped at t = 0, server admits ${scenario0.admissionPerSecond}/s (${model === 'slots' ? `${scenario0.admissionPerSecond} slots per 1 s window` : `token bucket, burst ${scenario0.burst}`}); medians of ${seeds.length} seeds`,
)
print()
print('### Current defaults vs the peers')
print()
print(`| subject | ${header.join(' | ')} |`)
print(`|---|${header.map(() => '--:').join('|')}|`)
for (const name of [CURRENT.label, ...peers.map((p) => p.name)]) {
  print(`| ${name} | ${scenarios.flatMap((s) => cells(get(name, s))).join(' | ')} |`)
}
print()
const best = scenarios.map((s) => verdict(CURRENT.label, s).bestPeer)
print(
  `Target per scenario: among the subjects that bring everyone back, lowest peak and fewest attempts, and all back within 1.1 × the best-behaved peer (${[...new Set(best)].join(', ')}). websocket-ts does not reconnect by default (0 attempts, never back) and is left out of the comparison; its README quickstart (ConstantBackoff(1000)) is shown for reference only.`,
)
print()
print('### Candidate defaults')
print()
print(`| candidate | ${header.join(' | ')} | meets target |`)
print(`|---|${header.map(() => '--:').join('|')}|---|`)
const verdicts: Record<string, Record<string, ReturnType<typeof verdict>>> = {}
for (const c of candidates) {
  const v = Object.fromEntries(scenarios.map((s) => [s.name, verdict(c.label, s)]))
  verdicts[c.id] = v
  const ok = scenarios.map((s) => {
    const r = v[s.name]!
    return `${s.closeCode}: ${r.ok ? 'yes' : `no (${r.reasons.join('; ')})`}`
  })
  const mark = c === CURRENT ? ' **(shipped)**' : ''
  print(`| ${c.label}${mark} | ${scenarios.flatMap((s) => cells(get(c.label, s))).join(' | ')} | ${ok.join('<br>')} |`)
}
print()

// Sensitivity: the other admission model, a server that needs a while to come back.
const rws = PEERS[0]!.strategy
const variants: { name: string; change: Partial<Scenario> }[] = [
  {
    name: model === 'slots' ? 'token bucket (burst 500)' : '1 s admission slots',
    change: { admission: model === 'slots' ? 'bucket' : 'slots' },
  },
  { name: 'server back after 5 s', change: { downMs: 5000 } },
  { name: 'server back after 60 s', change: { downMs: 60_000 } },
]
const sensitivity: Record<string, Record<string, Record<string, Summary>>> = {}
print('### Sensitivity (not part of the target): recommended vs current vs reconnecting-websocket')
print()
print(`| variant | subject | ${header.join(' | ')} |`)
print(`|---|---|${header.map(() => '--:').join('|')}|`)
for (const variant of variants) {
  sensitivity[variant.name] = {}
  for (const strategy of [strategies.get(RECOMMENDED.label)!, strategies.get(CURRENT.label)!, rws]) {
    const row = scenarios.map((s) => runSeeds(strategy, { ...s, ...variant.change, name: s.name }, seeds))
    sensitivity[variant.name]![strategy.name] = Object.fromEntries(
      row.map((r) => [r.scenario, { ...r, perWindow: [] }]),
    ) as Record<string, Summary>
    print(`| ${variant.name} | ${strategy.name} | ${row.flatMap(cells).join(' | ')} |`)
  }
}
print()
print("### The peers' default schedules")
print()
print('| peer | formula (n-th retry) | source (node_modules/…) |')
print('|---|---|---|')
for (const p of PEERS) {
  const note = p.note ? ` — note: ${p.note}` : ''
  print(`| ${p.strategy.name}${p.isDefault ? '' : ' (not a default)'} | ${p.formula}${note} | ${p.source} |`)
}
print()
const ours = (c: Candidate, code: number) => JSON.stringify(effectiveBackoff(c.config, code))
print(`Ours, current: 1012 → ${ours(CURRENT, 1012)}, 1006 → ${ours(CURRENT, 1006)}.`)
print(`Ours, shape (b) alternative: 1012 → ${ours(RECOMMENDED, 1012)}, 1006 → ${ours(RECOMMENDED, 1006)}.`)
print(`(${((performance.now() - started) / 1000).toFixed(1)} s)`)
console.log(lines.join('\n'))

// ---------------------------------------------------------------------------
// Write

if (!args['no-write']) {
  const chartSubjects = [
    CURRENT.label,
    RECOMMENDED.label,
    ...peers.filter((p) => p.name !== 'websocket-ts (README quickstart)').map((p) => p.name),
  ]
  const xMaxMs = 60_000
  const chart = renderChart(
    `Thundering herd: ${int(scenario0.clients)} clients, server admits ${scenario0.admissionPerSecond}/s`,
    scenarios.map((s) => ({
      title: `${s.name}: every client sees ${s.closeCode} at t = 0; refused attempts are 1006`,
      series: chartSubjects.map((name) => {
        const summary = get(name, s)
        const back = summary.recoveredMs
          ? `all back after ${seconds(summary.recoveredMs.median)}${summary.recoveredMs.median > xMaxMs ? ' (off the chart)' : ''}`
          : 'never reconnects'
        return {
          name,
          perWindow: summary.perWindow,
          note: `— peak ${int(summary.peakPerWindow.median)}/100 ms, ${back}, ${int(summary.attempts.median)} attempts`,
        }
      }),
    })),
    {
      windowMs: scenario0.windowMs,
      xMaxMs,
      capacityPerWindow: (scenario0.admissionPerSecond * scenario0.windowMs) / 1000,
      yMax: scenario0.clients,
    },
  )
  writeFileSync(join(outDir, 'herd.svg'), chart)

  const strip = (s: Summary) => ({ ...s, perWindow: undefined })
  const results = {
    description:
      'Thundering-herd simulation (issue 5). Medians over seeds; recoveredMs is when the last client got back in (null: never).',
    command: 'npm run herd',
    seeds,
    scenarios,
    peers: PEERS.map((p) => ({
      name: p.strategy.name,
      formula: p.formula,
      source: p.source,
      note: p.note ?? null,
      isDefault: p.isDefault,
    })),
    subjects: [
      ...peers.map((p) => ({ name: p.name, kind: 'peer', config: null })),
      ...candidates.map((c) => ({ name: c.label, kind: `ours-${c.shape}`, id: c.id, config: c.config })),
    ].map((subject) => ({
      ...subject,
      results: Object.fromEntries(scenarios.map((s) => [s.name, strip(get(subject.name, s))])),
    })),
    verdicts,
    recommended: {
      id: RECOMMENDED.id,
      config: RECOMMENDED.config,
      effective: { 1012: effectiveBackoff(RECOMMENDED.config, 1012), 1006: effectiveBackoff(RECOMMENDED.config, 1006) },
    },
    sensitivity,
  }
  const resultsFile = join(outDir, 'results.json')
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`)
  // `npm run lint` checks this file too: give it the formatting Biome expects.
  const biome = resolve('node_modules/.bin/biome')
  if (existsSync(biome)) execFileSync(biome, ['format', '--write', resultsFile], { stdio: 'ignore' })
  console.log(`\nwrote ${join(outDir, 'results.json')} and ${join(outDir, 'herd.svg')}`)
}
