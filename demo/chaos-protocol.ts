/**
 * What the page and the chaos server agree on: where the socket lives, which
 * misbehaviours can be ordered over HTTP, and what the server reports back.
 * Imported by both sides, so it must stay free of DOM and Node APIs.
 */

/** WebSocket path of the chaos server; everything else on the dev server (Vite's HMR included) is left alone. */
export const CHAOS_PATH = '/chaos'

/** Prefix of the control API: `POST /chaos/api/<action>?client=<id>` with a JSON body. */
export const CHAOS_API_PATH = '/chaos/api'

/** How long the server refuses every handshake after a restart, so reconnects spread by jitter are visible. */
export const RESTART_DOWNTIME_MS = 1500

/** Longest close reason the protocol allows (RFC 6455 §5.5: a control frame payload is at most 125 bytes, 2 are the code). */
export const MAX_REASON_BYTES = 123

export type ChaosAction =
  | { action: 'close'; code: number; reason: string }
  | { action: 'drop' }
  | { action: 'refuse'; count: number }
  | { action: 'hang' }
  | { action: 'restart' }
  | { action: 'silent' }
  | { action: 'echo'; on: boolean }
  | { action: 'state' }

/** The server's view of one tab, returned by every control call. */
export interface ChaosState {
  /** Tabs with at least one open chaos socket. */
  tabs: number
  /** Open sockets of this tab (0 or 1 unless a tab runs several clients). */
  open: number
  /** Handshakes of this tab that will still be answered with 503. */
  refuseNext: number
  /** Whether this tab's next handshake will never be answered. */
  hangNext: boolean
  /** Whether the server echoes this tab's messages. */
  echo: boolean
  /** Whether the server is inside its restart downtime (refusing every tab). */
  restarting: boolean
}

export interface ChaosResponse {
  ok: boolean
  /** One human sentence describing what the server did (or why it did nothing). */
  message: string
  state: ChaosState
}

/**
 * Whether a server may put this code in a close frame. 1005, 1006 and 1015 are
 * reserved for reporting (never on the wire); 1004 is reserved; 1016–2999 are
 * unassigned protocol codes; 3000–4999 belong to libraries and applications.
 */
export function isSendableCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
      (code >= 3000 && code <= 4999))
  )
}

/** Byte length of a string in UTF-8, as the close frame counts it. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length
}
