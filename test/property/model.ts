/**
 * The reference model: what the socket must be doing, updated by the commands
 * the test runs and by what the wrapper is seen to do. Every event the wrapper
 * emits is matched, as it happens, against the sequence the model expects;
 * `settle()` then checks the invariants between two steps. The model is
 * written from the contract (issue 2 and the implementation notes), never from
 * the library's code.
 */
import { FakeWebSocket } from '../support/fake-websocket.js'
import { utf8Bytes } from '../support/utf8.js'
import type { Deferred } from './deferred.js'
import {
  type DelayRule,
  delayRule,
  delayViolation,
  type ExpectedCall,
  lookup,
  type ResolvedModelOptions,
} from './reference.js'

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3

export type Phase = 'connecting' | 'open' | 'waiting' | 'closing' | 'closed'
const READY_STATE: Record<Phase, number> = {
  connecting: CONNECTING,
  waiting: CONNECTING,
  open: OPEN,
  closing: CLOSING,
  closed: CLOSED,
}

/** Thrown by every generated policy function told to throw. */
export const POLICY_FAILURE = new Error('generated policy function failed')

/** Payloads the app sends start with this; heartbeat pings never do. */
export const PAYLOAD_PREFIX = 'm:'

type ErrorMatch =
  | { kind: 'native' }
  | { kind: 'connect-timeout' }
  | { kind: 'heartbeat-timeout' }
  | { kind: 'provider'; value: unknown }
  | { kind: 'syntax' }
  | { kind: 'close-code'; code: number; reason: string | undefined }

type Expected = { readyStates: number[]; floating?: boolean } & (
  | { type: 'error'; match: ErrorMatch }
  | { type: 'drop'; data: string; reason: 'overflow' | 'closed' }
  | { type: 'close'; code: number; reason: string | undefined; wasClean: boolean; willReconnect: boolean }
  | { type: 'reconnecting'; attempt: number; code: number; reason: string | undefined; rule: DelayRule }
  | { type: 'open' }
  | { type: 'message'; data: string }
)

interface Attempt {
  startedAt: number
  /** The URL provider was called (or, for a static URL, the socket was created). */
  started: boolean
  /** The URL is known: a native socket must follow. */
  urlReady: boolean
  socket: FakeWebSocket | undefined
  deferred: Deferred<string | URL> | undefined
}

export type SendExpectation =
  | { throws: undefined }
  | { throws: 'InvalidStateError' }
  | { throws: 'BufferOverflowError'; limits: Array<'maxMessages' | 'maxBytes'> }

/** What the socket under test exposes to the model (a structural view, so any build can be checked). */
export interface Observed {
  readyState: number
  bufferedAmount: number
  retryCount: number
  url: string
}

export class Model {
  phase: Phase = 'connecting'
  attempt: Attempt | undefined
  retryCount = 0
  retry: { dueAt: number | undefined; cuttable: boolean } | undefined
  openAt = 0
  lastMessageAt = Number.NEGATIVE_INFINITY
  offline = false
  /** An `online` event was dispatched during the current step. */
  onlineThisStep = false
  /** The `online` event of this step must fire the pending retry. */
  retryOwedToOnline = false
  queue: Array<{ data: string; bytes: number }> = []
  /** Payloads handed to an open native socket, in order. */
  readonly delivered: string[] = []
  /** Payloads reported by `drop` events. */
  readonly dropped: string[] = []
  /** Every payload that must end up delivered or dropped. */
  readonly accepted: string[] = []
  /** Sockets the wrapper has left behind (closed, abandoned or replaced). */
  readonly abandoned: FakeWebSocket[] = []
  readonly expectedCalls: ExpectedCall[] = []
  readonly observedCalls: ExpectedCall[] = []
  runs = 1
  finalClosesThisRun = 0
  largestDelay = 0
  readonly violations: string[] = []
  /** Counts for the report. */
  readonly stats = {
    opens: 0,
    closes: 0,
    retries: 0,
    stops: 0,
    closeCodeErrors: 0,
    connectTimeouts: 0,
    heartbeatDeaths: 0,
    providerFailures: 0,
    invalidUrls: 0,
    onlineShortcuts: 0,
    policyCalls: 0,
    delivered: 0,
    overflowDrops: 0,
    closedDrops: 0,
  }

  private pending: Expected[] = []
  private policyErrorsDue = 0
  private orphanPolicyErrors = 0

  constructor(
    readonly options: ResolvedModelOptions,
    private readonly staticUrl: boolean,
    readonly now: () => number,
  ) {
    this.startAttempt()
  }

  /** Events the model still expects the socket to emit. */
  get owesEvents(): boolean {
    return this.pending.length > 0
  }

  violate(message: string): void {
    this.violations.push(`[t=${this.now()} phase=${this.phase}] ${message}`)
  }

  private startAttempt(): void {
    this.phase = 'connecting'
    this.retry = undefined
    this.attempt = {
      startedAt: this.now(),
      started: false,
      urlReady: this.staticUrl,
      socket: undefined,
      deferred: undefined,
    }
  }

  private get queueBytes(): number {
    return this.queue.reduce((sum, entry) => sum + entry.bytes, 0)
  }

  private get blockedByOffline(): boolean {
    return this.options.reconnectOnOnline && this.offline
  }

  /** A pending retry fired (seen as a provider call or a native socket): check that now was the time. */
  private retryFired(): void {
    const retry = this.retry
    const now = this.now()
    if (retry === undefined || retry.dueAt === undefined) {
      this.violate('a retry fired before its reconnecting event')
    } else if (this.blockedByOffline) {
      this.violate('a retry fired while offline')
    } else {
      // Fake timers may run a 0 ms timer in the same millisecond or 1 ms later.
      const onTime = now >= retry.dueAt - 1 && now <= retry.dueAt + 1
      const cutByOnline =
        this.onlineThisStep && this.options.reconnectOnOnline && (retry.cuttable || now >= retry.dueAt - 1)
      if (!onTime && cutByOnline) this.stats.onlineShortcuts++
      if (!onTime && !cutByOnline) {
        this.violate(`a retry due at ${retry.dueAt} fired at ${now} (cuttable: ${retry.cuttable})`)
      }
    }
    this.retryOwedToOnline = false
    this.startAttempt()
  }

  // ---- what the wrapper is seen doing ------------------------------------------------------------

  onProviderCall(
    step: 'ok' | 'throw' | 'invalid' | 'async',
    detail: { failure?: unknown; deferred?: Deferred<string | URL> },
  ): void {
    if (this.phase === 'waiting') this.retryFired()
    const attempt = this.attempt
    if (this.phase !== 'connecting' || attempt === undefined || attempt.started) {
      this.violate(`URL provider called with no attempt waiting for it`)
      return
    }
    attempt.started = true
    if (step === 'ok') attempt.urlReady = true
    else if (step === 'throw')
      this.closeAttempt({ code: 1006, wasClean: false, cause: { kind: 'provider', value: detail.failure } })
    else if (step === 'invalid') this.stopForInvalidUrl()
    else attempt.deferred = detail.deferred
  }

  onSocketCreated(socket: FakeWebSocket): void {
    const live = FakeWebSocket.live()
    if (live.length > 1) this.violate(`${live.length} native sockets CONNECTING or OPEN at once`)
    if (this.phase === 'waiting' && this.staticUrl) this.retryFired()
    const attempt = this.attempt
    if (this.phase !== 'connecting' || attempt === undefined || !attempt.urlReady || attempt.socket !== undefined) {
      this.violate(`a native socket was created with no attempt waiting for one (${socket.url})`)
      this.abandoned.push(socket)
      return
    }
    attempt.started = true
    attempt.socket = socket
  }

  onPolicyCall(call: ExpectedCall): void {
    this.stats.policyCalls++
    this.observedCalls.push(call)
  }

  /** The test is about to settle an async provider call. */
  onProviderSettled(deferred: Deferred<string | URL>, outcome: 'ok' | 'reject' | 'invalid', failure: unknown): void {
    deferred.settled = true
    if (this.phase !== 'connecting' || this.attempt?.deferred !== deferred) return
    if (outcome === 'ok') this.attempt.urlReady = true
    else if (outcome === 'reject')
      this.closeAttempt({ code: 1006, wasClean: false, cause: { kind: 'provider', value: failure } })
    else this.stopForInvalidUrl()
  }

  onEvent(type: string, event: any, readyState: number): void {
    if (type === 'close' && event.willReconnect === false) {
      this.finalClosesThisRun++
      if (this.finalClosesThisRun > 1) this.violate(`a second final close in one run (code ${event.code})`)
    }
    if (type === 'error' && (event.error === POLICY_FAILURE || event.error instanceof TypeError)) {
      if (this.policyErrorsDue > 0) this.policyErrorsDue--
      else this.orphanPolicyErrors++
      return
    }
    let index = this.findMatch(type, event)
    if (index === -1 && this.pending.length === 0 && this.spontaneousFailure()) index = this.findMatch(type, event)
    if (index === -1) {
      this.violate(
        `unexpected ${describeEvent(type, event)}; expected ${this.pending.map(describeExpected).join(', ') || 'nothing'}`,
      )
      return
    }
    const [item] = this.pending.splice(index, 1) as [Expected]
    if (!item.readyStates.includes(readyState)) {
      this.violate(`readyState ${readyState} inside ${describeEvent(type, event)}; expected one of ${item.readyStates}`)
    }
    if (item.type === 'reconnecting') {
      const problem = delayViolation(item.rule, event.delayMs, this.largestDelay)
      if (problem) this.violate(problem)
      this.largestDelay = Math.max(this.largestDelay, event.delayMs)
      if (this.retry) this.retry.dueAt = this.now() + fakeTimerDelay(event.delayMs)
    }
  }

  /** The first expected item this event can be: the next fixed one, or any floating one before it. */
  private findMatch(type: string, event: any): number {
    for (let index = 0; index < this.pending.length; index++) {
      const item = this.pending[index]!
      if (matches(item, type, event)) return index
      if (!item.floating) break
    }
    return -1
  }

  /**
   * An event nobody asked for may start a timer-driven failure: a connect
   * timeout while connecting, a dead heartbeat while open. Its first event may
   * be a drop or the timeout's error; either way the failure must be due now.
   */
  private spontaneousFailure(): boolean {
    const now = this.now()
    const timeout = this.options.connectTimeoutMs
    if (this.phase === 'connecting' && this.attempt !== undefined && timeout > 0) {
      if (Math.abs(now - (this.attempt.startedAt + timeout)) > 1) return false
      this.stats.connectTimeouts++
      this.closeAttempt({ code: 1006, wasClean: false, cause: { kind: 'connect-timeout' } })
      return true
    }
    const heartbeat = this.options.heartbeat
    if (this.phase === 'open' && heartbeat !== false) {
      const earliest = Math.max(this.openAt + heartbeat.intervalMs, this.lastMessageAt) + heartbeat.timeoutMs
      if (now < earliest - 1) return false
      this.stats.heartbeatDeaths++
      this.closeAttempt({ code: 1006, wasClean: false, cause: { kind: 'heartbeat-timeout' } })
      return true
    }
    return false
  }

  // ---- what the commands do ----------------------------------------------------------------------

  /** The current attempt ends with a close of this code: the policy decides what follows. */
  closeAttempt(close: { code: number; reason?: string; wasClean: boolean; cause?: ErrorMatch }): void {
    if (this.pending.length > 0) this.violate('a new close while earlier events are still missing')
    if (this.phase === 'open' && this.now() - this.openAt >= this.options.stableAfterMs) this.retryCount = 0
    const attemptNumber = this.retryCount + 1
    const { outcome, calls, policyErrors } = lookup(this.options, close.code, attemptNumber)
    this.expectedCalls.push(...calls)
    this.expectPolicyErrors(policyErrors)
    let action: 'retry' | 'stop' | 'error' = outcome.action
    if (outcome.action === 'retry' && attemptNumber > outcome.maxRetries) {
      // Retries ran out. With nothing retried ("maxRetries 0: nothing was retried, so
      // nothing extra is surfaced") it is a plain stop; after retries, a CloseCodeError.
      action = this.retryCount === 0 ? 'stop' : 'error'
    }
    const readyStates = action === 'retry' ? [CONNECTING] : [CLOSED]
    this.abandonCurrent()
    this.stats.closes++
    if (close.cause?.kind === 'provider') this.stats.providerFailures++
    if (close.cause) this.pending.push({ type: 'error', match: close.cause, readyStates, floating: true })
    if (action !== 'retry') this.dropQueue()
    if (action === 'error') {
      this.stats.closeCodeErrors++
      this.pending.push({
        type: 'error',
        match: { kind: 'close-code', code: close.code, reason: close.reason },
        readyStates,
      })
    }
    this.pending.push({
      type: 'close',
      code: close.code,
      reason: close.reason,
      wasClean: close.wasClean,
      willReconnect: action === 'retry',
      readyStates,
    })
    if (outcome.action === 'retry' && action === 'retry') {
      this.stats.retries++
      this.pending.push({
        type: 'reconnecting',
        attempt: attemptNumber,
        code: close.code,
        reason: close.reason,
        rule: delayRule(outcome, attemptNumber),
        readyStates,
      })
      this.retryCount = attemptNumber
      this.phase = 'waiting'
      this.retry = { dueAt: undefined, cuttable: outcome.delayMs === undefined && close.code !== 1013 }
    } else {
      this.stats.stops++
      this.stop()
    }
  }

  private expectPolicyErrors(count: number): void {
    this.policyErrorsDue += count
    const absorbed = Math.min(this.orphanPolicyErrors, this.policyErrorsDue)
    this.orphanPolicyErrors -= absorbed
    this.policyErrorsDue -= absorbed
  }

  /** The native constructor rejected a provided URL: permanent, stop with that error. */
  private stopForInvalidUrl(): void {
    this.stats.invalidUrls++
    this.abandonCurrent()
    this.pending.push({ type: 'error', match: { kind: 'syntax' }, readyStates: [CLOSED], floating: true })
    this.dropQueue()
    this.stopWithAbnormalClose()
  }

  /** The run ends with the one final close: 1006, unclean, no reconnect. */
  private stopWithAbnormalClose(): void {
    this.pending.push({
      type: 'close',
      code: 1006,
      reason: undefined,
      wasClean: false,
      willReconnect: false,
      readyStates: [CLOSED],
    })
    this.stats.stops++
    this.stop()
  }

  private stop(): void {
    this.phase = 'closed'
    this.attempt = undefined
    this.retry = undefined
  }

  private abandonCurrent(): void {
    const socket = this.attempt?.socket
    if (socket) this.abandoned.push(socket)
    if (this.attempt) this.attempt.socket = undefined
  }

  private dropQueue(): void {
    for (const { data } of this.queue) {
      this.pending.push({ type: 'drop', data, reason: 'closed', readyStates: [CLOSING, CLOSED] })
      this.dropped.push(data)
      this.stats.closedDrops++
    }
    this.queue = []
  }

  open(): void {
    this.stats.opens++
    this.phase = 'open'
    this.openAt = this.now()
    this.lastMessageAt = Number.NEGATIVE_INFINITY
    this.pending.push({ type: 'open', readyStates: [OPEN] })
    this.delivered.push(...this.queue.map((entry) => entry.data))
    this.queue = []
  }

  message(data: string): void {
    this.lastMessageAt = this.now()
    this.pending.push({ type: 'message', data, readyStates: [OPEN] })
  }

  /**
   * `send()`. Called from inside a listener (`nested`), its overflow drops are
   * emitted before whatever the interrupted dispatch still owes.
   */
  send(data: string, nested = false): SendExpectation {
    const owed = nested ? this.pending.splice(0) : []
    try {
      return this.sendNow(data)
    } finally {
      this.pending.push(...owed)
    }
  }

  private sendNow(data: string): SendExpectation {
    if (this.phase === 'open') {
      this.accepted.push(data)
      this.delivered.push(data)
      return { throws: undefined }
    }
    if (this.phase === 'closing' || this.phase === 'closed') return { throws: undefined }
    const buffer = this.options.buffer
    if (buffer === false) return { throws: 'InvalidStateError' }
    const bytes = utf8Bytes(data)
    const fitsCount = this.queue.length + 1 <= buffer.maxMessages
    const fitsBytes = this.queueBytes + bytes <= buffer.maxBytes
    if (fitsCount && fitsBytes) {
      this.accepted.push(data)
      this.queue.push({ data, bytes })
      return { throws: undefined }
    }
    if (buffer.overflow === 'error') {
      const limits: Array<'maxMessages' | 'maxBytes'> = []
      if (!fitsCount) limits.push('maxMessages')
      if (!fitsBytes) limits.push('maxBytes')
      return { throws: 'BufferOverflowError', limits }
    }
    this.accepted.push(data)
    const neverFits = bytes > buffer.maxBytes || buffer.maxMessages === 0
    if (buffer.overflow === 'drop-newest' || neverFits) {
      this.dropOverflow(data)
      return { throws: undefined }
    }
    while (this.queue.length + 1 > buffer.maxMessages || this.queueBytes + bytes > buffer.maxBytes) {
      this.dropOverflow(this.queue.shift()!.data)
    }
    this.queue.push({ data, bytes })
    return { throws: undefined }
  }

  private dropOverflow(data: string): void {
    this.pending.push({ type: 'drop', data, reason: 'overflow', readyStates: [CONNECTING] })
    this.dropped.push(data)
    this.stats.overflowDrops++
  }

  /**
   * A retry cancelled from inside the `close` listener that announced it is
   * never announced by a `reconnecting` event.
   */
  private cancelAnnouncedRetry(): void {
    this.pending = this.pending.filter((item) => item.type !== 'reconnecting')
  }

  /** `close()` by the app. Returns the readyState it must show synchronously. */
  userClose(nested = false): number {
    if (nested) this.cancelAnnouncedRetry()
    switch (this.phase) {
      case 'open':
        this.phase = 'closing'
        return CLOSING
      case 'connecting':
      case 'waiting':
        this.abandonCurrent()
        this.dropQueue()
        this.pending.push({ type: 'error', match: { kind: 'native' }, readyStates: [CLOSED] })
        this.stopWithAbnormalClose()
        return CLOSING
      default:
        return READY_STATE[this.phase]
    }
  }

  /** The native socket the app is closing reports its close (the echo, a server close, or a drop). */
  closingSocketClosed(code: number, failed: boolean): void {
    this.abandonCurrent()
    if (failed) this.pending.push({ type: 'error', match: { kind: 'native' }, readyStates: [CLOSED], floating: true })
    this.pending.push({
      type: 'close',
      code,
      reason: undefined,
      wasClean: !failed,
      willReconnect: false,
      readyStates: [CLOSED],
    })
    this.stats.stops++
    this.stop()
  }

  /**
   * `reconnect()`: an attempt in flight (or an open connection) is reported
   * closed at once; during a retry wait there is no socket to report, the
   * wait just ends.
   */
  reconnect(code: number | undefined, reason: string | undefined, nested = false): void {
    if (nested) this.cancelAnnouncedRetry()
    const owed = nested ? this.pending.splice(0) : []
    try {
      this.reconnectNow(code, reason)
    } finally {
      this.pending.push(...owed)
    }
  }

  private reconnectNow(code: number | undefined, reason: string | undefined): void {
    if (this.phase === 'closed') {
      this.runs++
      this.finalClosesThisRun = 0
      this.retryCount = 0
      this.startAttempt()
      return
    }
    this.abandonCurrent()
    if (this.phase !== 'waiting')
      this.pending.push({
        type: 'close',
        code: code ?? 1000,
        reason: reason ?? '',
        wasClean: false,
        willReconnect: true,
        readyStates: [CONNECTING],
      })
    this.retryCount = 0
    this.startAttempt()
  }

  network(online: boolean): void {
    this.offline = !online
    if (!online) return
    this.onlineThisStep = true
    const retry = this.retry
    if (this.phase === 'waiting' && this.options.reconnectOnOnline && retry?.dueAt !== undefined) {
      // A server-dictated delay is owed only once its timer surely ran (a 0 ms timer set
      // inside a fake-timer tick runs 1 ms later); the overdue check catches the rest.
      this.retryOwedToOnline = retry.cuttable || this.now() >= retry.dueAt + 1
    }
  }

  // ---- invariants between steps ----------------------------------------------------------------

  /** Checks every invariant; returns the violations found (and clears the per-step flags). */
  settle(ws: Observed, timerCount: number, windowListeners: Record<string, number>): string[] {
    const now = this.now()
    if (this.pending.length > 0) this.violate(`events never emitted: ${this.pending.map(describeExpected).join(', ')}`)
    this.pending = []
    if (this.policyErrorsDue !== 0 || this.orphanPolicyErrors !== 0) {
      this.violate(
        `policy errors: ${this.policyErrorsDue} expected but not emitted, ${this.orphanPolicyErrors} unexpected`,
      )
      this.policyErrorsDue = this.orphanPolicyErrors = 0
    }
    if (JSON.stringify(this.observedCalls) !== JSON.stringify(this.expectedCalls)) {
      this.violate(
        `policy functions called ${JSON.stringify(this.observedCalls)}, expected ${JSON.stringify(this.expectedCalls)}`,
      )
      this.observedCalls.splice(0, Number.POSITIVE_INFINITY, ...this.expectedCalls)
    }
    if (this.phase === 'open' && now - this.openAt >= this.options.stableAfterMs) this.retryCount = 0

    if (ws.readyState !== READY_STATE[this.phase])
      this.violate(`readyState ${ws.readyState}, expected ${READY_STATE[this.phase]}`)
    if (ws.retryCount !== this.retryCount) this.violate(`retryCount ${ws.retryCount}, expected ${this.retryCount}`)

    const live = FakeWebSocket.live()
    const current = this.attempt?.socket
    if (this.phase === 'open') {
      if (current === undefined || live.length !== 1 || live[0] !== current || current.readyState !== OPEN) {
        this.violate(
          `open, but ${live.length} live native sockets (current one ${current ? 'in state ' + current.readyState : 'missing'})`,
        )
      } else if (ws.url !== current.url) {
        this.violate(`url ${ws.url}, but the open socket's is ${current.url}`)
      }
    } else if (this.phase === 'connecting') {
      if (live.length > 1 || (live.length === 1 && live[0] !== current)) {
        this.violate(`${live.length} live native sockets while connecting, not the current attempt's`)
      }
    } else if (live.length > 0) {
      this.violate(`${live.length} native sockets still CONNECTING or OPEN`)
    }

    const handed = FakeWebSocket.instances.flatMap((socket) =>
      socket.sent.filter((data): data is string => typeof data === 'string' && data.startsWith(PAYLOAD_PREFIX)),
    )
    if (JSON.stringify(handed) !== JSON.stringify(this.delivered)) {
      this.violate(
        `payloads handed to native sockets ${JSON.stringify(handed)}, expected ${JSON.stringify(this.delivered)}`,
      )
    }
    if (this.phase === 'open' || this.phase === 'connecting' || this.phase === 'waiting') {
      if (ws.bufferedAmount !== this.queueBytes)
        this.violate(`bufferedAmount ${ws.bufferedAmount}, expected ${this.queueBytes}`)
    }

    if (this.phase === 'closed') {
      if (timerCount !== 0) this.violate(`${timerCount} timers pending after the socket stopped for good`)
      if (Object.keys(windowListeners).length > 0) {
        this.violate(`window/document listeners still registered after stopping: ${JSON.stringify(windowListeners)}`)
      }
      if (this.finalClosesThisRun !== 1) this.violate(`${this.finalClosesThisRun} final closes in a run that ended`)
    } else {
      if (this.finalClosesThisRun !== 0) this.violate(`a final close in a run that has not ended`)
      for (const [type, count] of Object.entries(windowListeners)) {
        if (count > 1) this.violate(`${count} window/document listeners for ${type}`)
      }
    }

    // Liveness: whatever was due by now has happened.
    if (this.phase === 'waiting' && this.retry?.dueAt !== undefined && !this.blockedByOffline) {
      if (now >= this.retry.dueAt + 2) this.violate(`the retry due at ${this.retry.dueAt} has not fired`)
    }
    if (this.retryOwedToOnline) this.violate('the online event did not fire the pending retry')
    const attempt = this.attempt
    if (this.phase === 'connecting' && attempt) {
      if (!attempt.started) this.violate('an attempt that should have started did not (no provider call, no socket)')
      if (attempt.urlReady && attempt.socket === undefined)
        this.violate('the URL is ready but no native socket was created')
      const timeout = this.options.connectTimeoutMs
      if (timeout > 0 && now >= attempt.startedAt + timeout) {
        this.violate(`the attempt started at ${attempt.startedAt} outlived its ${timeout} ms connect timeout`)
      }
    }
    const heartbeat = this.options.heartbeat
    if (this.phase === 'open' && heartbeat !== false) {
      // One ping outstanding at a time: the library pings every max(intervalMs, timeoutMs)
      // (reported: the option's TSDoc says every intervalMs).
      const period = Math.max(heartbeat.intervalMs, heartbeat.timeoutMs)
      const latest = Math.max(this.openAt, this.lastMessageAt) + period + heartbeat.timeoutMs
      if (now >= latest + 1)
        this.violate(`silent since ${Math.max(this.openAt, this.lastMessageAt)}, not declared dead by ${latest}`)
    }
    this.onlineThisStep = false
    this.retryOwedToOnline = false
    return this.violations
  }

  /** At the very end: every payload the app gave was handed over exactly once or dropped, never both. */
  accountForPayloads(): void {
    const seen = new Set<string>()
    for (const data of [...this.delivered, ...this.dropped]) {
      if (seen.has(data)) this.violate(`payload ${data} delivered or dropped twice`)
      seen.add(data)
    }
    const missing = this.accepted.filter((data) => !seen.has(data))
    if (missing.length > 0 || seen.size !== this.accepted.length) {
      this.violate(`payloads neither delivered nor dropped: ${JSON.stringify(missing)}`)
    }
    this.stats.delivered = this.delivered.length
  }
}

/**
 * When a `setTimeout(fn, ms)` runs under @sinonjs/fake-timers: it reads the
 * delay with `parseInt`, so 1234.5 waits 1234 ms and a sub-millisecond delay
 * printed in exponent notation (3.2e-7) waits 3 ms. A harness detail, not the
 * library's: real timers would run both within a millisecond.
 */
function fakeTimerDelay(ms: number): number {
  return Number.parseInt(String(ms), 10) || 0
}

function matches(item: Expected, type: string, event: any): boolean {
  if (item.type !== type) return false
  switch (item.type) {
    case 'error':
      return errorMatches(item.match, event.error)
    case 'drop':
      return event.data === item.data && event.reason === item.reason
    case 'close':
      return (
        event.code === item.code &&
        event.wasClean === item.wasClean &&
        event.willReconnect === item.willReconnect &&
        (item.reason === undefined || event.reason === item.reason)
      )
    case 'reconnecting':
      return (
        event.attempt === item.attempt &&
        event.code === item.code &&
        (item.reason === undefined || event.reason === item.reason)
      )
    case 'open':
      return true
    case 'message':
      return event.data === item.data
  }
}

function errorMatches(match: ErrorMatch, error: any): boolean {
  switch (match.kind) {
    case 'native':
      return error === undefined
    case 'connect-timeout':
      return error?.name === 'ConnectTimeoutError'
    case 'heartbeat-timeout':
      return error?.name === 'HeartbeatTimeoutError'
    case 'provider':
      return error === match.value
    case 'syntax':
      return error instanceof DOMException && error.name === 'SyntaxError'
    case 'close-code':
      return (
        error?.name === 'CloseCodeError' &&
        error.code === match.code &&
        (match.reason === undefined || error.reason === match.reason)
      )
  }
}

function describeEvent(type: string, event: any): string {
  switch (type) {
    case 'error':
      return `error(${event.error === undefined ? 'native' : `${event.error?.name}: ${event.error?.message ?? ''}${event.error?.code !== undefined ? ` code ${event.error.code}` : ''}`})`
    case 'close':
      return `close(${event.code}, ${JSON.stringify(event.reason)}, wasClean ${event.wasClean}, willReconnect ${event.willReconnect})`
    case 'reconnecting':
      return `reconnecting(attempt ${event.attempt}, ${event.delayMs} ms, code ${event.code})`
    case 'drop':
      return `drop(${JSON.stringify(event.data)}, ${event.reason})`
    case 'message':
      return `message(${JSON.stringify(event.data)})`
    default:
      return type
  }
}

function describeExpected(item: Expected): string {
  switch (item.type) {
    case 'error':
      return `error(${item.match.kind}${item.match.kind === 'close-code' ? ` ${item.match.code}` : ''})`
    case 'close':
      return `close(${item.code}, ${item.reason === undefined ? 'any reason' : JSON.stringify(item.reason)}, wasClean ${item.wasClean}, willReconnect ${item.willReconnect})`
    case 'reconnecting':
      return `reconnecting(attempt ${item.attempt}, code ${item.code})`
    case 'drop':
      return `drop(${JSON.stringify(item.data)}, ${item.reason})`
    case 'message':
      return `message(${JSON.stringify(item.data)})`
    default:
      return item.type
  }
}
