/**
 * The demo, end to end: starts `npm run demo`'s server on a free port, drives
 * Debian's Chromium through the page's controls, and checks what the page
 * shows (state, log lines, timeline labels) — never the library's internals.
 * Ends with the screenshot the README embeds (demo/screenshot.png).
 */
import { fileURLToPath } from 'node:url'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DemoServer, startDemo } from '../../demo/serve.mjs'
import { DEFAULT_OPTIONS } from '../../src/index.js'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.js'
import { sleep } from '../support/wait.js'

const SCREENSHOT = fileURLToPath(new URL('../../demo/screenshot.png', import.meta.url))

/** Chromium's own reports of refused or failed connections: expected here, and not the page's scripts. */
const NETWORK_NOISE = /WebSocket connection to .* failed|Failed to load resource/

interface LogEntry {
  kind: string
  text: string
}

/** Waits (bounded) until `read` returns something `accept` likes; fails with the last value seen. */
async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let value = await read()
  while (!accept(value)) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms; last value: ${JSON.stringify(value)}`)
    await sleep(100)
    value = await read()
  }
  return value
}

/** The event log, oldest first (the page shows it newest first). */
async function readLog(page: Page): Promise<LogEntry[]> {
  const entries = await page.$$eval('#log li', (items) =>
    items.map((item) => ({
      kind: item.querySelector('.log-kind')?.textContent ?? '',
      text: item.querySelector('.log-text')?.textContent ?? '',
    })),
  )
  return entries.reverse()
}

/** A bookmark in the log: `since()` returns what was logged after it, oldest first. */
async function logMark(page: Page): Promise<{ since(): Promise<LogEntry[]> }> {
  const count = (await readLog(page)).length
  return { since: async () => (await readLog(page)).slice(count) }
}

const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? ''

async function waitForState(page: Page, state: string, timeoutMs = 15_000): Promise<void> {
  await until(
    () => text(page, '#state'),
    (value) => value === state,
    timeoutMs,
  )
}

/** Index of the first entry at or after `from` matching `kind` (and `pattern`), or -1. */
function find(entries: LogEntry[], kind: string, pattern?: RegExp, from = 0): number {
  return entries.findIndex((entry, i) => i >= from && entry.kind === kind && (!pattern || pattern.test(entry.text)))
}

describe('npm run demo', () => {
  let demo: DemoServer
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const pageErrors: string[] = []

  const watch = (p: Page) => {
    p.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`))
    p.on('console', (message) => {
      if (message.type() === 'error' && !NETWORK_NOISE.test(message.text())) pageErrors.push(message.text())
    })
  }

  /** Orders the chaos server directly (for when the page itself is offline and cannot). */
  const serverDrop = async () => {
    const client = await text(page, '#client-id')
    const response = await fetch(new URL(`/chaos/api/drop?client=${client}`, demo.url), { method: 'POST', body: '{}' })
    expect(response.ok).toBe(true)
  }

  beforeAll(async () => {
    demo = await startDemo({ port: 0, quiet: true, watch: false })
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    page = await context.newPage()
    watch(page)
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await demo?.close()
  }, 30_000)

  it('serves the page, which connects to the chaos server', async () => {
    await page.goto(demo.url)
    await waitForState(page, 'OPEN')
    expect(await text(page, '#network')).toBe('online')
    const log = await readLog(page)
    expect(find(log, 'open')).toBeGreaterThanOrEqual(0)
    expect(find(log, 'message', /hello from the chaos server/)).toBeGreaterThanOrEqual(0)
  })

  it('the policy form starts from the library’s real defaults (DEFAULT_OPTIONS)', async () => {
    const { backoff, stableAfterMs, connectTimeoutMs } = DEFAULT_OPTIONS
    expect(await page.inputValue('#initial-delay')).toBe(String(backoff.initialDelayMs))
    expect(await page.inputValue('#max-delay')).toBe(String(backoff.maxDelayMs))
    expect(await page.inputValue('#factor')).toBe(String(backoff.factor))
    expect(await page.inputValue('#jitter')).toBe(backoff.jitter)
    expect(await page.inputValue('#stable-after')).toBe(String(stableAfterMs))
    expect(await page.inputValue('#max-retries')).toBe('') // Infinity, shown as the ∞ placeholder
    expect(await page.getAttribute('#connect-timeout-label', 'title')).toBe(`Library default: ${connectTimeoutMs}`)
  })

  it('applies an edited policy table to a new connection', async () => {
    await page.fill('#initial-delay', '300')
    await page.fill('#max-delay', '3000')
    expect(await text(page, '#policy-status')).toContain('not applied')
    await page.click('#policy-form button[type=submit]')
    await waitForState(page, 'OPEN')
    expect(await text(page, '#policy-status')).toContain('In use')
    expect(await text(page, '#policy-error')).toBe('')
  })

  it('drop: shows a 1006 close, a scheduled retry, and the reconnect', async () => {
    const mark = await logMark(page)
    await page.click('#drop')
    const entries = await until(
      () => mark.since(),
      (e) => find(e, 'open', undefined, Math.max(0, find(e, 'close', /^1006 .*will reconnect/))) > 0,
    )
    const close = find(entries, 'close', /^1006 Abnormal Closure .*wasClean false/)
    expect(close).toBeGreaterThanOrEqual(0)
    expect(find(entries, 'reconnecting', /^retry \d+ in .* after 1006$/, close)).toBeGreaterThan(close)
    await waitForState(page, 'OPEN')
    await expect
      .poll(() => page.locator('#timeline text.tl-code', { hasText: '1006' }).count(), { timeout: 5000 })
      .toBeGreaterThan(0)
  })

  it('restart: every tab gets 1012 and reconnects', async () => {
    const second = await context.newPage()
    watch(second)
    try {
      await second.goto(demo.url)
      await waitForState(second, 'OPEN')
      const marks = [await logMark(page), await logMark(second)]
      await page.click('#restart')
      for (const [i, tab] of [page, second].entries()) {
        const entries = await until(
          () => marks[i]!.since(),
          (e) => find(e, 'open', undefined, Math.max(0, find(e, 'close', /^1012 /))) > 0,
        )
        expect(entries[find(entries, 'close', /^1012 /)]?.text).toMatch(
          /^1012 Service Restart · reason Service Restart · wasClean true · will reconnect$/,
        )
        await waitForState(tab, 'OPEN')
      }
      await expect
        .poll(() => page.locator('#timeline text.tl-code', { hasText: '1012' }).count(), { timeout: 5000 })
        .toBeGreaterThan(0)
    } finally {
      await second.close()
    }
  })

  it('hang and refuse: the connect timeout and 503s are retried until the server answers', async () => {
    await page.fill('#refuse-count', '2')
    await page.click('#refuse-form button[type=submit]')
    await page.click('#hang')
    await until(
      () => text(page, '#server-state'),
      (value) => value.includes('next handshake hangs'),
    )
    const mark = await logMark(page)
    await page.click('#drop')
    const entries = await until(
      () => mark.since(),
      (e) => find(e, 'open') > 0,
      30_000,
    )
    expect(find(entries, 'error', /^ConnectTimeoutError: /)).toBeGreaterThan(0)
    // The drop, two refused handshakes, then the hung one: each a 1006 followed by a retry.
    expect(entries.filter((e) => e.kind === 'close' && /^1006 .*will reconnect$/.test(e.text))).toHaveLength(4)
    await waitForState(page, 'OPEN')
  })

  it('go silent: the heartbeat declares the connection dead (1006) and reconnects', async () => {
    const mark = await logMark(page)
    await page.click('#silent')
    const entries = await until(
      () => mark.since(),
      (e) => find(e, 'open', undefined, Math.max(0, find(e, 'close', /^1006 /))) > 0,
    )
    const timeout = find(entries, 'error', /^HeartbeatTimeoutError: /)
    expect(timeout).toBeGreaterThanOrEqual(0)
    expect(
      find(entries, 'close', /^1006 Abnormal Closure · wasClean false · will reconnect$/, timeout),
    ).toBeGreaterThan(timeout)
    await waitForState(page, 'OPEN')
  })

  it('a custom code from the free field (4321, unregistered) is retried by default', async () => {
    const mark = await logMark(page)
    await page.selectOption('#close-code', 'custom')
    await page.fill('#custom-code', '4321')
    expect(await text(page, '#close-code-info')).toContain('Private Use')
    await page.fill('#close-reason', 'app says hi')
    await page.click('#close-form button[type=submit]')
    const entries = await until(
      () => mark.since(),
      (e) => find(e, 'open') >= 0,
    )
    expect(entries[find(entries, 'close')]?.text).toBe(
      '4321 Private Use · reason app says hi · wasClean true · will reconnect',
    )
    expect(find(entries, 'reconnecting', /after 4321$/)).toBeGreaterThan(0)
    await waitForState(page, 'OPEN')
  })

  it('offline for real (context.setOffline): retries wait, and going online reconnects at once', async () => {
    const mark = await logMark(page)
    await context.setOffline(true)
    try {
      await until(
        () => text(page, '#network'),
        (value) => value === 'offline',
      )
      await serverDrop()
      await until(
        () => text(page, '#state-detail'),
        (value) => value.includes('waiting for the network'),
      )
      expect(await text(page, '#state')).toBe('CONNECTING')
    } finally {
      await context.setOffline(false)
    }
    // The delay had run out ("waiting for the network") and no timer is left: only the
    // `online` shortcut can start the attempt, so reaching OPEN is the proof, not a stopwatch.
    await waitForState(page, 'OPEN', 5000)
    const entries = await mark.since()
    const wentOnline = find(entries, 'you', /went online/)
    expect(find(entries, 'you', /went offline/)).toBeGreaterThanOrEqual(0)
    expect(find(entries, 'close', /^1006 /)).toBeGreaterThanOrEqual(0)
    expect(find(entries, 'open', undefined, wentOnline)).toBeGreaterThan(wentOnline)
    expect(await text(page, '#network')).toBe('online')
  })

  it('the page’s offline toggle holds the retry; messages sent meanwhile are buffered, then delivered in order', async () => {
    const mark = await logMark(page)
    await page.click('#offline-toggle')
    expect(await text(page, '#network')).toBe('offline (simulated)')
    await page.click('#drop')
    await until(
      () => text(page, '#state-detail'),
      (value) => value.includes('waiting for the network'),
    )
    for (const message of ['queued one', 'queued two']) {
      await page.fill('#message', message)
      await page.click('#send-form button[type=submit]')
    }
    // bufferedAmount counts the buffered bytes: 'queued one' + 'queued two'.
    expect(await text(page, '#buffer')).toBe('2 msg · 20 B')
    expect(await text(page, '#state')).toBe('CONNECTING')

    await page.click('#offline-toggle')
    await waitForState(page, 'OPEN', 5000)
    const entries = await until(
      () => mark.since(),
      (e) => find(e, 'message', /queued two/) >= 0,
    )
    const sent = find(entries, 'send', /^→ queued two — buffered \(2 waiting\)$/)
    expect(sent).toBeGreaterThan(0)
    const first = find(entries, 'message', /^← queued one$/)
    const second = find(entries, 'message', /^← queued two$/)
    expect(first).toBeGreaterThan(sent)
    expect(second).toBeGreaterThan(first)
    expect(await text(page, '#buffer')).toMatch(/^0 msg/)
    expect(await text(page, '#network')).toBe('online')
  })

  it('close() while a retry waits: the buffered message is dropped, visibly, and nothing reconnects', async () => {
    const mark = await logMark(page)
    await page.click('#offline-toggle')
    await page.click('#drop')
    await waitForState(page, 'CONNECTING')
    await page.fill('#message', 'never sent')
    await page.click('#send-form button[type=submit]')
    expect(await text(page, '#buffer')).toBe('1 msg · 10 B')
    await page.click('#close')
    await waitForState(page, 'CLOSED')
    await page.click('#offline-toggle')
    await page.waitForTimeout(1500)
    expect(await text(page, '#state')).toBe('CLOSED')
    const entries = await mark.since()
    const drop = find(entries, 'drop', /never sent.*\(closed\)$/)
    expect(drop).toBeGreaterThan(0)
    expect(find(entries, 'close', /^1006 .*stopped for good$/, drop)).toBeGreaterThan(drop)
    expect(find(entries, 'open')).toBe(-1)
    expect(await text(page, '#buffer')).toBe('0 msg · 0 B')

    await page.click('#reconnect')
    await waitForState(page, 'OPEN')
  })

  it('close with 1008: the page shows the error and does not reconnect; the reason stays text', async () => {
    const reason = '<img src=x onerror=alert(1)> go away'
    const mark = await logMark(page)
    await page.selectOption('#close-code', '1008')
    await page.fill('#close-reason', reason)
    await page.click('#close-form button[type=submit]')
    await waitForState(page, 'CLOSED')
    await expect.poll(() => text(page, '#alert')).toContain('CloseCodeError (1008 Policy Violation)')
    // Well past any retry delay: still closed, nothing reconnected.
    await page.waitForTimeout(2500)
    expect(await text(page, '#state')).toBe('CLOSED')
    const entries = await mark.since()
    expect(find(entries, 'error', /^CloseCodeError: .*1008/)).toBeGreaterThanOrEqual(0)
    expect(find(entries, 'close', /^1008 Policy Violation .*stopped for good$/)).toBeGreaterThanOrEqual(0)
    expect(find(entries, 'reconnecting')).toBe(-1)
    expect(find(entries, 'open')).toBe(-1)
    expect(entries.some((e) => e.text.includes(reason))).toBe(true)
    expect(await page.locator('#log img, #timeline img').count()).toBe(0)
    await expect
      .poll(() => page.locator('#timeline text.tl-error', { hasText: '1008' }).count(), { timeout: 5000 })
      .toBe(1)
  })

  it('reconnect() starts again after the error; close() stops for good', async () => {
    await page.click('#reconnect')
    await waitForState(page, 'OPEN')
    expect(await page.locator('#alert').isVisible()).toBe(false)

    const mark = await logMark(page)
    await page.click('#close')
    await waitForState(page, 'CLOSED')
    const entries = await until(
      () => mark.since(),
      (e) => find(e, 'close') >= 0,
    )
    expect(entries[find(entries, 'close')]?.text).toMatch(/stopped for good$/)
    await page.waitForTimeout(1500)
    expect(await text(page, '#state')).toBe('CLOSED')

    await page.click('#reconnect')
    await waitForState(page, 'OPEN')
  })

  it('has no errors from its own scripts, and saves the README screenshot', async () => {
    expect(pageErrors).toEqual([])
    await page.fill('#close-reason', '')
    await page.locator('#close-reason').blur()
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
  })
})
