#!/usr/bin/env node
// `npm run lint` fails on an import cycle in src/: every `import`/`export … from`
// of a relative module counts, type-only ones too (a type cycle is still a knot
// a reader has to untie). Prints the module graph's edges count and each cycle.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')
const files = readdirSync(root, { recursive: true })
  .filter((f) => String(f).endsWith('.ts'))
  .map((f) => join(root, String(f)))
const graph = new Map()
for (const file of files) {
  const source = readFileSync(file, 'utf8')
  // `import … from`, `export … from`, a bare `import './x.js'`, and `import('./x.js')` (a type or a dynamic import).
  const specifiers = [
    ...source.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm),
    ...source.matchAll(/^import\s+'(\.[^']+)'/gm),
    ...source.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g),
  ]
  const targets = specifiers.map((m) => resolve(dirname(file), m[1].replace(/\.js$/, '.ts')))
  graph.set(file, targets)
}

const name = (file) => relative(root, file)
const cycles = []
const done = new Set()
const path = []
function visit(file) {
  const at = path.indexOf(file)
  if (at !== -1) {
    cycles.push([...path.slice(at), file].map(name).join(' → '))
    return
  }
  if (done.has(file)) return
  path.push(file)
  for (const target of graph.get(file) ?? []) visit(target)
  path.pop()
  done.add(file)
}
for (const file of graph.keys()) visit(file)

const edges = [...graph.values()].reduce((n, targets) => n + targets.length, 0)
if (cycles.length) {
  console.error(`import cycles in src/ (${cycles.length}):\n${cycles.map((c) => `  ${c}`).join('\n')}`)
  process.exit(1)
}
console.log(`import cycles: none (${graph.size} modules, ${edges} imports in src/, type-only imports included)`)
