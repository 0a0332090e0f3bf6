/**
 * The `logger` option with the browser's own WebSocket: a URL provider hands
 * over credentials, a token and a fragment, and none of it may reach a log
 * entry, an error message or an event, whatever the engine's constructor
 * makes of the URL (some reject a fragment with a SyntaxError that quotes
 * the URL, newer ones drop the fragment and connect).
 */
import { afterEach, expect, it } from 'vitest'
import type { LogEntry } from '../../src/index.js'
import { recordEvents } from '../support/record-events.js'
import { closeOpenedSockets, FAST_OPTIONS, finalClose, resilient, uniqueKey, wsPort } from './helpers.js'

afterEach(closeOpenedSockets)

/** Every string a listener or a logger could read out of an entry or an event. */
function texts(entries: LogEntry[], events: { event: Event }[]): string[] {
  const out: string[] = []
  for (const entry of entries) out.push(entry.message, ...Object.values(entry.data ?? {}).map(String))
  for (const { event } of events) {
    const e = event as Event & { reason?: string; message?: string; error?: unknown; data?: unknown }
    out.push(String(e.reason ?? ''), String(e.message ?? ''), String(e.data ?? ''))
    if (e.error instanceof Error) out.push(e.error.message, String(e.error.stack ?? ''))
  }
  return out
}

/** Runs a socket whose provider returns `url` until it stops; returns its entries and events. */
async function run(url: string) {
  const entries: LogEntry[] = []
  const socket = resilient(() => url, undefined, { ...FAST_OPTIONS, logger: (entry) => entries.push(entry) })
  const events = recordEvents(socket)
  await finalClose(events)
  return { entries, events, names: entries.map((entry) => entry.event) }
}

const leaks = (entries: LogEntry[], events: { event: Event }[]) =>
  texts(entries, events).filter((text) => text.includes('secret'))

it('a provider returning wss://u:secret@host/path?token=secret#frag: `secret` is in no entry, error message or event', async () => {
  const key = uniqueKey('redact')
  const { entries, events, names } = await run(
    `ws://u:secret@127.0.0.1:${wsPort}/plan/${key}?steps=drop,close:1008&token=secret#frag`,
  )
  expect(names[0]).toBe('connect.attempt')
  expect(entries[0]?.data?.url).toBe(`ws://127.0.0.1:${wsPort}/plan/${key}?…`)
  expect(events.some(({ type }) => type === 'error')).toBe(true)
  expect(leaks(entries, events)).toEqual([])
})

it('the same URL without the fragment: whichever path the engine takes, still no `secret` anywhere', async () => {
  const key = uniqueKey('redact')
  const { entries, events, names } = await run(
    `ws://u:secret@127.0.0.1:${wsPort}/plan/${key}?steps=drop,close:1008&token=secret`,
  )
  expect(names).toContain('socket.stopped')
  // Chromium connects to a URL with credentials (so this walks the drop, the retry and the 1008);
  // an engine that refused such a URL would take the constructor path of the test above.
  if (events.some(({ type }) => type === 'open')) {
    expect(names).toEqual(
      expect.arrayContaining(['connect.open', 'close.received', 'policy.decided', 'retry.scheduled']),
    )
  } else {
    expect(names).toContain('connect.constructor-failed')
  }
  expect(leaks(entries, events)).toEqual([])
})
