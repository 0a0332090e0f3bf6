/**
 * The page around the socket, for tests in Node: a window, a document and a
 * navigator that the wrapper reaches through `globalThis`, each target knowing
 * which listeners are registered on it (so a test can check nothing leaks).
 *
 * The events come the way a browser fires them, and only when a browser could:
 * `navigator.onLine` changes before `online`/`offline` fires, and only on a
 * change; `visibilityState` changes before a bubbling `visibilitychange`, and
 * only on a change; `pagehide`/`pageshow` carry `persisted`, a page is hidden
 * only while it is showing, and `pageshow` with `persisted` only restores a
 * page a persisted `pagehide` put in the back/forward cache. A test that asks
 * for a sequence no browser produces fails at that line, not in the wrapper.
 *
 * One event at a time: a browser also turns a page entering the cache hidden
 * (`visibilitychange` after `pagehide`); a test that wants both fires both.
 */
import { vi } from 'vitest'

type Listener = EventListenerOrEventListenerObject

/**
 * An EventTarget that knows which listeners are registered on it, keyed like
 * EventTarget dedupes them: (type, listener, capture). A listener added with
 * `once` or `signal` counts until it is removed by name (the wrapper uses
 * neither on the page; counting it is the safe side of a leak check).
 */
export class ListenerTrackingTarget extends EventTarget {
  readonly #registered = new Map<string, Set<Listener>>()

  #key(type: string, options?: boolean | EventListenerOptions): string {
    const capture = typeof options === 'boolean' ? options : Boolean(options?.capture)
    return `${type}:${capture ? 'capture' : 'bubble'}`
  }

  override addEventListener(
    type: string,
    listener: Listener | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (listener) {
      const key = this.#key(type, options)
      const set = this.#registered.get(key) ?? new Set()
      set.add(listener)
      this.#registered.set(key, set)
    }
    super.addEventListener(type, listener, options)
  }

  override removeEventListener(
    type: string,
    listener: Listener | null,
    options?: boolean | EventListenerOptions,
  ): void {
    if (listener) this.#registered.get(this.#key(type, options))?.delete(listener)
    super.removeEventListener(type, listener, options)
  }

  /** Registered listeners per event type (types with none are left out). */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const [key, listeners] of this.#registered) {
      if (listeners.size === 0) continue
      const type = key.slice(0, key.lastIndexOf(':'))
      counts[type] = (counts[type] ?? 0) + listeners.size
    }
    return counts
  }

  /** All registered listeners. */
  total(): number {
    return Object.values(this.counts()).reduce((sum, count) => sum + count, 0)
  }
}

/** Node has no `PageTransitionEvent`; this one carries the same read-only field. */
export class PageTransitionEventStub extends Event {
  readonly persisted: boolean

  constructor(type: 'pagehide' | 'pageshow', init: { persisted: boolean }) {
    super(type)
    this.persisted = init.persisted
  }
}

export class NavigatorStub {
  #onLine: boolean

  constructor(onLine: boolean) {
    this.#onLine = onLine
  }

  get onLine(): boolean {
    return this.#onLine
  }

  /** @internal for WindowStub: only the window changes it, right before it fires the event. */
  set(onLine: boolean): void {
    this.#onLine = onLine
  }
}

export class DocumentStub extends ListenerTrackingTarget {
  #visibilityState: DocumentVisibilityState

  constructor(visibilityState: DocumentVisibilityState) {
    super()
    this.#visibilityState = visibilityState
  }

  get visibilityState(): DocumentVisibilityState {
    return this.#visibilityState
  }

  get hidden(): boolean {
    return this.#visibilityState === 'hidden'
  }

  becomeVisible(): void {
    this.#change('visible')
  }

  becomeHidden(): void {
    this.#change('hidden')
  }

  #change(state: DocumentVisibilityState): void {
    if (this.#visibilityState === state) {
      throw new Error(`DocumentStub: the page is already ${state}; a browser fires visibilitychange only on a change`)
    }
    this.#visibilityState = state
    this.dispatchEvent(new Event('visibilitychange', { bubbles: true }))
  }
}

export class WindowStub extends ListenerTrackingTarget {
  readonly navigator: NavigatorStub
  /** The page is showing (loaded and not hidden by `pagehide`). */
  #showing: boolean
  /** A persisted `pagehide` put the page in the back/forward cache. */
  #cached = false
  /** A `pagehide` without `persisted`: the page was unloaded and is never shown again. */
  #unloaded = false

  constructor(navigator: NavigatorStub, showing: boolean) {
    super()
    this.navigator = navigator
    this.#showing = showing
  }

  goOffline(): void {
    this.#network(false)
  }

  goOnline(): void {
    this.#network(true)
  }

  /** The page is left: `persisted` when it enters the back/forward cache, not when it is unloaded. */
  pageHide(persisted: boolean): void {
    if (!this.#showing) throw new Error('WindowStub: pagehide on a page that is not showing')
    this.#showing = false
    this.#cached = persisted
    this.#unloaded = !persisted
    this.dispatchEvent(new PageTransitionEventStub('pagehide', { persisted }))
  }

  /** The page is shown: restored from the back/forward cache (`persisted`), or loaded for the first time. */
  pageShow(persisted: boolean): void {
    if (this.#showing) throw new Error('WindowStub: pageshow on a page that is already showing')
    if (this.#unloaded)
      throw new Error('WindowStub: pageshow after a pagehide without persisted: an unloaded page is not shown again')
    if (persisted !== this.#cached) {
      throw new Error(
        persisted
          ? 'WindowStub: pageshow with persisted, but no persisted pagehide put the page in the back/forward cache'
          : 'WindowStub: pageshow without persisted restores no cached page (that is only the first show of a loading page)',
      )
    }
    this.#showing = true
    this.#cached = false
    this.dispatchEvent(new PageTransitionEventStub('pageshow', { persisted }))
  }

  #network(onLine: boolean): void {
    if (this.navigator.onLine === onLine) {
      throw new Error(
        `WindowStub: already ${onLine ? 'online' : 'offline'}; a browser fires ${onLine ? 'online' : 'offline'} only on a change`,
      )
    }
    this.navigator.set(onLine)
    this.dispatchEvent(new Event(onLine ? 'online' : 'offline'))
  }
}

export interface PageOptions {
  /** `navigator.onLine` at the start. @default true */
  onLine?: boolean
  /** `document.visibilityState` at the start (a tab opened in the background starts hidden). @default 'visible' */
  visibilityState?: DocumentVisibilityState
  /** Whether the page has been shown (its first `pageshow`) yet. @default true */
  showing?: boolean
}

export interface PageStub {
  window: WindowStub
  document: DocumentStub
  navigator: NavigatorStub
  /** Listeners on the window and the document, per event type: what must be empty once a socket stopped. */
  counts(): Record<string, number>
}

/**
 * Makes `globalThis` look like a page: `addEventListener`/`removeEventListener`
 * of the window, `navigator` and `document`. Undo with `vi.unstubAllGlobals()`.
 */
export function stubPage(options: PageOptions = {}): PageStub {
  const navigator = new NavigatorStub(options.onLine ?? true)
  const window = new WindowStub(navigator, options.showing ?? true)
  const document = new DocumentStub(options.visibilityState ?? 'visible')
  vi.stubGlobal('addEventListener', window.addEventListener.bind(window))
  vi.stubGlobal('removeEventListener', window.removeEventListener.bind(window))
  vi.stubGlobal('navigator', navigator)
  vi.stubGlobal('document', document)
  return {
    window,
    document,
    navigator,
    counts: () => {
      const counts = { ...window.counts() }
      for (const [type, count] of Object.entries(document.counts())) counts[type] = (counts[type] ?? 0) + count
      return counts
    },
  }
}
