/**
 * Headless Chromium launched by hand and driven over a raw DevTools-protocol
 * WebSocket. Playwright is deliberately not used for the measured pages: a
 * Playwright-managed page enables the Network domain and copies every
 * WebSocket frame to Node, which roughly halves native receive throughput.
 * Here no domain is enabled except Page (load events) and Performance.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { CHROMIUM_ARGS, UNTHROTTLED_ARGS } from '../support/chromium.js'

/** The tests' flags, plus the ones that keep timers and tabs unthrottled. */
export const CHROMIUM_FLAGS = [
  ...CHROMIUM_ARGS,
  ...UNTHROTTLED_ARGS,
  '--headless',
  '--disable-extensions',
  '--mute-audio',
]

type Json = Record<string, unknown>
interface Pending {
  resolve: (value: Json) => void
  reject: (error: Error) => void
  timer: ReturnType<typeof setTimeout>
  method: string
}

/** A minimal DevTools-protocol client: commands with ids and timeouts, events by name (and session). */
export class Cdp {
  readonly #socket: WebSocket
  readonly #pending = new Map<number, Pending>()
  readonly #waiters = new Set<{ method: string; sessionId: string | undefined; resolve: (params: Json) => void }>()
  #nextId = 1
  #closedError: Error | undefined

  private constructor(socket: WebSocket) {
    this.#socket = socket
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as {
        id?: number
        result?: Json
        error?: { message: string }
        method?: string
        params?: Json
        sessionId?: string
      }
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id)
        if (!pending) return
        this.#pending.delete(message.id)
        clearTimeout(pending.timer)
        if (message.error) pending.reject(new Error(`${pending.method}: ${message.error.message}`))
        else pending.resolve(message.result ?? {})
        return
      }
      for (const waiter of this.#waiters) {
        if (waiter.method === message.method && waiter.sessionId === message.sessionId) {
          this.#waiters.delete(waiter)
          waiter.resolve(message.params ?? {})
        }
      }
    })
    socket.on('close', () => this.#fail(new Error('DevTools connection closed')))
    socket.on('error', (error) => this.#fail(error))
  }

  static async connect(url: string, timeoutMs: number): Promise<Cdp> {
    const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`DevTools connection to ${url} timed out`)), timeoutMs)
      socket.once('open', () => {
        clearTimeout(timer)
        resolve()
      })
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
    })
    return new Cdp(socket)
  }

  #fail(error: Error): void {
    this.#closedError ??= error
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer)
      pending.reject(error)
      this.#pending.delete(id)
    }
  }

  /** Sends one command; rejects after `timeoutMs`. */
  send<T = Json>(method: string, params: Json = {}, sessionId?: string, timeoutMs = 30_000): Promise<T> {
    if (this.#closedError) return Promise.reject(this.#closedError)
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`${method} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pending.set(id, { resolve: resolve as (value: Json) => void, reject, timer, method })
      this.#socket.send(JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params }))
    })
  }

  /** Resolves on the next event `method` (of `sessionId`), rejects after `timeoutMs`. */
  waitFor(method: string, sessionId: string | undefined, timeoutMs: number): Promise<Json> {
    return new Promise<Json>((resolve, reject) => {
      const waiter = {
        method,
        sessionId,
        resolve: (params: Json) => {
          clearTimeout(timer)
          resolve(params)
        },
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter)
        reject(new Error(`no ${method} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiters.add(waiter)
    })
  }

  close(): void {
    this.#socket.close()
  }
}

/** The renderer metrics Performance.getMetrics reports, in seconds (durations) or bytes. */
export type Metrics = Record<string, number>

/** One page target, reached through a flattened session on the browser connection. */
export class Page {
  constructor(
    readonly cdp: Cdp,
    readonly sessionId: string,
  ) {}

  send<T = Json>(method: string, params: Json = {}, timeoutMs?: number): Promise<T> {
    return this.cdp.send<T>(method, params, this.sessionId, timeoutMs)
  }

  /** Navigates and waits for the load event. */
  async goto(url: string, timeoutMs = 20_000): Promise<void> {
    const loaded = this.cdp.waitFor('Page.loadEventFired', this.sessionId, timeoutMs)
    const result = await this.send<{ errorText?: string }>('Page.navigate', { url }, timeoutMs)
    if (result.errorText) throw new Error(`navigation to ${url} failed: ${result.errorText}`)
    await loaded
  }

  /** Evaluates an expression in the page (awaiting a returned promise) and returns its JSON value. */
  async evaluate<T>(expression: string, timeoutMs = 120_000): Promise<T> {
    const result = await this.send<{
      result: { value?: unknown }
      exceptionDetails?: { text: string; exception?: { description?: string } }
    }>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, timeoutMs)
    if (result.exceptionDetails) {
      const details = result.exceptionDetails
      throw new Error(`page: ${details.exception?.description ?? details.text}`)
    }
    return result.result.value as T
  }

  async metrics(): Promise<Metrics> {
    const { metrics } = await this.send<{ metrics: { name: string; value: number }[] }>('Performance.getMetrics')
    return Object.fromEntries(metrics.map((m) => [m.name, m.value]))
  }

  /** Full GC, then the used JS heap in bytes. */
  async heapAfterGc(): Promise<number> {
    await this.send('HeapProfiler.collectGarbage')
    await this.send('HeapProfiler.collectGarbage')
    const { usedSize } = await this.send<{ usedSize: number }>('Runtime.getHeapUsage')
    return usedSize
  }

  async collectGarbage(): Promise<void> {
    await this.send('HeapProfiler.collectGarbage')
  }
}

export interface Browser {
  page: Page
  version: string
  close(): Promise<void>
}

async function waitForFile(path: string, timeoutMs: number, child: ChildProcess): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '')
    if (text.split('\n').filter(Boolean).length >= 2) return text
    if (child.exitCode !== null) throw new Error(`Chromium exited with code ${child.exitCode} before DevTools was up`)
    if (Date.now() > deadline) throw new Error(`Chromium wrote no DevToolsActivePort within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * Starts headless Chromium with `--remote-debugging-port=0`, reads the port
 * from DevToolsActivePort in a fresh user-data-dir, and attaches to its page.
 */
export async function launchChromium(executable: string, timeoutMs = 30_000): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'rws-bench-'))
  const child = spawn(
    executable,
    [...CHROMIUM_FLAGS, '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // If Node goes away first (an error, Ctrl-C through process.exit), the browser goes with it.
  const onExit = () => {
    child.kill('SIGKILL')
    rmSync(userDataDir, { recursive: true, force: true })
  }
  process.once('exit', onExit)
  const kill = async () => {
    process.off('exit', onExit)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
    }
    await rm(userDataDir, { recursive: true, force: true }).catch(() => {})
  }
  try {
    const [port, path] = (await waitForFile(join(userDataDir, 'DevToolsActivePort'), timeoutMs, child)).split('\n')
    const cdp = await Cdp.connect(`ws://127.0.0.1:${port}${path}`, timeoutMs)
    const { product } = await cdp.send<{ product: string }>('Browser.getVersion')
    const { targetInfos } = await cdp.send<{ targetInfos: { targetId: string; type: string }[] }>('Target.getTargets')
    let targetId = targetInfos.find((t) => t.type === 'page')?.targetId
    targetId ??= (await cdp.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' })).targetId
    const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true })
    const page = new Page(cdp, sessionId)
    await page.send('Page.enable')
    return {
      page,
      version: product,
      async close() {
        await cdp.send('Browser.close', {}, undefined, 5000).catch(() => {})
        cdp.close()
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 6000))])
        clearTimeout(timer)
        await kill()
      },
    }
  } catch (error) {
    await kill()
    throw new Error(`${(error as Error).message}\n${stderr.slice(-2000)}`)
  }
}
