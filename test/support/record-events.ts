/**
 * One recorder for every suite (Node and browser): what a wrapper emits, in
 * order, with the `readyState` each listener saw, so a test can assert the
 * sequence as data.
 */
import type { ResilientWebSocket, ResilientWebSocketEvents } from '../../src/index.js'

/** Every event type the wrapper emits. */
export const EVENT_TYPES = [
  'open',
  'message',
  'error',
  'close',
  'reconnecting',
  'drop',
] as const satisfies readonly (keyof ResilientWebSocketEvents)[]
export type EventType = (typeof EVENT_TYPES)[number]
export type EventOf<K extends EventType> = Parameters<ResilientWebSocketEvents[K]>[0]

export interface RecordedEvent {
  type: EventType
  event: Event
  /** `ws.readyState` as the listener saw it. */
  readyState: number
}

export interface EventLog extends Array<RecordedEvent> {
  /** The sequence of event types. */
  types(): EventType[]
  /** The recorded events of one type, in order. */
  of<K extends EventType>(type: K): EventOf<K>[]
}

/** Records every event the socket emits through `on()`, from now on. */
export function recordEvents(ws: ResilientWebSocket): EventLog {
  const entries: RecordedEvent[] = []
  const views: Pick<EventLog, 'types' | 'of'> = {
    types: () => entries.map((entry) => entry.type),
    of: <K extends EventType>(type: K) =>
      entries.filter((entry) => entry.type === type).map((entry) => entry.event as EventOf<K>),
  }
  // Not enumerable: the log still equals a plain array of its entries (`expect(log).toEqual([])`).
  const log = Object.defineProperties(entries, {
    types: { value: views.types },
    of: { value: views.of },
  }) as EventLog
  for (const type of EVENT_TYPES) {
    // One listener for whichever event `type` is; `on()`'s per-event signature cannot express that.
    ws.on(type, ((event: Event) => log.push({ type, event, readyState: ws.readyState })) as never)
  }
  return log
}
