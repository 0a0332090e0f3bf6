/** The page's side of the chaos server's control API (see chaos-server.ts). */
import { CHAOS_API_PATH, CHAOS_PATH, type ChaosAction, type ChaosResponse } from './chaos-protocol.js'

/** The WebSocket URL of the chaos server for this tab. */
export function chaosSocketUrl(clientId: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${CHAOS_PATH}?client=${encodeURIComponent(clientId)}`
}

/** Orders the server to misbehave for this tab. Rejects only when the request itself failed. */
export async function orderChaos(clientId: string, command: ChaosAction): Promise<ChaosResponse> {
  const { action, ...body } = command
  let response: Response
  try {
    response = await fetch(`${CHAOS_API_PATH}/${action}?client=${encodeURIComponent(clientId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  } catch {
    throw new Error('The control request did not reach the server (is the browser offline?).')
  }
  const payload: unknown = await response.json().catch(() => null)
  if (payload === null || typeof payload !== 'object' || !('state' in payload)) {
    throw new Error(`The control request failed with HTTP ${response.status}.`)
  }
  return payload as ChaosResponse
}
