/**
 * Model-based property tests: random option sets and random sequences of
 * network faults, server closes, app calls, environment changes and time,
 * checked after every step against the reference model in ./model.ts.
 *
 * Environment: `PROPERTY_RUNS` (default 2000; e.g. 50000 for a long local run),
 * `PROPERTY_SEED` to replay a reported seed, `PROPERTY_REPORT=1` to print what
 * the scenarios exercised, `PROPERTY_AVOID=1004` to keep a close code with a
 * known, already-pinned bug out of the generated closes.
 */
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { runScenario, trapEscapes } from './runner.js'
import { scenario } from './scenario.js'

const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000)
const SEED = process.env.PROPERTY_SEED === undefined ? undefined : Number(process.env.PROPERTY_SEED)

const totals: { scenarios: number; steps: number; [counter: string]: number } = { scenarios: 0, steps: 0 }

afterAll(() => {
  if (process.env.PROPERTY_REPORT) console.log(`property totals: ${JSON.stringify(totals)}`)
})

describe('ResilientWebSocket against its reference model', () => {
  it(
    `keeps every invariant over ${RUNS} random scenarios`,
    async () => {
      const { escapes, release } = trapEscapes()
      try {
        await fc.assert(
          fc.asyncProperty(scenario, async (generated) => {
            const { model, steps } = await runScenario(generated)
            totals.scenarios++
            totals.steps += steps
            for (const [key, value] of Object.entries(model.stats)) totals[key] = (totals[key] ?? 0) + value
          }),
          { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
        )
      } finally {
        release()
      }
      expect(escapes.uncaught).toEqual([])
    },
    Math.max(60_000, RUNS * 100),
  )
})
