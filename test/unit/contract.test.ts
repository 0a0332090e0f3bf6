/**
 * The one place `src` and the contract meet: the defaults the library
 * declares are the README's (test/support/contract.ts). Every other suite
 * checks behaviour against the contract's tables, never against `src`'s.
 */
import { describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS, DEFAULT_POLICIES } from '../../src/index.js'
import {
  CONTRACT_CLOSE_CODES,
  CONTRACT_DEFAULTS,
  CONTRACT_HEARTBEAT_MESSAGE,
  type ContractRow,
} from '../support/contract.js'

/** A contract row as `DEFAULT_POLICIES` writes it: the action, or `retry` with the row's own backoff. */
function asPolicy(row: ContractRow): unknown {
  return row.backoff === undefined ? row.action : { action: row.action, backoff: row.backoff }
}

describe('the defaults src declares are the contract’s', () => {
  it.each(Object.keys(CONTRACT_DEFAULTS))('DEFAULT_OPTIONS.%s', (key) => {
    expect(DEFAULT_OPTIONS[key as keyof typeof DEFAULT_OPTIONS]).toEqual(
      CONTRACT_DEFAULTS[key as keyof typeof CONTRACT_DEFAULTS],
    )
  })

  it('the heartbeat message', () => {
    expect(DEFAULT_OPTIONS.heartbeatMessage).toBe(CONTRACT_HEARTBEAT_MESSAGE)
  })

  it('DEFAULT_POLICIES has exactly the contract’s rows, each with the contract’s action and backoff', () => {
    expect(DEFAULT_POLICIES).toEqual(Object.fromEntries(CONTRACT_CLOSE_CODES.map((row) => [row.code, asPolicy(row)])))
  })
})
