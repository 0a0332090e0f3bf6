/**
 * The reference model's pure parts, written from the contract (issue 2), not
 * from the library: the lookup order, the resolved options and the bounds
 * every retry delay must fall in. The default-policy table and the option
 * defaults are the contract's (test/support/contract.ts), never `src`'s.
 */
import { CONTRACT_CLOSE_CODES, CONTRACT_DEFAULTS, CONTRACT_HEARTBEAT_MESSAGE } from '../support/contract.js'
import type { BackoffSpec, DecisionSpec, FunctionResultSpec, Jitter, OptionsSpec, PolicySpec } from './scenario.js'

/** The longest delay `setTimeout` can hold. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1

export interface Backoff {
  initialDelayMs: number
  maxDelayMs: number
  factor: number
  jitter: Jitter
}

type BuiltIn = 'stop' | 'retry' | 'error' | { backoff: Partial<Backoff> }

/** The contract's rows as the lookup reads them; every code they do not name falls to the built-in default, `retry`. */
const BUILT_IN_ROWS: Readonly<Record<number, BuiltIn>> = Object.fromEntries(
  CONTRACT_CLOSE_CODES.map((row) => [row.code, row.backoff === undefined ? row.action : { backoff: row.backoff }]),
)

const DEFAULT_BACKOFF: Backoff = { ...CONTRACT_DEFAULTS.backoff }

export interface ResolvedModelOptions {
  backoff: Backoff
  maxRetries: number
  stableAfterMs: number
  connectTimeoutMs: number
  buffer: false | { maxMessages: number; maxBytes: number; overflow: 'drop-oldest' | 'drop-newest' | 'error' }
  heartbeat: false | { intervalMs: number; timeoutMs: number; message: string }
  reconnectOnOnline: boolean
  policies: Array<[string, PolicySpec]>
}

function mergeBackoff(base: Backoff, over: BackoffSpec | Partial<Backoff> | undefined): Backoff {
  return { ...base, ...over }
}

export function resolveModelOptions(spec: OptionsSpec): ResolvedModelOptions {
  return {
    backoff: mergeBackoff(DEFAULT_BACKOFF, spec.backoff),
    maxRetries: spec.maxRetries ?? CONTRACT_DEFAULTS.maxRetries,
    stableAfterMs: spec.stableAfterMs ?? CONTRACT_DEFAULTS.stableAfterMs,
    connectTimeoutMs: spec.connectTimeoutMs ?? CONTRACT_DEFAULTS.connectTimeoutMs,
    buffer: spec.buffer === false ? false : { ...CONTRACT_DEFAULTS.buffer, ...spec.buffer },
    heartbeat: spec.heartbeat === undefined ? false : { message: CONTRACT_HEARTBEAT_MESSAGE, ...spec.heartbeat },
    reconnectOnOnline: spec.reconnectOnOnline ?? CONTRACT_DEFAULTS.reconnectOnOnline,
    policies: spec.policies ?? [],
  }
}

/** Which answer a generated policy function gives: a pure function of (attempt, code), so the model can ask it too. */
export function pickFunctionResult(results: FunctionResultSpec[], code: number, attempt: number): FunctionResultSpec {
  return results[(attempt * 7 + code) % results.length]!
}

/** A policy function consulted during a lookup, and what it must have been asked. */
export interface ExpectedCall {
  key: string
  code: number
  attempt: number
}

export type Outcome =
  | { action: 'stop' }
  | { action: 'error' }
  | { action: 'retry'; backoff: Backoff; maxRetries: number; delayMs: number | undefined }

export interface Lookup {
  outcome: Outcome
  calls: ExpectedCall[]
  /** Policy functions that threw or answered an invalid value: each is reported by an `error` event. */
  policyErrors: number
}

function fromDecision(decision: DecisionSpec, options: ResolvedModelOptions): Outcome {
  if (decision === 'stop' || decision === 'error') return { action: decision }
  if (decision === 'retry') {
    return { action: 'retry', backoff: options.backoff, maxRetries: options.maxRetries, delayMs: undefined }
  }
  if (decision.action !== 'retry') return { action: decision.action }
  return {
    action: 'retry',
    backoff: mergeBackoff(options.backoff, decision.backoff),
    maxRetries: decision.maxRetries ?? options.maxRetries,
    delayMs: decision.delayMs,
  }
}

function rangeOf(key: string): [number, number] | undefined {
  const match = /^(\d+)-(\d+)$/.exec(key)
  return match ? [Number(match[1]), Number(match[2])] : undefined
}

/**
 * The contract's lookup order: your exact code, your ranges narrowest first,
 * the built-in exact code (there are no built-in ranges in the table), your
 * `default`, the built-in default `retry`. A function answering `undefined`
 * (or throwing, or answering nonsense) continues as if its key were absent.
 */
export function lookup(options: ResolvedModelOptions, code: number, attempt: number): Lookup {
  const calls: ExpectedCall[] = []
  let policyErrors = 0
  const table = options.policies
  const candidates: Array<{ key: string; policy: PolicySpec } | { builtIn: BuiltIn }> = []
  for (const [key, policy] of table) if (key === String(code)) candidates.push({ key, policy })
  const ranges = table
    .map(([key, policy]) => ({ key, policy, range: rangeOf(key) }))
    .filter((entry) => entry.range !== undefined && entry.range[0] <= code && code <= entry.range[1])
    .sort((a, b) => a.range![1] - a.range![0] - (b.range![1] - b.range![0]))
  for (const { key, policy } of ranges) candidates.push({ key, policy })
  const builtIn = Object.hasOwn(BUILT_IN_ROWS, code) ? BUILT_IN_ROWS[code] : undefined
  if (builtIn !== undefined) candidates.push({ builtIn })
  for (const [key, policy] of table) if (key === 'default') candidates.push({ key, policy })
  candidates.push({ builtIn: 'retry' })

  for (const candidate of candidates) {
    if ('builtIn' in candidate) {
      const value = candidate.builtIn
      if (typeof value === 'string') return { outcome: fromDecision(value, options), calls, policyErrors }
      return {
        outcome: {
          action: 'retry',
          backoff: mergeBackoff(options.backoff, value.backoff),
          maxRetries: options.maxRetries,
          delayMs: undefined,
        },
        calls,
        policyErrors,
      }
    }
    const { key, policy } = candidate
    if ('value' in policy) return { outcome: fromDecision(policy.value, options), calls, policyErrors }
    calls.push({ key, code, attempt })
    const result = pickFunctionResult(policy.fn, code, attempt)
    if (result === 'undefined') continue
    if (result === 'throw' || result === 'invalid') {
      policyErrors++
      continue
    }
    return { outcome: fromDecision(result, options), calls, policyErrors }
  }
  throw new Error('unreachable: the built-in default always decides')
}

/** What a `reconnecting` event's `delayMs` must satisfy. */
export type DelayRule = { exactly: number } | { backoff: Backoff; attempt: number }

export function delayRule(outcome: Extract<Outcome, { action: 'retry' }>, attempt: number): DelayRule {
  if (outcome.delayMs !== undefined) return { exactly: Math.min(MAX_TIMEOUT_MS, Math.max(0, outcome.delayMs)) }
  return { backoff: outcome.backoff, attempt }
}

/**
 * Checks a delay against its rule. `largestDelaySeen` stands in for the
 * decorrelated jitter's "previous delay" (any earlier delay is at most that),
 * so the decorrelated upper bound is sound whatever the library feeds back.
 * Computed delays may be rounded: 1 ms of slack on each side.
 */
export function delayViolation(rule: DelayRule, delayMs: number, largestDelaySeen: number): string | undefined {
  if (!Number.isFinite(delayMs)) return `delay ${delayMs} is not finite`
  if ('exactly' in rule) {
    return delayMs === rule.exactly ? undefined : `delay ${delayMs} is not the policy's clamped delayMs ${rule.exactly}`
  }
  const { initialDelayMs: initial, maxDelayMs: max, factor, jitter } = rule.backoff
  const base = Math.min(max, initial * factor ** (rule.attempt - 1))
  let low: number
  let high: number
  switch (jitter) {
    case 'none':
      low = high = base
      break
    case 'full':
      low = 0
      high = base
      break
    case 'equal':
      low = base / 2
      high = base
      break
    case 'decorrelated':
      low = Math.min(initial, max)
      high = Math.min(max, Math.max(largestDelaySeen, initial) * 3)
      break
  }
  low = Math.max(0, low)
  high = Math.min(max, high)
  if (delayMs < low - 1 || delayMs > high + 1 || delayMs < 0 || delayMs > max) {
    return `delay ${delayMs} outside [${low}, ${high}] for jitter '${jitter}', attempt ${rule.attempt}, backoff ${JSON.stringify(rule.backoff)}`
  }
  return undefined
}
