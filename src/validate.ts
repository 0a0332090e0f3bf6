/**
 * The checks every validating module shares: the options, the policy table
 * and `createBackoff`. A leaf, so a pure module can validate its input
 * without importing the options module. Every error names the field and the
 * value it got.
 */

/** The value as an error message shows it: strings quoted, objects by kind. */
export function describe(value: unknown): string {
  return typeof value === 'string'
    ? JSON.stringify(value)
    : typeof value === 'function'
      ? 'a function'
      : Array.isArray(value)
        ? 'an array'
        : value && typeof value === 'object'
          ? 'an object'
          : String(value)
}

/** `TypeError: ${name} must be ${what}, got ${value}`. */
export function invalid(name: string, what: string, value: unknown, Type: ErrorConstructor = TypeError): never {
  throw new Type(`${name} must be ${what}, got ${describe(value)}`)
}

/** Throws unless `value` is a plain object whose keys are all in `known` (when given). */
export function checkObject(value: unknown, name: string, known?: readonly string[]): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) invalid(name, 'an object', value)
  for (const key of Object.keys(value)) {
    if (known && !known.includes(key)) throw new TypeError(`${name}.${key} is not a known option (${known.join(', ')})`)
  }
  return value as Record<string, unknown>
}

/**
 * A number ≥ `min`; `Infinity` only when allowed; integers only when asked.
 * TypeError for a non-number, RangeError for a number out of range.
 */
export function checkNumber(value: unknown, name: string, min = 0, infinite = false, integer = false): number {
  if (typeof value !== 'number') invalid(name, 'a number', value)
  if (!(value >= min) || (value === Number.POSITIVE_INFINITY ? !infinite : integer && !Number.isInteger(value))) {
    invalid(name, `${integer ? 'an integer' : 'a number'} ≥ ${min}${infinite ? ' or Infinity' : ''}`, value, RangeError)
  }
  return value
}

/** One of `choices`, a runtime list whose element type is the union. */
export function checkChoice<T>(value: unknown, name: string, choices: readonly T[]): T {
  if (!choices.includes(value as T)) invalid(name, `one of ${choices.join(', ')}`, value)
  return value as T
}
