/**
 * Smoke check of `npm run bench -- --quick`: the whole pipeline runs (bundles,
 * server, Chromium over raw DevTools, every benchmark and subject) and every
 * message arrives. No timing is asserted: the machines are far too noisy.
 */
import { describe, expect, it } from 'vitest'
import { BENCHES, METRICS, runBench, SUBJECTS_OF } from './bench.js'
import { markdownTable, summarise, svgChart } from './report.js'

/** Metrics that are differences and may legitimately be zero or negative. */
const SIGNED = new Set(['heapFirstHalfKB', 'heapDeltaKB'])

describe('benchmark, quick mode', () => {
  it('measures every subject of every benchmark and loses no message', async () => {
    const results = await runBench({ quick: true })
    expect(results.machine.crossOriginIsolated).toBe(true)
    for (const bench of BENCHES) {
      for (const subject of SUBJECTS_OF[bench]) {
        const samples = results.samples.filter((s) => s.bench === bench && s.subject === subject)
        expect(samples, `${bench} ${subject}`).toHaveLength(results.params.rounds[bench])
        for (const sample of samples) {
          expect(sample.note, `${bench} ${subject}`).toBeUndefined()
          expect(sample.ok, `${bench} ${subject}`).toBe(true)
          expect(sample.received, `${bench} ${subject}`).toBe(sample.expected)
          for (const { key } of METRICS[bench]) {
            const value = sample.values[key]
            expect(Number.isFinite(value), `${bench} ${subject} ${key} = ${value}`).toBe(true)
            if (!SIGNED.has(key)) expect(value, `${bench} ${subject} ${key}`).toBeGreaterThan(0)
          }
        }
      }
    }
    const summary = summarise(results.samples)
    expect(markdownTable(summary)).toContain('| receive, small text | ours-on |')
    expect(svgChart(summary, 'smoke')).toMatch(/^<svg [\s\S]*<\/svg>\n$/)
  }, 150_000)
})
