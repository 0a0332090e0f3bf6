/** The event log: one line per event, newest first, capped so a long session stays light. */
import { clip, h } from './dom.js'

/** Library events by name, plus what the person did (`you`) and what the server answered (`server`). */
export type LogKind = 'open' | 'message' | 'close' | 'error' | 'reconnecting' | 'drop' | 'send' | 'you' | 'server'

/** One piece of a log line; `quote` marks untrusted text (shown quoted, clipped, never parsed). */
export type LogPart = string | { quote: string } | { code: string }

export class EventLog {
  readonly #list: HTMLOListElement
  readonly #cap: number
  readonly #started = performance.now()

  constructor(list: HTMLOListElement, cap = 200) {
    this.#list = list
    this.#cap = cap
  }

  add(kind: LogKind, ...parts: LogPart[]): void {
    const seconds = (performance.now() - this.#started) / 1000
    const text = h('span', { class: 'log-text' })
    for (const part of parts) {
      if (typeof part === 'string') text.append(part)
      else if ('quote' in part) text.append(h('q', { class: 'untrusted', title: part.quote, text: clip(part.quote) }))
      else text.append(h('code', { text: part.code }))
    }
    const item = h(
      'li',
      { class: `log-item log-${kind}` },
      h('time', { text: `${seconds.toFixed(1).padStart(6, '\u2007')} s` }),
      h('span', { class: 'log-kind', text: kind }),
      text,
    )
    this.#list.prepend(item)
    while (this.#list.childElementCount > this.#cap) this.#list.lastElementChild?.remove()
  }

  clear(): void {
    this.#list.replaceChildren()
  }
}
