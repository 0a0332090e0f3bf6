/**
 * The demo page: one ResilientWebSocket talking to the chaos server, the
 * controls that make that server misbehave, and the views (status, timeline,
 * log) that show what the library decided. The status panel is React: its
 * `useResilientWebSocket` owns the socket (see status-panel.tsx).
 */
import {
  CLOSE_CODES,
  describeCloseCode,
  isCloseCodeError,
  type ResilientWebSocket,
  type ResilientWebSocketOptions,
} from '../src/index.js'
// The library's own option check, so a rejected form never costs the running socket its connection.
import { resolveOptions } from '../src/options.js'
import { chaosSocketUrl, orderChaos } from './chaos-client.js'
import {
  type ChaosAction,
  type ChaosState,
  isSendableCloseCode,
  MAX_REASON_BYTES,
  utf8Length,
} from './chaos-protocol.js'
import { byId, formatMs, h } from './dom.js'
import { EventLog } from './event-log.js'
import { describeDefault, PolicyForm } from './policy-form.js'
import { mountStatusPanel } from './status-panel.js'
import { type CloseKind, Timeline } from './timeline.js'

type WebSocketConstructor = NonNullable<ResilientWebSocketOptions['WebSocket']>

/** One socket instance; the page starts a new one when the policies change. */
interface Run {
  id: number
  /** Set once the panel's hook has created the socket (right after the run's first render). */
  ws: ResilientWebSocket | null
  /** The options the hook creates the socket with, the counted constructor included. */
  options: ResilientWebSocketOptions
  onSocket: (ws: ResilientWebSocket) => void
  /** Messages sent while CONNECTING and not yet flushed or dropped. */
  buffered: number
  openedAt: number | null
  nextRetry: { at: number; attempt: number } | null
  /** Set by a CloseCodeError, which comes right before the run's final close. */
  failure: string | null
}

const clientId = Math.random().toString(36).slice(2, 8)
const log = new EventLog(byId('log', HTMLOListElement))
const timeline = new Timeline(byId('timeline', SVGSVGElement))

let run: Run | null = null
let runCount = 0
let networkOnline = navigator.onLine
let networkSimulated = false
let simulatedOffline = false
let dispatching = false

// ---------------------------------------------------------------- the socket

/** The native constructor, counted: every attempt the library makes becomes a timeline lane. */
function countedWebSocket(runId: number): WebSocketConstructor {
  return new Proxy(WebSocket, {
    construct(target, args: ConstructorParameters<typeof WebSocket>) {
      const socket = Reflect.construct(target, args) as WebSocket
      timeline.attempt(runId)
      if (run?.id === runId) run.nextRetry = null
      return socket
    },
  })
}

function closeKind(current: Run, willReconnect: boolean): CloseKind {
  if (willReconnect) return 'retry'
  return current.failure === null ? 'stop' : 'error'
}

function codeName(code: number): string {
  return describeCloseCode(code).name
}

/**
 * Starts a new run with these options (the panel's hook closes the old socket
 * and creates the new one); returns the library's message when it rejects them.
 */
function connect(options: ResilientWebSocketOptions): string | null {
  try {
    resolveOptions(options)
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  }
  const id = ++runCount
  const previous = run
  const current: Run = {
    id,
    ws: null,
    options: { ...options, WebSocket: countedWebSocket(id) },
    onSocket: (ws) => {
      if (current.ws !== null) return
      current.ws = ws
      listen(current, ws)
    },
    buffered: 0,
    openedAt: null,
    nextRetry: null,
    failure: null,
  }
  run = current
  if (previous?.ws && previous.ws.readyState !== WebSocket.CLOSED) {
    log.add('you', 'new policies: the old socket is closed, a new socket started')
  }
  render()
  return null
}

function listen(current: Run, ws: ResilientWebSocket): void {
  const { id } = current
  const isCurrent = () => run === current

  ws.on('open', () => {
    timeline.opened(id)
    current.openedAt = performance.now()
    current.buffered = 0
    current.failure = null
    log.add('open', 'connected', isCurrent() ? '' : ' (old socket)')
    if (isCurrent()) void control({ action: 'state' }, { quiet: true })
    render()
  })

  ws.on('message', (event) => {
    const { data } = event
    if (data === 'pong') return
    const text = typeof data === 'string' ? data : `<binary, ${data instanceof Blob ? data.size : '?'} bytes>`
    log.add('message', '← ', { quote: text })
  })

  ws.on('error', (event) => {
    const error = event.error
    if (isCloseCodeError(error)) {
      current.failure = `${error.code} ${codeName(error.code)}`
      log.add(
        'error',
        `${error.name}: ${error.message}`,
        ...(error.reason ? [' · reason ', { quote: error.reason }] : []),
      )
    } else if (error instanceof Error) {
      log.add('error', `${error.name}: ${error.message}`)
    } else {
      log.add('error', 'native error event: the connection failed or dropped')
    }
  })

  ws.on('close', (event) => {
    const kind = closeKind(current, event.willReconnect)
    timeline.closed(id, event.code, event.reason, kind)
    current.openedAt = null
    log.add(
      'close',
      { code: String(event.code) },
      ` ${codeName(event.code)}`,
      ...(event.reason ? [' · reason ', { quote: event.reason }] : []),
      ` · wasClean ${event.wasClean} · `,
      event.willReconnect ? 'will reconnect' : 'stopped for good',
    )
    if (!event.willReconnect) current.nextRetry = null
    render()
  })

  ws.on('reconnecting', (event) => {
    timeline.retrying(id, event.delayMs, event.attempt)
    current.nextRetry = { at: performance.now() + event.delayMs, attempt: event.attempt }
    log.add('reconnecting', `retry ${event.attempt} in ${formatMs(event.delayMs)} after `, { code: String(event.code) })
    render()
  })

  ws.on('drop', (event) => {
    current.buffered = Math.max(0, current.buffered - 1)
    const text = typeof event.data === 'string' ? event.data : '<binary>'
    log.add('drop', 'unsent message ', { quote: text }, ` dropped (${event.reason})`)
    render()
  })
}

// ------------------------------------------------------------------- status

const renderPanel = mountStatusPanel(byId('status-card', HTMLElement))

/** Re-renders the panel for the current run (the hook reads the socket's state; the rest comes from here). */
function render(): void {
  if (!run) return
  renderPanel(run.id, {
    url: chaosSocketUrl(clientId),
    options: run.options,
    onSocket: run.onSocket,
    buffered: run.buffered,
    openedAt: run.openedAt,
    nextRetry: run.nextRetry,
    network: { online: networkOnline, simulated: networkSimulated },
    now: performance.now(),
  })
}

// ----------------------------------------------------------- server controls

const serverState = byId('server-state', HTMLElement)

function describeServer(state: ChaosState): string {
  const parts = [`${state.tabs} tab${state.tabs === 1 ? '' : 's'} connected`, `echo ${state.echo ? 'on' : 'off'}`]
  if (state.refuseNext > 0) parts.push(`refusing this tab's next ${state.refuseNext}`)
  if (state.hangNext) parts.push("this tab's next handshake hangs")
  if (state.restarting) parts.push('restarting')
  return `Server: ${parts.join(' · ')}`
}

async function control(command: ChaosAction, { quiet = false } = {}): Promise<void> {
  try {
    const response = await orderChaos(clientId, command)
    if (!quiet && response.message) log.add('server', response.message)
    serverState.textContent = describeServer(response.state)
  } catch (error) {
    if (!quiet) log.add('server', error instanceof Error ? error.message : String(error))
  }
}

const closeCode = byId('close-code', HTMLSelectElement)
const customCode = byId('custom-code', HTMLInputElement)
const closeReason = byId('close-reason', HTMLInputElement)
const closeInfo = byId('close-code-info', HTMLElement)

for (const [code, info] of Object.entries(CLOSE_CODES)) {
  const sendable = isSendableCloseCode(Number(code))
  closeCode.append(
    h('option', {
      value: code,
      text: sendable ? `${code} ${info.name}` : `${code} ${info.name} (never sent on the wire)`,
      disabled: !sendable,
      selected: code === '1008',
    }),
  )
}
closeCode.append(h('option', { value: 'custom', text: 'Custom code, 3000–4999…' }))

function chosenCode(): number {
  return closeCode.value === 'custom' ? customCode.valueAsNumber : Number(closeCode.value)
}

function describeChoice(): void {
  customCode.disabled = closeCode.value !== 'custom'
  const code = chosenCode()
  const valid = closeCode.value !== 'custom' || (Number.isInteger(code) && code >= 3000 && code <= 4999)
  if (!valid) {
    closeInfo.textContent = 'A custom code must be an integer from 3000 to 4999.'
    return
  }
  const info = describeCloseCode(code)
  closeInfo.textContent = `${info.name}: ${info.meaning} Default policy: ${describeDefault(info.policy)}.`
}
closeCode.addEventListener('change', () => {
  describeChoice()
  if (closeCode.value === 'custom') customCode.focus()
})
customCode.addEventListener('input', describeChoice)
describeChoice()

byId('close-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault()
  const code = chosenCode()
  const reason = closeReason.value
  if (closeCode.value === 'custom' && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
    log.add('server', 'Not sent: a custom code must be an integer from 3000 to 4999.')
    return
  }
  if (utf8Length(reason) > MAX_REASON_BYTES) {
    log.add('server', `Not sent: the reason is longer than ${MAX_REASON_BYTES} UTF-8 bytes.`)
    return
  }
  void control({ action: 'close', code, reason })
})

byId('drop', HTMLButtonElement).addEventListener('click', () => void control({ action: 'drop' }))
byId('restart', HTMLButtonElement).addEventListener('click', () => void control({ action: 'restart' }))
byId('silent', HTMLButtonElement).addEventListener('click', () => void control({ action: 'silent' }))
byId('hang', HTMLButtonElement).addEventListener('click', () => {
  void control({ action: 'hang' }).then(() =>
    log.add('you', 'tip: Drop TCP now to make the client start that handshake'),
  )
})
byId('refuse-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault()
  const count = byId('refuse-count', HTMLInputElement).valueAsNumber
  void control({ action: 'refuse', count: Number.isFinite(count) ? count : 0 })
})
const echo = byId('echo', HTMLInputElement)
echo.addEventListener('change', () => void control({ action: 'echo', on: echo.checked }))

// ----------------------------------------------------------- client controls

const messageInput = byId('message', HTMLInputElement)
let messageNumber = 1

byId('send-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault()
  const ws = run?.ws
  if (!run || !ws) return
  const text = messageInput.value
  const before = ws.readyState
  try {
    ws.send(text)
  } catch (error) {
    log.add('send', { quote: text }, ` — threw ${error instanceof Error ? error.name : String(error)}`)
    return
  }
  if (before === WebSocket.CONNECTING) run.buffered++
  const note =
    before === WebSocket.CONNECTING
      ? ` — buffered (${run.buffered} waiting)`
      : before === WebSocket.OPEN
        ? ''
        : ' — discarded: the socket is closed, like a native one'
  log.add('send', '→ ', { quote: text }, note)
  messageNumber++
  messageInput.value = `message ${messageNumber}`
  render()
})

byId('close', HTMLButtonElement).addEventListener('click', () => {
  log.add('you', 'close()')
  run?.ws?.close()
  render()
})

byId('reconnect', HTMLButtonElement).addEventListener('click', () => {
  if (!run?.ws) return
  log.add('you', 'reconnect()')
  run.failure = null
  run.ws.reconnect()
  render()
})

const offlineToggle = byId('offline-toggle', HTMLButtonElement)
offlineToggle.addEventListener('click', () => {
  simulatedOffline = !simulatedOffline
  const type = simulatedOffline ? 'offline' : 'online'
  offlineToggle.setAttribute('aria-pressed', String(simulatedOffline))
  offlineToggle.textContent = simulatedOffline ? 'Simulate online' : 'Simulate offline'
  log.add('you', `dispatched “${type}” on window`)
  dispatching = true
  try {
    window.dispatchEvent(new Event(type))
  } finally {
    dispatching = false
  }
})

for (const type of ['online', 'offline'] as const) {
  window.addEventListener(type, () => {
    networkOnline = type === 'online'
    networkSimulated = dispatching
    if (!dispatching) log.add('you', `the browser went ${type}`)
    render()
  })
}

// ------------------------------------------------------------------- the rest

byId('clear-log', HTMLButtonElement).addEventListener('click', () => log.clear())
const windowSelect = byId('timeline-window', HTMLSelectElement)
windowSelect.addEventListener('change', () => {
  timeline.window = windowSelect.value === 'fit' ? 'fit' : Number(windowSelect.value)
  timeline.render()
})

byId('client-id', HTMLElement).textContent = clientId

const policies = new PolicyForm((options) => connect(options))
const initial = policies.read()
const problem = connect(initial)
if (problem === null) policies.markApplied(initial)
else log.add('error', problem)

setInterval(() => {
  if (document.visibilityState === 'hidden') return
  timeline.render()
  render()
}, 200)
timeline.render()
