/**
 * The Vitest browser instances for the engines this run tests: one set of
 * test files, run once per engine, each reported under the engine's name
 * (`browser (firefox)`, …).
 */
import { playwright } from '@vitest/browser-playwright'
import type { BrowserConfigOptions, BrowserInstanceOption, BrowserProviderOption } from 'vitest/node'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js'
import type { EngineName } from './engines.mjs'
import { selectedEngines } from './engines.mjs'
import { firefox } from './firefox-provider.js'
import { webkit } from './webkit-provider.js'

const providers: Record<EngineName, () => BrowserProviderOption> = {
  chromium: () => playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
  firefox,
  webkit,
}

export function browserInstances(): BrowserInstanceOption[] {
  return selectedEngines().map(({ name }) => ({
    browser: name,
    provider: providers[name](),
    provide: { engine: name },
  }))
}

/** Browser mode for a Vitest project: headless, in every engine this run tests. */
export function browserMode(): BrowserConfigOptions {
  return {
    enabled: true,
    headless: true,
    screenshotFailures: false,
    connectTimeout: 180_000,
    instances: browserInstances(),
  }
}
