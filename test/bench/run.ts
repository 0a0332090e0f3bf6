/**
 * `npm run bench`: runs the benchmarks and prints the markdown table.
 *
 *   --quick          few messages, one round (< 60 s); writes test/bench/results.local.json only
 *   --rounds N       rounds for every benchmark (default: 5 receive, 3 send/queue, 2 reconnect; quick 1)
 *   --only a,b       benchmarks: receive-text, receive-binary, send, queue, reconnect
 *   --subjects a,b   only these subjects (and their native baselines), e.g. ours-on,ours-onmessage
 *   --base REF       also measure our library as of git REF (subject ours-base, on()): an A/B in one run
 *   --no-profile     skip the CPU profiles of the text receive and reconnect paths, ours against
 *                    native (--profile forces them in quick mode)
 *
 * A full run writes test/bench/results.json and test/bench/throughput.svg.
 * Progress goes to stderr, the tables to stdout. Exits 1 if any run lost messages.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BENCHES, type BenchName, baselineOf, runBench } from './bench.js'
import { ROOT } from './bundles.js'
import {
  cpuTable,
  describeRun,
  markdownTable,
  profileComparison,
  profileMarkdown,
  summarise,
  svgChart,
} from './report.js'
import { SUBJECTS, type Subject } from './subjects.js'

// Ctrl-C / kill: exit through process.exit so the browser and its profile directory are removed.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    only: { type: 'string' },
    subjects: { type: 'string' },
    base: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-profile': { type: 'boolean', default: false },
  },
})

const only = values.only?.split(',').map((s) => s.trim()) as BenchName[] | undefined
for (const name of only ?? []) {
  if (!BENCHES.includes(name)) {
    console.error(`unknown benchmark ${name}; one of ${BENCHES.join(', ')}`)
    process.exit(2)
  }
}
const subjects = values.subjects?.split(',').map((s) => s.trim()) as Subject[] | undefined
for (const name of subjects ?? []) {
  if (!SUBJECTS.includes(name)) {
    console.error(`unknown subject ${name}; one of ${SUBJECTS.join(', ')}`)
    process.exit(2)
  }
}
const rounds = values.rounds === undefined ? undefined : Number(values.rounds)
if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) {
  console.error('--rounds must be a positive integer')
  process.exit(2)
}

// The other commit's src/, extracted where its imports (eventemitter3) resolve from our node_modules.
let baseEntry: string | undefined
if (values.base) {
  const dir = join(ROOT, 'node_modules/.cache/bench/base')
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  execFileSync('sh', ['-c', `git archive ${JSON.stringify(values.base)} src | tar -x -C ${JSON.stringify(dir)}`], {
    cwd: ROOT,
  })
  baseEntry = join(dir, 'src/index.ts')
}

const results = await runBench({
  quick: values.quick,
  ...(rounds === undefined ? {} : { rounds }),
  ...(only ? { only } : {}),
  ...(subjects ? { subjects } : {}),
  ...(baseEntry ? { baseEntry } : {}),
  ...(values.profile ? { profile: true } : values['no-profile'] ? { profile: false } : {}),
  log: (line) => console.error(line),
})
const summary = summarise(results.samples)
const caption = describeRun(results)
console.log(`${caption}\n\n${markdownTable(summary)}\n\nCPU targets (issue 10):\n\n${cpuTable(summary)}\n`)
// Each of our profiles against its native baseline's, then its own top functions and source lines.
for (const [key, profile] of Object.entries(results.profiles)) {
  const [path, subject] = key.split(' ') as [string, Subject]
  if (subject.startsWith('native')) continue
  const baseline = baselineOf(subject) ?? 'native'
  const base = results.profiles[`${path} ${baseline}`]
  if (base) console.log(`${profileComparison(baseline, base, subject, profile)}\n`)
  console.log(`${profileMarkdown(subject, profile)}\n`)
}

const failed = results.samples.filter((s) => !s.ok)
for (const s of failed) console.error(`FAILED: ${s.bench} ${s.subject} round ${s.round + 1}: ${s.note}`)

const complete = !values.quick && !only && !subjects && !baseEntry && rounds === undefined
const file = complete ? 'results.json' : 'results.local.json'
await writeFile(join(ROOT, 'test/bench', file), `${JSON.stringify({ ...results, summary }, null, 2)}\n`)
console.error(`wrote test/bench/${file}`)
if (complete) {
  const m = results.machine
  const chartCaption = `${results.date.slice(0, 10)}, ${m.cpus} × ${m.cpuModel}, ${m.chromium}; medians of paired per-round ratios, subjects interleaved`
  await writeFile(join(ROOT, 'test/bench/throughput.svg'), svgChart(summary, chartCaption))
  console.error('wrote test/bench/throughput.svg')
}
process.exitCode = failed.length ? 1 : 0
