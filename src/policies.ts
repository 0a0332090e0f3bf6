/**
 * Per-close-code policies: the user's table compiled once at construction,
 * and the lookup that turns a close into a decision.
 */
import type { BackoffOptions } from './backoff.js'
import { type CloseAction, DEFAULT_CLOSE_ACTION, type DefaultPolicy, defaultPolicyFor } from './default-policies.js'
import type { ResilientCloseEvent } from './events.js'
import { checkNumber, checkObject, checkPartialBackoff } from './options.js'

/** Reconnect, optionally with its own backoff, retry limit, or a fixed delay. */
export interface RetryPolicy {
  action: 'retry'
  /** Overrides of the socket's backoff for closes this policy decides. */
  backoff?: Partial<BackoffOptions>
  /** A retry limit for closes this policy decides (the retry count itself is shared). */
  maxRetries?: number
  /**
   * Wait exactly this long (clamped to what `setTimeout` can hold), e.g. a
   * delay the server put in its close reason. Counts toward `maxRetries`, and
   * the online/visible shortcuts never cut it.
   */
  delayMs?: number
}

/** A decision: an action name, or an object form of it. */
export type PolicyDecision = CloseAction | RetryPolicy | { action: 'stop' } | { action: 'error' }

/** What a policy function is told besides the close event. */
export interface PolicyContext {
  /** The number the retry would get if this close is retried (counts from 1). */
  attempt: number
}

/** Decides at close time; `undefined` continues the lookup as if this key were absent. */
export type PolicyFunction = (event: ResilientCloseEvent, context: PolicyContext) => PolicyDecision | undefined

/** A table value: a decision, or a function that decides. */
export type Policy = PolicyDecision | PolicyFunction

/** The user's table: codes, inclusive ranges like `'4000-4099'`, and `'default'`. */
export type Policies = {
  readonly [code: number]: Policy
  readonly [range: `${number}-${number}`]: Policy
  readonly default?: Policy
}

interface RangeEntry {
  from: number
  to: number
  policy: Policy
}

/** The user's table, validated and indexed for lookup. */
export interface CompiledPolicies {
  exact: ReadonlyMap<number, Policy>
  /** Narrowest first. */
  ranges: readonly RangeEntry[]
  fallback: Policy | undefined
}

/**
 * Which row of the lookup decided: your exact code, one of your ranges, the
 * built-in row for the code, your `default`, or the built-in default (`retry`).
 */
export type DecisionRule = 'user-code' | 'user-range' | 'built-in' | 'user-default' | 'built-in-default'

/** What the socket does after a close. */
export type Decision =
  | { action: 'stop' }
  | { action: 'error' }
  | {
      action: 'retry'
      /** Fields to lay over the socket's backoff. */
      backoff: Partial<BackoffOptions>
      maxRetries: number | undefined
      delayMs: number | undefined
    }

const ACTIONS: readonly CloseAction[] = ['stop', 'retry', 'error']
const RANGE = /^(\d+)-(\d+)$/

function checkCode(code: number, name: string): number {
  if (!Number.isInteger(code) || code < 0 || code > 4999) {
    throw new RangeError(`${name}: close codes are integers from 0 to 4999`)
  }
  return code
}

/**
 * Validates a decision; `name` says where it came from for the error message.
 * A function may return a negative or huge `delayMs` (it may come from the
 * server): it is clamped later; in the static table it is a mistake.
 */
function checkDecision(value: unknown, name: string, dynamic = false): PolicyDecision {
  if (typeof value === 'string') {
    if (!ACTIONS.includes(value as CloseAction)) {
      throw new TypeError(
        `${name} must be 'stop', 'retry', 'error', an object or a function, got ${JSON.stringify(value)}`,
      )
    }
    return value as CloseAction
  }
  const o = checkObject(value, name, ['action', 'backoff', 'maxRetries', 'delayMs'])
  if (!ACTIONS.includes(o.action as CloseAction)) {
    throw new TypeError(`${name}.action must be 'stop', 'retry' or 'error', got ${JSON.stringify(o.action)}`)
  }
  if (o.action !== 'retry') {
    const extra = Object.keys(o).find((k) => k !== 'action')
    if (extra) throw new TypeError(`${name}.${extra} only applies to { action: 'retry' }`)
    return { action: o.action as 'stop' | 'error' }
  }
  const policy: RetryPolicy = { action: 'retry' }
  if (o.backoff !== undefined) policy.backoff = checkPartialBackoff(o.backoff, `${name}.backoff`)
  if (o.maxRetries !== undefined) {
    policy.maxRetries = checkNumber(o.maxRetries, `${name}.maxRetries`, { integer: true, infinite: true })
  }
  if (o.delayMs !== undefined) {
    if (dynamic && typeof o.delayMs === 'number') policy.delayMs = o.delayMs
    else policy.delayMs = checkNumber(o.delayMs, `${name}.delayMs`, { infinite: true })
  }
  return policy
}

function checkPolicy(value: unknown, name: string): Policy {
  return typeof value === 'function' ? (value as PolicyFunction) : checkDecision(value, name)
}

/** Validates the user's table; throws a TypeError/RangeError naming the offending key. */
export function compilePolicies(policies: Policies): CompiledPolicies {
  const table = checkObject(policies, 'options.policies', Object.keys(policies as object))
  const exact = new Map<number, Policy>()
  const ranges: RangeEntry[] = []
  let fallback: Policy | undefined
  for (const [key, value] of Object.entries(table)) {
    const name = `options.policies[${JSON.stringify(key)}]`
    if (key === 'default') {
      fallback = checkPolicy(value, name)
      continue
    }
    if (/^\d+$/.test(key)) {
      exact.set(checkCode(Number(key), name), checkPolicy(value, name))
      continue
    }
    const match = RANGE.exec(key)
    if (!match) throw new TypeError(`${name}: a key must be a close code, a range like '4000-4099', or 'default'`)
    const from = checkCode(Number(match[1]), name)
    const to = checkCode(Number(match[2]), name)
    if (from > to) throw new RangeError(`${name}: the range starts after it ends`)
    ranges.push({ from, to, policy: checkPolicy(value, name) })
  }
  ranges.sort((a, b) => a.to - a.from - (b.to - b.from))
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const a = ranges[i]!
      const b = ranges[j]!
      if (a.to - a.from === b.to - b.from && a.from <= b.to && b.from <= a.to) {
        throw new RangeError(
          `options.policies: ranges '${a.from}-${a.to}' and '${b.from}-${b.to}' overlap with the same width, so neither is narrower`,
        )
      }
    }
  }
  return { exact, ranges, fallback }
}

function toDecision(policy: PolicyDecision | DefaultPolicy): Decision {
  const p = typeof policy === 'string' ? { action: policy } : policy
  if (p.action !== 'retry') return { action: p.action }
  const retry = p as RetryPolicy
  return { action: 'retry', backoff: { ...retry.backoff }, maxRetries: retry.maxRetries, delayMs: retry.delayMs }
}

/**
 * Applies a table value. A function's result is validated here, at close time:
 * a throw or an invalid result goes to `report` and counts as `undefined`.
 */
function apply(
  policy: Policy | undefined,
  event: ResilientCloseEvent,
  context: PolicyContext,
  report: (error: unknown) => void,
): Decision | undefined {
  if (policy === undefined) return undefined
  if (typeof policy !== 'function') return toDecision(policy)
  let result: unknown
  try {
    result = policy(event, context)
    if (result === undefined) return undefined
    return toDecision(checkDecision(result, `the result of the policy function for close code ${event.code}`, true))
  } catch (error) {
    report(error)
    return undefined
  }
}

/**
 * The lookup, in order: your exact code, your ranges narrowest first, the
 * built-in row for the code, your `default`, the built-in default (`retry`).
 * (The built-in table has no ranges, so your `default` decides every code it does not list.)
 */
export function decide(
  policies: CompiledPolicies,
  event: ResilientCloseEvent,
  context: PolicyContext,
  report: (error: unknown) => void,
): Decision & { rule: DecisionRule } {
  const code = event.code
  const exact = apply(policies.exact.get(code), event, context, report)
  if (exact) return { ...exact, rule: 'user-code' }
  for (const range of policies.ranges) {
    if (code < range.from || code > range.to) continue
    const decision = apply(range.policy, event, context, report)
    if (decision) return { ...decision, rule: 'user-range' }
  }
  const builtIn = defaultPolicyFor(code)
  if (builtIn) return { ...toDecision(builtIn), rule: 'built-in' }
  const fallback = apply(policies.fallback, event, context, report)
  if (fallback) return { ...fallback, rule: 'user-default' }
  return { ...toDecision(DEFAULT_CLOSE_ACTION), rule: 'built-in-default' }
}
