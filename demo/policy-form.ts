/**
 * The editable policy table and backoff settings. It only reads the form into
 * `ResilientWebSocketOptions`; checking them is the library's job (its
 * constructor names the bad option), and the page shows that message.
 */
import {
  CLOSE_CODES,
  type CloseAction,
  type CloseCodeInfo,
  DEFAULT_OPTIONS,
  type Policies,
  type Policy,
  type ResilientWebSocketOptions,
} from '../src/index.js'
import { byId, h } from './dom.js'

const ACTIONS: readonly CloseAction[] = ['stop', 'retry', 'error']

function actionSelect(selected: CloseAction, defaultAction: CloseAction | null, label: string): HTMLSelectElement {
  const select = h('select', { 'aria-label': label })
  for (const action of ACTIONS) {
    const text = action === defaultAction ? `${action} (default)` : action
    select.append(h('option', { value: action, text, selected: action === selected }))
  }
  return select
}

/**
 * Shows the library's defaults in the form, read from `DEFAULT_OPTIONS` so the
 * page cannot drift from the code. Set as the fields' default values, so the
 * form's Reset returns to them. (The connect timeout and heartbeat stay the
 * demo's own, set in index.html, so "hang" and "go silent" show quickly.)
 */
function fillLibraryDefaults(): void {
  const { backoff, stableAfterMs, maxRetries, connectTimeoutMs } = DEFAULT_OPTIONS
  const number = (id: string, value: number) => {
    const input = byId(id, HTMLInputElement)
    input.defaultValue = Number.isFinite(value) ? String(value) : ''
    input.value = input.defaultValue
  }
  number('initial-delay', backoff.initialDelayMs)
  number('max-delay', backoff.maxDelayMs)
  number('factor', backoff.factor)
  number('stable-after', stableAfterMs)
  number('max-retries', maxRetries) // Infinity: empty, shown as the ∞ placeholder
  for (const option of byId('jitter', HTMLSelectElement).options) {
    option.defaultSelected = option.selected = option.value === backoff.jitter
  }
  byId('connect-timeout-label', HTMLLabelElement).title = `Library default: ${connectTimeoutMs}`
}

/** A registry row's default as an action, and in words (1013 retries with a slower backoff of its own). */
export function defaultAction(policy: CloseCodeInfo['policy']): CloseAction {
  return typeof policy === 'string' ? policy : policy.action
}

export function describeDefault(policy: CloseCodeInfo['policy']): string {
  if (typeof policy === 'string') return policy
  const { initialDelayMs, maxDelayMs } = policy.backoff
  return `${policy.action}, backoff from ${initialDelayMs / 1000} s up to ${maxDelayMs / 1000} s`
}

function isAction(value: string): value is CloseAction {
  return (ACTIONS as readonly string[]).includes(value)
}

export class PolicyForm {
  readonly #form: HTMLFormElement
  readonly #rows: HTMLTableSectionElement
  readonly #rules: HTMLElement
  readonly #status: HTMLElement
  readonly #error: HTMLElement
  #applied = ''

  /** `apply` gets the form's options and returns an error message when the library refused them. */
  constructor(apply: (options: ResilientWebSocketOptions) => string | null) {
    this.#form = byId('policy-form', HTMLFormElement)
    this.#rows = byId('policy-rows', HTMLTableSectionElement)
    this.#rules = byId('custom-rules', HTMLElement)
    this.#status = byId('policy-status', HTMLElement)
    this.#error = byId('policy-error', HTMLElement)
    fillLibraryDefaults()
    this.#buildTable()

    byId('add-rule', HTMLButtonElement).addEventListener('click', () => {
      this.#addRule('', 'error')
      this.#refresh()
    })
    this.#form.addEventListener('input', () => this.#refresh())
    this.#form.addEventListener('change', () => this.#refresh())
    this.#form.addEventListener('reset', () => {
      // The browser restores the static fields after this event; the generated rows are rebuilt here.
      queueMicrotask(() => {
        this.#buildTable()
        this.#rules.replaceChildren()
        this.#refresh()
      })
    })
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault()
      const options = this.read()
      const problem = apply(options)
      this.#error.textContent = problem ?? ''
      if (problem === null) this.#applied = JSON.stringify(options)
      this.#refresh()
    })
  }

  /** Marks the current form content as what the running socket uses. */
  markApplied(options: ResilientWebSocketOptions): void {
    this.#applied = JSON.stringify(options)
    this.#refresh()
  }

  /** The socket options the form describes (without the `WebSocket` constructor). */
  read(): ResilientWebSocketOptions {
    const policies: Record<string, Policy> = {}
    for (const row of this.#rows.rows) {
      const select = row.querySelector('select')
      const code = row.dataset.code
      if (select && code && select.value !== row.dataset.default && isAction(select.value))
        policies[code] = select.value
    }
    for (const rule of this.#rules.children) {
      const key = rule.querySelector('input')?.value.trim() ?? ''
      const action = rule.querySelector('select')?.value ?? ''
      if (key !== '' && isAction(action)) policies[key] = action
    }
    const num = (id: string) => byId(id, HTMLInputElement).valueAsNumber
    const maxRetries = byId('max-retries', HTMLInputElement).value.trim()
    const options: ResilientWebSocketOptions = {
      policies: policies as Policies,
      backoff: {
        initialDelayMs: num('initial-delay'),
        maxDelayMs: num('max-delay'),
        factor: num('factor'),
        jitter: byId('jitter', HTMLSelectElement).value as 'full',
      },
      maxRetries: maxRetries === '' ? Number.POSITIVE_INFINITY : Number(maxRetries),
      stableAfterMs: num('stable-after'),
      connectTimeoutMs: num('connect-timeout'),
      heartbeat: byId('heartbeat', HTMLInputElement).checked
        ? { intervalMs: num('heartbeat-interval'), timeoutMs: num('heartbeat-timeout') }
        : false,
    }
    return options
  }

  #buildTable(): void {
    const rows = Object.entries(CLOSE_CODES).map(([code, info]) => {
      const action = defaultAction(info.policy)
      const select = actionSelect(action, action, `On close ${code}`)
      const row = h(
        'tr',
        { 'data-code': code, 'data-default': action },
        h('td', {}, h('code', { text: code })),
        h('td', { text: info.name, title: `${info.meaning} Default: ${describeDefault(info.policy)}.` }),
        h('td', {}, select),
      )
      return row
    })
    this.#rows.replaceChildren(...rows)
  }

  #addRule(key: string, action: CloseAction): void {
    const input = h('input', {
      type: 'text',
      value: key,
      placeholder: '4000-4999, 4001 or default',
      'aria-label': 'Code, range or default',
      spellcheck: 'false',
      autocomplete: 'off',
    })
    const remove = h('button', { type: 'button', class: 'icon', 'aria-label': 'Remove rule', text: '×' })
    const rule = h('div', { class: 'rule' }, input, actionSelect(action, null, 'On close'), remove)
    remove.addEventListener('click', () => {
      rule.remove()
      this.#refresh()
    })
    this.#rules.append(rule)
    input.focus()
  }

  #refresh(): void {
    for (const row of this.#rows.rows) {
      const select = row.querySelector('select')
      row.classList.toggle('overridden', select !== null && select.value !== row.dataset.default)
    }
    const dirty = JSON.stringify(this.read()) !== this.#applied
    this.#status.textContent = dirty ? 'Edited — not applied yet' : 'In use by the current socket'
    this.#status.classList.toggle('dirty', dirty)
  }
}
