/**
 * Turns samples into the summary (median, min–max, paired ratio to native),
 * the markdown table and the hand-written SVG chart.
 */
import { BENCHES, type BenchName, type BenchResults, baselineOf, METRICS, type Sample } from './bench.js'
import type { ProfileSummary } from './profile.js'
import type { Subject } from './subjects.js'

export interface SummaryRow {
  bench: BenchName
  subject: string
  metric: string
  label: string
  unit: string
  better: 'higher' | 'lower'
  median: number
  min: number
  max: number
  /** Median over rounds of subject ÷ its baseline in the same round; null where there is none. */
  ratio: number | null
  /** The lowest and highest per-round ratio (null with `ratio`). */
  ratioMin: number | null
  ratioMax: number | null
  /** The subject the ratio is taken against (see `baselineOf`). */
  baseline: string | null
  rounds: number
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function summarise(samples: readonly Sample[]): SummaryRow[] {
  const rows: SummaryRow[] = []
  for (const bench of BENCHES) {
    const ofBench = samples.filter((s) => s.bench === bench)
    const subjects = [...new Set(ofBench.map((s) => s.subject))]
    for (const subject of subjects) {
      const mine = ofBench.filter((s) => s.subject === subject)
      for (const spec of METRICS[bench]) {
        const values = mine.map((s) => s.values[spec.key]).filter((v): v is number => v !== undefined)
        if (values.length === 0) continue
        let ratios: number[] = []
        const baseline = spec.ratio ? baselineOf(subject) : null
        if (baseline !== null) {
          ratios = mine.flatMap((s) => {
            const base = ofBench.find((b) => b.subject === baseline && b.round === s.round)?.values[spec.key]
            const v = s.values[spec.key]
            return base && v !== undefined ? [v / base] : []
          })
        }
        const ratio = ratios.length ? median(ratios) : null
        rows.push({
          bench,
          subject,
          metric: spec.key,
          label: spec.label,
          unit: spec.unit,
          better: spec.better,
          median: median(values),
          min: Math.min(...values),
          max: Math.max(...values),
          ratio,
          ratioMin: ratio === null ? null : Math.min(...ratios),
          ratioMax: ratio === null ? null : Math.max(...ratios),
          baseline: ratio === null ? null : baseline,
          rounds: values.length,
        })
      }
    }
  }
  return rows
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  if (abs >= 10_000) return Math.round(value).toLocaleString('en-US')
  if (abs >= 100) return value.toFixed(0)
  if (abs >= 10) return value.toFixed(1)
  if (abs >= 1) return value.toFixed(2)
  return value.toPrecision(2)
}

const BENCH_TITLE: Record<BenchName, string> = {
  'receive-text': 'receive, small text',
  'receive-binary': 'receive, 64 KiB binary',
  send: 'send while OPEN',
  queue: 'send while CONNECTING (queued)',
  reconnect: 'reconnect cycle',
}

export function markdownTable(rows: readonly SummaryRow[]): string {
  const lines = [
    '| benchmark | subject | metric | median | min–max | × baseline | baseline |',
    '|---|---|---|--:|--:|--:|---|',
  ]
  for (const r of rows) {
    const ratio = r.ratio === null ? '—' : `${r.ratio.toFixed(2)}`
    lines.push(
      `| ${BENCH_TITLE[r.bench]} | ${r.subject} | ${r.label} (${r.unit}) | ${formatNumber(r.median)} | ${formatNumber(r.min)}–${formatNumber(r.max)} | ${ratio} | ${r.baseline ?? '—'} |`,
    )
  }
  return lines.join('\n')
}

/** The CPU targets of issue 10: main-thread CPU of ours ÷ its native baseline, per listener kind. */
export const CPU_TARGETS: readonly { bench: BenchName; subject: Subject; how: string; max: number }[] = [
  { bench: 'receive-text', subject: 'ours-onmessage', how: '`onmessage`', max: 1.05 },
  { bench: 'receive-text', subject: 'ours-addEventListener', how: "`addEventListener('message')`", max: 1.05 },
  { bench: 'receive-text', subject: 'ours-on', how: "`on('message')`", max: 1.05 },
  { bench: 'receive-binary', subject: 'ours-onmessage', how: '`onmessage`', max: 1.05 },
  { bench: 'receive-binary', subject: 'ours-addEventListener', how: "`addEventListener('message')`", max: 1.05 },
  { bench: 'receive-binary', subject: 'ours-on', how: "`on('message')`", max: 1.05 },
  { bench: 'reconnect', subject: 'ours', how: "`on('open')`", max: 1.15 },
  { bench: 'send', subject: 'ours', how: '`send()`', max: 1.05 },
]

const NATIVE_WAY: Record<string, string> = {
  native: '`onmessage`',
  'native-addEventListener': '`addEventListener`',
}

/**
 * One row per CPU target: our main-thread CPU per message (or cycle) against
 * its native baseline's, as the median of per-round ratios. Benchmarks not run
 * are left out.
 */
export function cpuTable(rows: readonly SummaryRow[]): string {
  const lines = [
    '| benchmark | ours via | native via | native CPU | ours CPU | ours ÷ native (min–max) | target |',
    '|---|---|---|--:|--:|--:|---|',
  ]
  for (const target of CPU_TARGETS) {
    const metric = target.bench === 'reconnect' ? 'cpuUsPerCycle' : 'cpuUsPerMsg'
    const row = rows.find((r) => r.bench === target.bench && r.subject === target.subject && r.metric === metric)
    if (!row || row.ratio === null || row.baseline === null) continue
    const base = rows.find((r) => r.bench === target.bench && r.subject === row.baseline && r.metric === metric)
    const spread = ` (${row.ratioMin?.toFixed(2)}–${row.ratioMax?.toFixed(2)})`
    const met = row.ratio <= target.max ? '✓' : '✗'
    lines.push(
      `| ${BENCH_TITLE[target.bench]} | ${target.how} | ${target.bench === 'send' ? '`send()`' : target.bench === 'reconnect' ? '`onopen`/`onclose` loop' : (NATIVE_WAY[row.baseline] ?? row.baseline)} | ${base ? `${formatNumber(base.median)} ${row.unit}` : '—'} | ${formatNumber(row.median)} ${row.unit} | **${row.ratio.toFixed(2)}**${spread} | ≤ ${target.max.toFixed(2)} ${met} |`,
    )
  }
  return lines.join('\n')
}

export function describeRun(results: BenchResults): string {
  const m = results.machine
  const p = results.params
  return [
    `${results.mode} run, ${results.date}, ${results.durationSec} s; rounds: ${BENCHES.filter((b) =>
      results.samples.some((s) => s.bench === b),
    )
      .map((b) => `${b} ${p.rounds[b]}`)
      .join(', ')}; subjects interleaved (forward, then backward), a fresh page per run.`,
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB RAM, ${m.os}; Node ${m.node}; ${m.chromium} (headless, raw DevTools protocol, no Network domain)${m.crossOriginIsolated ? '' : ', NOT cross-origin isolated (100 µs timers)'}.`,
    `Messages: text ${p.text.count.toLocaleString('en-US')} × ${p.text.size} B, binary ${p.binary.count.toLocaleString('en-US')} × ${p.binary.size / 1024} KiB, send ${p.send.count.toLocaleString('en-US')} × ${p.send.size} B, queue ${p.queue.count.toLocaleString('en-US')} sends while CONNECTING timed per ${p.queue.chunk.toLocaleString('en-US')} (median chunk of the first vs the last tenth), reconnect ${p.reconnect.cycles.toLocaleString('en-US')} cycles.`,
    '× native: median over rounds of subject ÷ native measured in the same round (for msg/s higher is better; for µs and ms lower is better).',
  ].join('\n')
}

const us = (v: number) => `${v.toFixed(3)} µs`

export function profileMarkdown(name: string, p: ProfileSummary): string {
  const lines = [
    `Profile of ${name}, ${p.what} (${p.units.toLocaleString('en-US')} ${p.unit}s, sampled every 50 µs, which inflates absolute times): ${us(p.busyUsPerUnit)} busy per ${p.unit}.`,
    '',
    `| category | per ${p.unit} |`,
    '|---|--:|',
    ...Object.entries(p.categories).map(([c, v]) => `| ${c} | ${us(v)} |`),
    '',
    '| function (self time) | where | self | total |',
    '|---|---|--:|--:|',
    ...p.functions.slice(0, 12).map((f) => `| ${f.name} | ${f.where} | ${us(f.selfUs)} | ${us(f.totalUs)} |`),
  ]
  if (p.lines.length) {
    lines.push('', '| source line (self time) | code | self |', '|---|---|--:|')
    for (const l of p.lines.slice(0, 12))
      lines.push(`| ${l.where} | \`${l.source.replace(/\|/g, '\\|')}\` | ${us(l.selfUs)} |`)
  }
  return lines.join('\n')
}

/**
 * Two profiles of the same work side by side: where the subject's extra time
 * per unit goes. Categories, then functions by self time, largest difference
 * first (a function only one side runs counts as 0 on the other).
 */
export function profileComparison(baseName: string, base: ProfileSummary, name: string, p: ProfileSummary): string {
  const lines = [
    `${p.what}, ${name} against ${baseName} (sampled every 50 µs): ${us(p.busyUsPerUnit)} against ${us(base.busyUsPerUnit)} busy per ${p.unit}, ${signed(p.busyUsPerUnit - base.busyUsPerUnit)}.`,
    '',
    `| category | ${baseName} | ${name} | difference |`,
    '|---|--:|--:|--:|',
  ]
  const categories = [...new Set([...Object.keys(p.categories), ...Object.keys(base.categories)])].filter(
    (c) => c !== 'idle',
  )
  for (const c of categories) {
    const a = base.categories[c] ?? 0
    const b = p.categories[c] ?? 0
    lines.push(`| ${c} | ${us(a)} | ${us(b)} | ${signed(b - a)} |`)
  }
  const key = (f: { name: string; where: string }) => `${f.name}|${f.where}`
  const baseSelf = new Map(base.functions.map((f) => [key(f), f.selfUs]))
  const mine = new Map(p.functions.map((f) => [key(f), f]))
  const rows = [...new Set([...baseSelf.keys(), ...mine.keys()])].map((k) => {
    const [fn, where] = k.split('|') as [string, string]
    const a = baseSelf.get(k) ?? 0
    const b = mine.get(k)?.selfUs ?? 0
    return { fn, where, a, b, total: mine.get(k)?.totalUs }
  })
  rows.sort((x, y) => y.b - y.a - (x.b - x.a))
  lines.push(
    '',
    `| function (self time) | where | ${baseName} | ${name} | difference | ${name} total |`,
    '|---|---|--:|--:|--:|--:|',
  )
  for (const r of rows.slice(0, 15)) {
    lines.push(
      `| ${r.fn} | ${r.where} | ${us(r.a)} | ${us(r.b)} | ${signed(r.b - r.a)} | ${r.total === undefined ? '—' : us(r.total)} |`,
    )
  }
  return lines.join('\n')
}

const signed = (v: number) => `${v >= 0 ? '+' : '−'}${us(Math.abs(v))}`

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Throughput ratios per subject, one panel per benchmark; reconnect is shown as cycles per second. */
export function svgChart(rows: readonly SummaryRow[], caption: string): string {
  const panels: { title: string; bars: { subject: string; ratio: number }[] }[] = []
  const pick = (bench: BenchName, metric: string, invert: boolean, title: string) => {
    const bars = rows
      .filter((r) => r.bench === bench && r.metric === metric && r.ratio !== null)
      .map((r) => ({ subject: r.subject, ratio: invert ? 1 / r.ratio! : r.ratio! }))
    if (bars.length) panels.push({ title, bars })
  }
  pick('receive-text', 'msgsPerSec', false, 'Receive, small text: messages/s ÷ native baseline')
  pick('receive-binary', 'msgsPerSec', false, 'Receive, 64 KiB binary: messages/s ÷ native baseline')
  pick(
    'receive-text',
    'cpuUsPerMsg',
    true,
    'Receive, small text: native CPU/msg ÷ subject CPU/msg (main thread, same baseline)',
  )
  pick('receive-binary', 'cpuUsPerMsg', true, 'Receive, 64 KiB binary: native CPU/msg ÷ subject CPU/msg (main thread)')
  pick('send', 'msgsPerSec', false, 'Send while OPEN: send() calls/s ÷ native')
  pick('reconnect', 'msPerCycle', true, 'Reconnect: cycles/s ÷ bare native loop')
  pick('reconnect', 'cpuUsPerCycle', true, 'Reconnect: native CPU/cycle ÷ subject CPU/cycle (main thread)')

  const width = 760
  const left = 200
  const barArea = 480
  const barHeight = 16
  const gap = 4
  const maxRatio = Math.max(1.2, ...panels.flatMap((p) => p.bars.map((b) => b.ratio)))
  const scale = barArea / (Math.ceil(maxRatio * 10) / 10)
  const out: string[] = []
  let y = 36
  for (const panel of panels) {
    out.push(`<text x="10" y="${y}" class="title">${escapeXml(panel.title)}</text>`)
    y += 8
    const top = y
    for (const bar of panel.bars) {
      const w = Math.max(1, bar.ratio * scale)
      const kind = bar.subject.startsWith('ours') ? 'ours' : bar.subject.startsWith('native') ? 'native' : 'peer'
      out.push(
        `<text x="${left - 8}" y="${y + barHeight - 4}" class="label">${escapeXml(bar.subject)}</text>`,
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" class="${kind}"/>`,
        `<text x="${width - 12}" y="${y + barHeight - 4}" class="value">${bar.ratio.toFixed(2)}</text>`,
      )
      y += barHeight + gap
    }
    const x1 = left + scale
    const x95 = left + 0.95 * scale
    out.push(
      `<line x1="${x1}" y1="${top - 2}" x2="${x1}" y2="${y}" class="one"/>`,
      `<line x1="${x95.toFixed(1)}" y1="${top - 2}" x2="${x95.toFixed(1)}" y2="${y}" class="target"/>`,
    )
    y += 22
  }
  const height = y + 24
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    '<style>.title{font-weight:600;font-size:13px}.label{text-anchor:end}.value{fill:#333;text-anchor:end;font-variant-numeric:tabular-nums}.ours{fill:#2563eb}.native{fill:#6b7280}.peer{fill:#f59e0b}.one{stroke:#111;stroke-width:1}.target{stroke:#dc2626;stroke-dasharray:4 3;stroke-width:1}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="18" class="title">Throughput relative to native (1.0 = native, higher is better; dashed red = 0.95 target)</text>`,
    ...out,
    `<text x="10" y="${height - 10}" fill="#555" font-size="11">${escapeXml(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n')
}
