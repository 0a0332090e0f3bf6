/**
 * Summarises a DevTools CPU profile of a measured run (a receive blast, a
 * series of reconnect cycles): self and total time per function and self time
 * per source line (positionTicks), mapped from the bundle back to src/ through
 * esbuild's source map, all per unit of work (a message, a cycle).
 */

export interface CpuProfile {
  nodes: {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
    hitCount?: number
    children?: number[]
    positionTicks?: { line: number; ticks: number }[]
  }[]
  startTime: number
  endTime: number
  samples?: number[]
}

export interface ProfileEntry {
  name: string
  where: string
  /** Microseconds per unit (message or cycle). */
  selfUs: number
  totalUs: number
}

export interface ProfileSummary {
  /** What was profiled, e.g. `text receive`. */
  what: string
  /** What one unit is (`message`, `cycle`), and how many the profile covers. */
  unit: string
  units: number
  /** Sampled time per unit, all threads' JS on the main thread included, idle excluded. */
  busyUsPerUnit: number
  categories: Record<string, number>
  functions: ProfileEntry[]
  lines: { where: string; source: string; selfUs: number }[]
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Decodes a v3 source map into, per generated line, its segments [column, source, line]. */
function decodeMappings(map: { mappings: string }): [number, number, number][][] {
  const lines: [number, number, number][][] = []
  let source = 0
  let line = 0
  for (const text of map.mappings.split(';')) {
    const segments: [number, number, number][] = []
    let column = 0
    for (const segment of text.split(',')) {
      if (!segment) continue
      const values: number[] = []
      let value = 0
      let shift = 0
      for (const char of segment) {
        const digit = BASE64.indexOf(char)
        value += (digit & 31) << shift
        if (digit & 32) shift += 5
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1)
          value = 0
          shift = 0
        }
      }
      column += values[0] ?? 0
      if (values.length >= 4) {
        source += values[1]!
        line += values[2]!
        segments.push([column, source, line])
      }
    }
    lines.push(segments)
  }
  return lines
}

export function analyseProfile(
  profile: CpuProfile,
  work: { what: string; unit: string; units: number },
  ours: { code: string; map: string },
): ProfileSummary {
  const map = JSON.parse(ours.map) as { sources: string[]; sourcesContent?: (string | null)[]; mappings: string }
  const mappings = decodeMappings(map)
  const sources = map.sources.map((s) => s.replace(/^(\.\.\/)+/, ''))
  // The text the bundle was built from (src/ may have changed since).
  const sourceLines = new Map(sources.map((file, i) => [file, (map.sourcesContent?.[i] ?? '').split('\n')]))
  const textOf = (file: string, line: number): string => sourceLines.get(file)?.[line]?.trim() ?? ''
  /** Generated 0-based (line, column) → `src/file.ts:line` (1-based) and that line's text. */
  const original = (line: number, column: number): { where: string; file: string; line: number } | null => {
    const segments = mappings[line]
    if (!segments?.length) return null
    let best = segments[0]!
    for (const s of segments) if (s[0] <= column) best = s
    const file = sources[best[1]] ?? '?'
    return { where: `${file}:${best[2] + 1}`, file, line: best[2] }
  }

  const samples = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0)
  const usPerSample = samples > 0 ? (profile.endTime - profile.startTime) / samples : 0
  const perUnit = (hits: number) => (hits * usPerSample) / work.units

  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const keyOf = (n: CpuProfile['nodes'][number]): { name: string; where: string; category: string } => {
    const { functionName, url, lineNumber, columnNumber } = n.callFrame
    const name = functionName || '(anonymous)'
    if (url.endsWith('/lib/ours.js')) {
      const o = original(lineNumber, columnNumber)
      const where = o?.where ?? `ours.js:${lineNumber + 1}`
      const category = where.includes('eventemitter3') ? 'eventemitter3' : 'our library (src/)'
      return { name, where, category }
    }
    if (url.endsWith('/harness.js')) return { name, where: 'bench harness', category: 'bench harness (listener)' }
    if (url) return { name, where: url, category: 'other JS' }
    if (name === '(garbage collector)') return { name, where: '', category: 'garbage collector' }
    if (name === '(idle)') return { name, where: '', category: 'idle' }
    if (name === '(program)' || name === '(root)') return { name, where: '', category: 'browser/V8 native (program)' }
    return { name, where: 'native', category: 'browser/V8 native (program)' }
  }

  const self = new Map<string, ProfileEntry & { hits: number }>()
  const categories: Record<string, number> = {}
  const lineHits = new Map<string, number>()
  const total = new Map<string, number>()
  const totalHits = (id: number, seen: Set<string>): number => {
    const n = byId.get(id)!
    const k = keyOf(n)
    const key = `${k.name}|${k.where}`
    let hits = n.hitCount ?? 0
    const inner = seen.has(key) ? seen : new Set(seen).add(key)
    for (const child of n.children ?? []) hits += totalHits(child, inner)
    // Recursion counts a function's time once, at its outermost frame.
    if (!seen.has(key)) total.set(key, (total.get(key) ?? 0) + hits)
    return hits
  }
  const root = profile.nodes.find((n) => n.callFrame.functionName === '(root)') ?? profile.nodes[0]
  if (root) totalHits(root.id, new Set())

  for (const n of profile.nodes) {
    const k = keyOf(n)
    const key = `${k.name}|${k.where}`
    const hits = n.hitCount ?? 0
    const entry = self.get(key) ?? { name: k.name, where: k.where, selfUs: 0, totalUs: 0, hits: 0 }
    entry.hits += hits
    self.set(key, entry)
    categories[k.category] = (categories[k.category] ?? 0) + hits
    if (n.callFrame.url.endsWith('/lib/ours.js')) {
      for (const tick of n.positionTicks ?? []) {
        const o = original(tick.line - 1, 0)
        if (o) lineHits.set(o.where, (lineHits.get(o.where) ?? 0) + tick.ticks)
      }
    }
  }
  const idle = categories.idle ?? 0
  const functions = [...self.entries()]
    .map(([key, e]) => ({
      name: e.name,
      where: e.where,
      selfUs: perUnit(e.hits),
      totalUs: perUnit(total.get(key) ?? 0),
    }))
    .filter((e) => e.name !== '(idle)' && e.name !== '(root)')
    .sort((a, b) => b.selfUs - a.selfUs)
    .slice(0, 40)
  const lines = [...lineHits.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([where, hits]) => {
      const [file, line] = where.split(':')
      return { where, source: textOf(file!, Number(line) - 1), selfUs: perUnit(hits) }
    })
  return {
    ...work,
    busyUsPerUnit: perUnit(samples - idle),
    categories: Object.fromEntries(
      Object.entries(categories)
        .map(([c, hits]) => [c, perUnit(hits)] as const)
        .sort((a, b) => b[1] - a[1]),
    ),
    functions,
    lines,
  }
}
