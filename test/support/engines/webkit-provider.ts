/**
 * A Vitest browser provider for WebKitGTK's MiniBrowser through
 * WebKitWebDriver, a W3C WebDriver server spoken to over plain HTTP. The
 * driver needs an X display, so it runs under `xvfb-run -a` (a free display
 * number each time), in its own process group so that closing the provider
 * ends the driver, Xvfb and the browser together.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { defineBrowserProvider } from '@vitest/browser'
import type { BrowserProvider } from 'vitest/node'
import { freePort } from '../free-port.js'
import { engine } from './engines.mjs'

const STARTUP_MS = 30_000

class WebDriverError extends Error {
  override name = 'WebDriverError'
}

/** One WebKitWebDriver process with one session. */
class Driver {
  readonly #process: ChildProcess
  readonly #base: string
  #session: string | undefined

  private constructor(process: ChildProcess, port: number) {
    this.#process = process
    this.#base = `http://127.0.0.1:${port}`
  }

  static async start(): Promise<Driver> {
    const [driverPath, browserPath] = engine('webkit').binaries
    const port = await freePort()
    const child = spawn('xvfb-run', ['-a', driverPath, `--port=${port}`], {
      detached: true,
      stdio: 'ignore',
    })
    const driver = new Driver(child, port)
    const deadline = Date.now() + STARTUP_MS
    for (;;) {
      try {
        await driver.#request('GET', '/status')
        break
      } catch (error) {
        if (child.exitCode !== null || Date.now() > deadline) {
          driver.stop()
          throw new WebDriverError(`WebKitWebDriver did not start on port ${port}`, { cause: error })
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    const created = (await driver.#request('POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: browserPath, args: ['--automation'] },
        },
      },
    })) as { sessionId: string }
    driver.#session = created.sessionId
    return driver
  }

  async navigate(url: string): Promise<void> {
    await this.#request('POST', `/session/${this.#session}/url`, { url })
  }

  async quit(): Promise<void> {
    try {
      if (this.#session !== undefined) await this.#request('DELETE', `/session/${this.#session}`)
    } finally {
      this.stop()
    }
  }

  stop(): void {
    if (this.#process.exitCode !== null || this.#process.pid === undefined) return
    try {
      process.kill(-this.#process.pid, 'SIGTERM')
    } catch {
      // Already gone.
    }
  }

  async #request(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(this.#base + path, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const payload = (await response.json()) as { value: unknown }
    if (!response.ok) {
      throw new WebDriverError(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(payload.value)}`)
    }
    return payload.value
  }
}

class WebKitProvider implements BrowserProvider {
  readonly name = 'webkit-webdriver'
  readonly supportsParallelism = false
  #driver: Promise<Driver> | undefined

  getCommandsContext(): Record<string, unknown> {
    return {}
  }

  async openPage(_sessionId: string, url: string): Promise<void> {
    this.#driver ??= Driver.start()
    await (await this.#driver).navigate(url)
  }

  async close(): Promise<void> {
    const driver = this.#driver
    this.#driver = undefined
    await (await driver)?.quit()
  }
}

export function webkit() {
  return defineBrowserProvider({
    name: 'webkit-webdriver',
    supportedBrowser: ['webkit'],
    providerFactory: () => new WebKitProvider(),
  })
}
