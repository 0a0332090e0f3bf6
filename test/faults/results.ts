/**
 * One row of the fault-injection summary per fault kind, and its markdown
 * rendering (printed by the global setup's teardown, quotable in README).
 */

export interface FaultRow {
  /** Fault kind, e.g. `kill/restart (TCP reset)`. */
  fault: string
  /** Clients (ResilientWebSocket instances) in the page. */
  clients: number
  /** Faults injected (restarts, rejected handshakes, cuts, …). */
  injected: number
  /** `reconnecting` events (retries scheduled), all clients. */
  retries: number
  /** Successful reconnections (opens after the first), all clients. */
  reconnections: number
  /** Client-observed outage (first unplanned close → next open), median and max, ms. */
  recoverMedianMs: number | null
  recoverMaxMs: number | null
  /**
   * Slowest native handshake (constructor → open or error), ms. Explains long
   * outages that are the browser's doing: Chromium delays new WebSocket
   * connections while many are pending and recent ones failed.
   */
  handshakeMaxMs: number | null
  /** Messages given to `send()`. */
  sent: number
  /** …of which were queued (the wrapper was not OPEN, or its native socket was closing). */
  queued: number
  /** Distinct messages the server received. */
  delivered: number
  /** Not delivered, reported by a `drop` event. */
  dropReported: number
  /** Handed to an OPEN native socket that then died before the server read them (inherent to TCP). */
  lostInFlight: number
  /** …of which had first waited in the queue. */
  lostInFlightQueued: number
  /** Neither delivered, nor reported, nor handed to an OPEN native socket: silent loss (must be 0). */
  silentlyLost: number
  /** Deliveries beyond the first of a message (must be 0). */
  duplicates: number
  /** Messages that reached the server after a later one (must be 0). */
  outOfOrder: number
  /** A native socket created while another of the same client was CONNECTING or OPEN (must be 0). */
  doubleSockets: number
}

const COLUMNS: [keyof FaultRow, string][] = [
  ['fault', 'fault'],
  ['clients', 'clients'],
  ['injected', 'faults'],
  ['retries', 'retries'],
  ['reconnections', 'reconnects'],
  ['recoverMedianMs', 'recover ms (median)'],
  ['recoverMaxMs', 'recover ms (max)'],
  ['handshakeMaxMs', 'slowest handshake ms'],
  ['sent', 'sent'],
  ['queued', 'queued'],
  ['delivered', 'delivered'],
  ['dropReported', 'drop events'],
  ['lostInFlight', 'lost in flight'],
  ['silentlyLost', 'silently lost'],
  ['duplicates', 'duplicates'],
  ['outOfOrder', 'out of order'],
  ['doubleSockets', 'double sockets'],
]

export function markdownTable(rows: FaultRow[]): string {
  const lines = [
    `| ${COLUMNS.map(([, title]) => title).join(' | ')} |`,
    `|${COLUMNS.map(([key]) => (key === 'fault' ? '---' : '--:')).join('|')}|`,
  ]
  for (const row of rows) {
    lines.push(`| ${COLUMNS.map(([key]) => (row[key] === null ? '–' : String(row[key]))).join(' | ')} |`)
  }
  return lines.join('\n')
}
