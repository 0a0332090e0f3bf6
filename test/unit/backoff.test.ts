import { describe, expect, it, vi } from 'vitest'
import { createBackoff, MAX_DELAY_MS } from '../../src/index.js'

const RANDOMS = [0, 0.001, 0.25, 0.5, 0.75, 0.999, 0.999999]

describe("jitter 'none'", () => {
  const delay = createBackoff({ initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 'none' })

  it('grows geometrically from initialDelayMs by factor', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => delay(attempt, 0, 0.5))).toEqual([1000, 2000, 4000, 8000, 16_000])
  })

  it('stops growing at maxDelayMs', () => {
    expect(delay(6, 16_000, 0.5)).toBe(30_000)
    expect(delay(50, 30_000, 0.5)).toBe(30_000)
  })

  it('ignores the random input', () => {
    for (const random of RANDOMS) expect(delay(3, 2000, random)).toBe(4000)
  })

  it('stays constant with factor 1', () => {
    const constant = createBackoff({ initialDelayMs: 700, factor: 1, jitter: 'none' })
    expect([1, 2, 10].map((attempt) => constant(attempt, 700, 0.5))).toEqual([700, 700, 700])
  })
})

describe("jitter 'full'", () => {
  const delay = createBackoff({ initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 'full' })

  it('scales the exponential delay by random', () => {
    expect(delay(1, 0, 0)).toBe(0)
    expect(delay(1, 0, 0.5)).toBe(500)
    expect(delay(3, 0, 0.25)).toBe(1000)
  })

  it('stays within [0, base delay] for every attempt and random', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const base = Math.min(30_000, 1000 * 2 ** (attempt - 1))
      for (const random of RANDOMS) {
        const value = delay(attempt, 0, random)
        expect(value).toBeGreaterThanOrEqual(0)
        expect(value).toBeLessThanOrEqual(base)
      }
    }
  })

  it('jitters around the capped delay once maxDelayMs is reached', () => {
    expect(delay(20, 0, 0.5)).toBe(15_000)
  })
})

describe("jitter 'equal'", () => {
  const delay = createBackoff({ initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 'equal' })

  it('keeps half the exponential delay and jitters the other half', () => {
    expect(delay(1, 0, 0)).toBe(500)
    expect(delay(1, 0, 0.5)).toBe(750)
    expect(delay(2, 0, 0.5)).toBe(1500)
  })

  it('stays within [base/2, base] for every attempt and random', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const base = Math.min(30_000, 1000 * 2 ** (attempt - 1))
      for (const random of RANDOMS) {
        const value = delay(attempt, 0, random)
        expect(value).toBeGreaterThanOrEqual(base / 2)
        expect(value).toBeLessThanOrEqual(base)
      }
    }
  })
})

describe("jitter 'decorrelated'", () => {
  const delay = createBackoff({ initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 'decorrelated' })

  it('draws between initialDelayMs and three times the previous delay', () => {
    expect(delay(2, 4000, 0)).toBe(1000)
    expect(delay(2, 4000, 0.5)).toBe(1000 + 0.5 * (12_000 - 1000))
  })

  it('depends on the previous delay', () => {
    expect(delay(3, 2000, 0.5)).not.toBe(delay(3, 8000, 0.5))
    expect(delay(3, 8000, 0.5)).toBeGreaterThan(delay(3, 2000, 0.5))
  })

  it('treats a previous delay below initialDelayMs as initialDelayMs', () => {
    expect(delay(1, 0, 0.5)).toBe(1000 + 0.5 * (3000 - 1000))
    expect(delay(1, 0, 0.5)).toBe(delay(1, 1000, 0.5))
  })

  it('never exceeds maxDelayMs however large the previous delay was', () => {
    for (const random of RANDOMS) {
      const value = delay(9, 29_000, random)
      expect(value).toBeGreaterThanOrEqual(1000)
      expect(value).toBeLessThanOrEqual(30_000)
    }
    expect(delay(9, 29_000, 0.999)).toBe(30_000)
  })
})

describe('clamping', () => {
  it('clamps every jitter mode to maxDelayMs even when initialDelayMs is larger', () => {
    for (const jitter of ['none', 'full', 'equal', 'decorrelated'] as const) {
      const delay = createBackoff({ initialDelayMs: 5000, maxDelayMs: 2000, jitter })
      for (const random of RANDOMS) {
        const value = delay(1, 0, random)
        expect(value).toBeGreaterThanOrEqual(0)
        expect(value).toBeLessThanOrEqual(2000)
      }
    }
  })

  it('stays finite for attempts whose exponential delay overflows', () => {
    const delay = createBackoff({ initialDelayMs: 1000, maxDelayMs: 30_000, factor: 10, jitter: 'none' })
    expect(delay(5000, 30_000, 0.5)).toBe(30_000)
  })

  it('returns 0 when initialDelayMs is 0', () => {
    const delay = createBackoff({ initialDelayMs: 0, jitter: 'none' })
    expect(delay(1, 0, 0.5)).toBe(0)
    expect(delay(8, 0, 0.5)).toBe(0)
  })

  it('exports the largest delay setTimeout can hold', () => {
    expect(MAX_DELAY_MS).toBe(2 ** 31 - 1)
  })
})

describe('defaults', () => {
  it('uses initialDelayMs 5000, factor 2, maxDelayMs 15000 and full jitter (a first retry within 0–5 s, RFC 6455 §7.2.3)', () => {
    const delay = createBackoff()
    expect(delay(1, 0, 0.5)).toBe(2500)
    expect(delay(1, 0, 0.999)).toBeLessThan(5000)
    expect(delay(2, 0, 0.5)).toBe(5000)
    expect(delay(3, 0, 0.5)).toBe(7500)
    expect(delay(4, 0, 0.5)).toBe(7500)
  })

  it('merges a partial configuration over the defaults', () => {
    const delay = createBackoff({ jitter: 'none' })
    expect([1, 2, 3, 6].map((attempt) => delay(attempt, 0, 0))).toEqual([5000, 10_000, 15_000, 15_000])
  })
})

describe('purity', () => {
  it('returns the same delay for the same inputs and never reads Math.random', () => {
    const random = vi.spyOn(Math, 'random')
    try {
      for (const jitter of ['none', 'full', 'equal', 'decorrelated'] as const) {
        const delay = createBackoff({ jitter })
        expect(delay(4, 3000, 0.3)).toBe(delay(4, 3000, 0.3))
      }
      expect(random).not.toHaveBeenCalled()
    } finally {
      random.mockRestore()
    }
  })
})
