// A Node ESM service's use of the packed library: ws's and undici's
// constructors as options.WebSocket, without casts.
import { isCloseCodeError, ResilientWebSocket, type ResilientWebSocketOptions } from 'resilient-websocket'
import type { WebSocket as UndiciWebSocket } from 'undici-types'
import WebSocket, { WebSocket as NamedWebSocket } from 'ws'

const viaOptions: ResilientWebSocketOptions = { WebSocket }
const named = new ResilientWebSocket('ws://127.0.0.1:8080/', 'v1', { WebSocket: NamedWebSocket })

// undici's WebSocket (Node 22's global one): the same option, no cast.
declare const Undici: typeof UndiciWebSocket
const viaUndici = new ResilientWebSocket('ws://127.0.0.1:8080/', undefined, { WebSocket: Undici })

// ws's extra binaryType values.
named.binaryType = 'nodebuffer'
named.binaryType = 'fragments'

// What ws says about a failure is on the error event.
named.on('error', (event) => {
  const why: string = event.message
  if (isCloseCodeError(event.error)) console.log(event.error.code)
  else console.log(why, event.error instanceof Error ? event.error.cause : undefined)
})

console.log(viaOptions, viaUndici)
