#!/usr/bin/env node
// Finds the Chromium the browser tests drive (CHROMIUM, else /usr/bin/chromium).
// Nothing downloads a browser on these machines, so when it is missing this
// installs Debian's package if it can (root with apt-get), and otherwise stops
// with the exact command to run.
import { execFileSync, spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'

const path = process.env.CHROMIUM ?? '/usr/bin/chromium'
const runnable = (file) => {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

if (runnable(path)) process.exit(0)
if (process.env.CHROMIUM) {
  console.error(`CHROMIUM=${path} is not an executable file.`)
  process.exit(1)
}
const hasAptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0
if (process.getuid?.() === 0 && hasAptGet) {
  console.log(
    'Chromium is missing: installing Debian’s chromium package (apt-get update && apt-get install -y chromium)…',
  )
  execFileSync('apt-get', ['update'], { stdio: 'inherit' })
  execFileSync('apt-get', ['install', '-y', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  if (runnable(path)) process.exit(0)
}
console.error(
  [
    'The browser tests need Chromium at /usr/bin/chromium (or a path in the CHROMIUM environment variable).',
    'Install it with:',
    '',
    '  sudo apt-get update && sudo apt-get install -y chromium',
    '',
    'or point CHROMIUM at an existing Chromium/Chrome binary, then run npm test again.',
  ].join('\n'),
)
process.exit(1)
