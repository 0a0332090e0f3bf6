/**
 * A Vitest browser provider for stock Firefox, driven over WebDriver BiDi by
 * puppeteer-core: Playwright cannot drive a stock Firefox, and geckodriver is
 * not packaged here. Our suites use no browser commands (no userEvent, no
 * mocks), so the provider only has to open the page Vitest hands it.
 */
import { defineBrowserProvider } from '@vitest/browser'
import type { Browser, Page } from 'puppeteer-core'
import type { BrowserProvider } from 'vitest/node'
import { engine } from './engines.mjs'

class FirefoxProvider implements BrowserProvider {
  readonly name = 'firefox-bidi'
  readonly supportsParallelism = false
  #browser: Promise<Browser> | undefined
  readonly #pages = new Map<string, Page>()

  getCommandsContext(sessionId: string): Record<string, unknown> {
    return { page: this.#pages.get(sessionId) }
  }

  async openPage(sessionId: string, url: string): Promise<void> {
    this.#browser ??= import('puppeteer-core').then(({ default: puppeteer }) =>
      puppeteer.launch({
        browser: 'firefox',
        executablePath: engine('firefox').binaries[0],
        headless: true,
      }),
    )
    const browser = await this.#browser
    const page = this.#pages.get(sessionId) ?? (await browser.newPage())
    this.#pages.set(sessionId, page)
    await page.goto(url)
  }

  async close(): Promise<void> {
    const browser = this.#browser
    this.#browser = undefined
    this.#pages.clear()
    await (await browser)?.close()
  }
}

export function firefox() {
  return defineBrowserProvider({
    name: 'firefox-bidi',
    supportedBrowser: ['firefox'],
    providerFactory: () => new FirefoxProvider(),
  })
}
