/**
 * Per-close-code policies: the user's table compiled once at construction,
 * and the lookup that turns a close into a decision.
 */
import { type BackoffOptions, checkBackoff } from './backoff.js'
import {
  CLOSE_ACTIONS,
  type CloseAction,
  DEFAULT_CLOSE_ACTION,
  type DefaultPolicy,
  defaultPolicyFor,
} from './default-policies.js'
import type { ResilientCloseEvent } from './events.js'
import { checkChoice, checkNumber, checkObject, invalid } from './validate.js'

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

/** What the socket does after a close: a table value in its object form. */
export type Decision = Exclude<PolicyDecision, CloseAction>

function checkCode(text: string, name: string): number {
  const code = Number(text)
  if (code > 4999) invalid(name, 'a close code from 0 to 4999', code, RangeError)
  return code
}

/**
 * Validates a decision; `name` says where it came from for the error message.
 * A function may return a negative or huge `delayMs` (it may come from the
 * server): it is clamped later; in the static table it is a mistake.
 */
function checkDecision(value: unknown, name: string, dynamic = false): PolicyDecision {
  if (typeof value === 'string') return checkChoice(value, name, CLOSE_ACTIONS)
  const o = checkObject(value, name, ['action', 'backoff', 'maxRetries', 'delayMs'])
  const action = checkChoice(o.action, `${name}.action`, CLOSE_ACTIONS)
  if (action !== 'retry') {
    for (const key in o) if (key !== 'action') invalid(`${name}.${key}`, "absent unless action is 'retry'", o[key])
    return { action }
  }
  const policy: RetryPolicy = { action }
  if (o.backoff !== undefined) policy.backoff = checkBackoff(o.backoff, `${name}.backoff`)
  if (o.maxRetries !== undefined) policy.maxRetries = checkNumber(o.maxRetries, `${name}.maxRetries`, 0, true, true)
  if (o.delayMs !== undefined) {
    policy.delayMs =
      dynamic && typeof o.delayMs === 'number' ? o.delayMs : checkNumber(o.delayMs, `${name}.delayMs`, 0, true)
  }
  return policy
}

/** Validates the user's table; throws a TypeError/RangeError naming the offending key. */
export function compilePolicies(policies: Policies): CompiledPolicies {
  const table = checkObject(policies, 'options.policies')
  const exact = new Map<number, Policy>()
  const ranges: RangeEntry[] = []
  let fallback: Policy | undefined
  for (const key of Object.keys(table)) {
    const name = `options.policies[${JSON.stringify(key)}]`
    const value = table[key]
    const policy = typeof value === 'function' ? (value as PolicyFunction) : checkDecision(value, name)
    const range = /^(\d+)(?:-(\d+))?$/.exec(key)
    if (key === 'default') fallback = policy
    else if (!range) invalid(name, "keyed by a close code, a range like '4000-4099' or 'default'", key)
    else if (range[2] === undefined) exact.set(checkCode(key, name), policy)
    else {
      const from = checkCode(range[1]!, name)
      const to = checkCode(range[2], name)
      if (from > to) invalid(name, 'a range that starts before it ends', key, RangeError)
      for (const other of ranges) {
        if (other.to - other.from === to - from && other.from <= to && from <= other.to) {
          invalid(name, `narrower or wider than the range '${other.from}-${other.to}' it overlaps`, key, RangeError)
        }
      }
      ranges.push({ from, to, policy })
    }
  }
  ranges.sort((a, b) => a.to - a.from - (b.to - b.from))
  return { exact, ranges, fallback }
}

/** The object form of a table value. */
function toDecision(policy: PolicyDecision | DefaultPolicy): Decision {
  return (typeof policy === 'string' ? { action: policy } : policy) as Decision
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
  if (typeof policy !== 'function') return policy && toDecision(policy)
  try {
    const result = policy(event, context)
    if (result !== undefined) {
      return toDecision(checkDecision(result, `the policy function's result for close code ${event.code}`, true))
    }
  } catch (error) {
    report(error)
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
): [Decision, DecisionRule] {
  const code = event.code
  let decision = apply(policies.exact.get(code), event, context, report)
  if (decision) return [decision, 'user-code']
  for (const range of policies.ranges) {
    if (code >= range.from && code <= range.to && (decision = apply(range.policy, event, context, report))) {
      return [decision, 'user-range']
    }
  }
  const builtIn = defaultPolicyFor(code)
  if (builtIn) return [toDecision(builtIn), 'built-in']
  decision = apply(policies.fallback, event, context, report)
  return decision ? [decision, 'user-default'] : [toDecision(DEFAULT_CLOSE_ACTION), 'built-in-default']
}
