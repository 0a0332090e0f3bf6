#!/usr/bin/env node
// Finds the browsers the tests drive (test/support/engines/engines.mjs).
// Nothing downloads a browser on these machines, so when one is missing this
// installs Debian's packages if it can (root with apt-get), and otherwise
// stops with the exact command to run.
import { execFileSync, spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { engine, selectedEngines } from './engines/engines.mjs'

const runnable = (file) => {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

let selected
try {
  selected = selectedEngines()
} catch (error) {
  console.error(error.message)
  process.exit(1)
}
// The soak, demo and bench tests drive Chromium whatever BROWSER_ENGINES says.
const needed = [...new Set([engine('chromium'), ...selected])]
const missing = () => needed.filter((candidate) => !candidate.binaries.every(runnable))

let absent = missing()
if (absent.length === 0) process.exit(0)

const packages = [...new Set(absent.flatMap((candidate) => candidate.packages))]
const overridden = ['CHROMIUM', 'FIREFOX', 'WEBKIT_WEBDRIVER', 'MINIBROWSER'].filter((name) => process.env[name])
const hasAptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0
if (process.getuid?.() === 0 && hasAptGet && overridden.length === 0) {
  console.log(`Missing browser engines (${absent.map((e) => e.name).join(', ')}): installing ${packages.join(' ')}…`)
  execFileSync('apt-get', ['update'], { stdio: 'inherit' })
  execFileSync('apt-get', ['install', '-y', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  absent = missing()
  if (absent.length === 0) process.exit(0)
}
console.error(
  [
    `The browser tests need ${absent.map((e) => e.name).join(', ')}; missing: ${absent
      .flatMap((e) => e.binaries.filter((file) => !runnable(file)))
      .join(', ')}.`,
    'Install them with:',
    '',
    `  sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`,
    '',
    'or point CHROMIUM / FIREFOX / WEBKIT_WEBDRIVER / MINIBROWSER at existing binaries,',
    'or run a subset with BROWSER_ENGINES=chromium (comma-separated), then run npm test again.',
  ].join('\n'),
)
process.exit(1)
