/**
 * Application-level keep-alive. A TCP connection can die without either side
 * hearing about it (a laptop sleeps, a NAT forgets the mapping); the browser
 * may not notice for minutes. A ping that nothing answers tells us sooner.
 */
import type { HeartbeatOptions, SendData } from './options.js'

/**
 * Sends a ping every `intervalMs`; if no message arrived within `timeoutMs`
 * after a ping, calls `dead`. One timer at a time; `stop()` clears it.
 */
export class Heartbeat {
  /** Set by the socket on every incoming message: cheaper than re-arming a timer per message. */
  alive = true
  #timer: ReturnType<typeof setTimeout> | undefined
  readonly #options: Required<HeartbeatOptions>
  readonly #ping: (message: SendData) => void
  readonly #dead: () => void

  constructor(options: Required<HeartbeatOptions>, ping: (message: SendData) => void, dead: () => void) {
    this.#options = options
    this.#ping = ping
    this.#dead = dead
    this.#schedule(options.intervalMs)
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => this.#sendPing(), ms)
  }

  #sendPing(): void {
    this.alive = false
    this.#ping(this.#options.message)
    this.#timer = setTimeout(() => {
      if (!this.alive) {
        this.#timer = undefined
        this.#dead()
        return
      }
      // The next ping goes out intervalMs after this one.
      this.#schedule(Math.max(0, this.#options.intervalMs - this.#options.timeoutMs))
    }, this.#options.timeoutMs)
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
