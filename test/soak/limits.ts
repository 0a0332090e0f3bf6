/**
 * How long the soak runs and what it allows. `npm test` runs a short soak;
 * `npm run soak` sets SOAK_CYCLES=10000.
 */

/** Reconnect cycles measured (after the warm-up). */
export const CYCLES = Number(process.env.SOAK_CYCLES ?? 1_000)

/**
 * Cycles run before the first heap measurement. In Node the heap rises by a
 * few hundred KiB over the first ~1,000 cycles (optimised code, inline caches,
 * pools in `ws` and the runtime) and then stays flat; Chromium settles sooner,
 * and its cycles are slower (~20 ms, the browser's own pace for a new
 * connection to the same endpoint).
 */
export const WARMUP_CYCLES = { node: 1_000, chromium: 500 } as const

/**
 * Largest heap growth (after forced GC) allowed over the measured cycles,
 * whatever their number: a leak of ≥ 105 bytes per cycle crosses it within
 * 10,000 cycles (≥ 1 KiB per cycle within the default 1,000).
 */
export const HEAP_BOUND_BYTES = 1024 * 1024

/** Least-squares slope of heap (bytes) over cycles: the per-cycle growth trend. */
export function bytesPerCycle(points: { cycles: number; heap: number }[]): number {
  const n = points.length
  if (n < 2) return 0
  const mx = points.reduce((s, p) => s + p.cycles, 0) / n
  const my = points.reduce((s, p) => s + p.heap, 0) / n
  const sxy = points.reduce((s, p) => s + (p.cycles - mx) * (p.heap - my), 0)
  const sxx = points.reduce((s, p) => s + (p.cycles - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}

export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : ''
  const abs = Math.abs(bytes)
  return abs >= 1024 * 1024 ? `${sign}${(abs / 1024 / 1024).toFixed(2)} MiB` : `${sign}${(abs / 1024).toFixed(1)} KiB`
}

/** The heap figures both soaks report, from the checkpoints taken after forced GCs. */
export function heapFigures(points: { cycles: number; heap: number }[], heapBefore: number, elapsedMs: number) {
  const heapAfter = points.at(-1)?.heap ?? heapBefore
  return {
    elapsedMs: Math.round(elapsedMs),
    heapBefore: formatBytes(heapBefore),
    heapAfter: formatBytes(heapAfter),
    growth: formatBytes(heapAfter - heapBefore),
    bound: formatBytes(HEAP_BOUND_BYTES),
    trendBytesPerCycle: Math.round(bytesPerCycle(points) * 10) / 10,
    checkpoints: points.map((p) => formatBytes(p.heap - heapBefore)),
  }
}
