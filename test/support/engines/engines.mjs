// The one list of browser engines the browser suites run in: where each
// binary is, and which Debian packages provide it. Plain JavaScript so that
// ensure-browsers.mjs can read it before anything is compiled.
// Nothing downloads a browser on these machines: every engine is Debian's.

/** @type {readonly import('./engines.d.mts').Engine[]} */
export const ENGINES = [
  {
    name: 'chromium',
    binaries: [process.env.CHROMIUM ?? '/usr/bin/chromium'],
    packages: ['chromium'],
  },
  {
    name: 'firefox',
    binaries: [process.env.FIREFOX ?? '/usr/bin/firefox-esr'],
    packages: ['firefox-esr'],
  },
  {
    // WebKitGTK's MiniBrowser, driven through WebKitWebDriver; it needs an X
    // display, which xvfb-run provides (with xauth for its cookie).
    name: 'webkit',
    binaries: [
      process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver',
      process.env.MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
      '/usr/bin/xvfb-run',
      '/usr/bin/xauth',
    ],
    packages: ['webkit2gtk-driver', 'xvfb', 'xauth'],
  },
]

/**
 * The engines this run tests: all of them, unless BROWSER_ENGINES names a
 * subset (comma-separated) for a quicker local run.
 * @returns {readonly import('./engines.d.mts').Engine[]}
 */
export function selectedEngines() {
  const wanted = process.env.BROWSER_ENGINES
  if (wanted === undefined || wanted.trim() === '') return ENGINES
  const names = wanted.split(',').map((name) => name.trim())
  const unknown = names.filter((name) => !ENGINES.some((engine) => engine.name === name))
  if (unknown.length > 0) {
    throw new Error(
      `BROWSER_ENGINES names unknown engines: ${unknown.join(', ')} (known: ${ENGINES.map((e) => e.name).join(', ')})`,
    )
  }
  return ENGINES.filter((engine) => names.includes(engine.name))
}

/** @param {import('./engines.d.mts').EngineName} name */
export function engine(name) {
  const found = ENGINES.find((candidate) => candidate.name === name)
  if (found === undefined) throw new Error(`unknown engine ${name}`)
  return found
}
