/**
 * The page and network around a socket: `online`/`offline`, visibility, and
 * the back/forward cache (`pagehide`/`pageshow` with `persisted`). One
 * `Page` per run of the socket, listening only while the run lasts; the
 * socket decides what each signal means for its state.
 */

/** What the page tells the socket. */
export interface PageSignals {
  /** The browser is back online. */
  online(): void
  /** The page became visible after being hidden. */
  visible(): void
  /** The page is entering the back/forward cache. */
  suspend(): void
  /** The page came back from the back/forward cache. */
  resume(): void
}

type Global = {
  addEventListener?: EventTarget['addEventListener']
  removeEventListener?: EventTarget['removeEventListener']
  document?: Document
  navigator?: Navigator
}

/** The window and document listeners of one run, and what they have seen. */
export class Page {
  /** The browser said it is offline (and `online` has not fired since). */
  offline = false
  #hidden: boolean
  readonly #watchOnline: boolean
  readonly #signals: PageSignals

  /** Starts listening; `watchOnline` is `options.reconnectOnOnline`. */
  constructor(signals: PageSignals, watchOnline: boolean) {
    this.#signals = signals
    this.#watchOnline = watchOnline
    this.#hidden = (globalThis as Global).document?.visibilityState === 'hidden'
    this.checkOnline()
    this.#listen('addEventListener')
  }

  /** Notes an offline browser that fired no event (the run started offline, or went so unnoticed). */
  checkOnline(): void {
    if (this.#watchOnline && (globalThis as Global).navigator?.onLine === false) this.offline = true
  }

  /** Stops listening. */
  stop(): void {
    this.#listen('removeEventListener')
  }

  #listen(method: 'addEventListener' | 'removeEventListener'): void {
    const g = globalThis as Global
    const types = this.#watchOnline ? ['online', 'offline', 'pagehide', 'pageshow'] : ['pagehide', 'pageshow']
    if (typeof g[method] === 'function') for (const type of types) g[method](type, this.#onEvent)
    if (typeof g.document?.[method] === 'function') g.document[method]('visibilitychange', this.#onEvent)
  }

  readonly #onEvent = (event: Event): void => {
    const persisted = (event as PageTransitionEvent).persisted
    switch (event.type) {
      case 'offline':
        this.offline = true
        return
      case 'online':
        this.offline = false
        this.#signals.online()
        return
      case 'visibilitychange': {
        const wasHidden = this.#hidden
        this.#hidden = (globalThis as Global).document?.visibilityState === 'hidden'
        if (wasHidden && !this.#hidden) this.#signals.visible()
        return
      }
      case 'pagehide':
        if (persisted) this.#signals.suspend()
        return
      case 'pageshow':
        if (persisted) this.#signals.resume()
    }
  }
}
