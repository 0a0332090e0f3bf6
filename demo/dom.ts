/**
 * The few DOM helpers the page needs. Text only ever goes in through
 * `textContent`: close reasons and messages come from the server and are
 * untrusted, so nothing here parses HTML.
 */

type Props = { class?: string; text?: string } & Record<string, string | number | boolean | undefined>

/** Creates an element; `text` becomes its textContent, every other prop an attribute (`false`/`undefined` omit it). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(props)) {
    if (name === 'text') element.textContent = String(value)
    else if (value === true) element.setAttribute(name, '')
    else if (value !== false && value !== undefined) element.setAttribute(name, String(value))
  }
  element.append(...children)
  return element
}

const SVG_NS = 'http://www.w3.org/2000/svg'

/** Creates an SVG element with attributes, and optional text (as textContent). */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag)
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value))
  if (text !== undefined) element.textContent = text
  return element
}

/** The element with this id, checked to be of the expected type: a missing element is a bug in index.html. */
export function byId<T extends Element>(id: string, type: abstract new (...args: never[]) => T): T {
  const element = document.getElementById(id)
  if (!(element instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}`)
  return element
}

/** Seconds with one decimal below a minute, for delays and durations. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '∞'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** Shortens untrusted text for one log line; the full text stays in the title attribute. */
export function clip(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
