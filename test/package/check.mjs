#!/usr/bin/env node
// What a user gets from `npm install`: packs the library the way `npm publish`
// would (the `prepack` build included), checks the tarball's contents, lints it
// with publint and attw (ESM-only profile), then unpacks it into small consumer
// projects (test/package/consumers/) and compiles each with TypeScript 5.9 and
// 7 (strict, skipLibCheck false). No network: the consumers' other packages
// (ws, @types/ws, @types/node, eventemitter3, undici-types) are linked from
// this repository's node_modules. The README's code blocks marked
// `<!-- compiled: NAME -->` are copied into consumer NAME, so they compile as written.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const consumersDir = join(root, 'test/package/consumers')
const modules = join(root, 'node_modules')

/** The compilers a consumer may have: 5.9 (the last JavaScript one) and 7 (the native one `npm i typescript` installs). */
const COMPILERS = [
  { name: 'TypeScript 5.9', bin: join(modules, 'typescript/bin/tsc') },
  { name: 'TypeScript 7', bin: join(modules, 'typescript7/bin/tsc') },
]

/** Each consumer and the packages it links besides the library itself. */
const CONSUMERS = {
  browser: ['eventemitter3'],
  node: ['eventemitter3', 'ws', '@types/ws', '@types/node', 'undici-types'],
}

/** Files the tarball must hold, and patterns it must not. */
const REQUIRED = [
  'package.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'dist/index.js',
  'dist/index.d.ts',
  'dist/socket.js',
]
const FORBIDDEN = [/\.d\.ts\.map$/, /^src\//, /^test\//, /stale/]

let passed = 0
let failed = 0
function check(name, fn) {
  try {
    const detail = fn()
    passed++
    console.log(`✓ ${name}${detail ? `\n${indent(detail)}` : ''}`)
  } catch (error) {
    failed++
    const output = [error.stdout, error.stderr].filter(Boolean).join('\n') || error.message
    console.log(`✗ ${name}\n${indent(String(output))}`)
  }
}
const indent = (text) =>
  text
    .trim()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')
const run = (file, args, cwd = root) =>
  execFileSync(file, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  })

const work = mkdtempSync(join(tmpdir(), 'resilient-websocket-package-'))
try {
  // A file the build must not carry over: proves dist/ is rebuilt from scratch.
  mkdirSync(join(root, 'dist'), { recursive: true })
  writeFileSync(join(root, 'dist/stale-leftover.js'), 'export const stale = true\n')

  // The prepack build prints to the same stdout as npm's JSON, which is the last top-level array.
  const packOutput = run('npm', ['pack', '--json', '--pack-destination', work])
  const [packed] = JSON.parse(packOutput.slice(packOutput.lastIndexOf('\n[\n') + 1))
  const tarball = join(work, packed.filename)
  const files = packed.files.map((file) => file.path).sort()

  check(`npm pack ships the built package (${files.length} files, ${packed.size} bytes packed)`, () => {
    const missing = REQUIRED.filter((file) => !files.includes(file))
    const unwanted = files.filter((file) => FORBIDDEN.some((pattern) => pattern.test(file)))
    if (missing.length || unwanted.length) {
      throw new Error(`missing: ${missing.join(', ') || 'none'}; must not ship: ${unwanted.join(', ') || 'none'}`)
    }
  })

  check('publint: no errors, warnings or suggestions', () => {
    const output = run(join(modules, '.bin/publint'), ['run', tarball, '--strict', '--level', 'suggestion'])
    if (!/All good/i.test(output)) throw new Error(output)
    return output
  })

  check('attw --profile esm-only: no problems', () =>
    run(join(modules, '.bin/attw'), [
      tarball,
      '--profile',
      'esm-only',
      '--no-definitely-typed',
      '--format',
      'table-flipped',
      '--no-color',
      '--no-emoji',
    ]),
  )

  const unpacked = join(work, 'unpacked')
  mkdirSync(unpacked)
  run('tar', ['-xzf', tarball, '-C', unpacked])
  const readme = readFileSync(join(root, 'README.md'), 'utf8')

  for (const [consumer, links] of Object.entries(CONSUMERS)) {
    const dir = join(work, consumer)
    cpSync(join(consumersDir, consumer), dir, { recursive: true })
    cpSync(join(unpacked, 'package'), join(dir, 'node_modules/resilient-websocket'), { recursive: true })
    for (const name of links) {
      const target = join(dir, 'node_modules', name)
      mkdirSync(dirname(target), { recursive: true })
      symlinkSync(join(modules, name), target, 'dir')
    }
    const blocks = readmeBlocks(readme, consumer)
    for (const [i, code] of blocks.entries()) writeFileSync(join(dir, `src/readme-${i + 1}.ts`), code)
    for (const { name, bin } of COMPILERS) {
      const version = run(process.execPath, [bin, '--version']).trim()
      check(`${consumer} consumer compiles with ${name} (${version}; ${blocks.length} README block(s) included)`, () =>
        run(process.execPath, [bin, '-p', dir]),
      )
    }
  }

  // ESM-only: Node ≥ 20.19 / 22.12 can require() it (what `engines` promises).
  check(`require('resilient-websocket') works in Node ${process.version}`, () => {
    const out = run(
      process.execPath,
      ['--input-type=commonjs', '-e', "process.stdout.write(typeof require('resilient-websocket').ResilientWebSocket)"],
      join(work, 'node'),
    )
    if (out !== 'function') throw new Error(`got ${out}`)
  })
} finally {
  rmSync(join(root, 'dist/stale-leftover.js'), { force: true })
  rmSync(work, { recursive: true, force: true })
}

console.log(`\npackage checks: ${passed} passed, ${failed} failed`)
process.exitCode = failed === 0 ? 0 : 1

/** The README's ```ts blocks that directly follow `<!-- compiled: NAME -->`. */
function readmeBlocks(text, name) {
  const marker = new RegExp(`<!-- compiled: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``, 'g')
  return [...text.matchAll(marker)].map((match) => match[1])
}
