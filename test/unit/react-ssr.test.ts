/**
 * The React binding under server rendering (Node, no window, no WebSocket):
 * effects do not run on the server, so no socket is made, and the markup
 * shows CONNECTING for a URL and CLOSED for none.
 */
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import type { WebSocketConstructor } from '../../src/index.js'
import { useResilientWebSocket } from '../../src/react.js'
import { FakeWebSocketConstructor } from '../support/fake-websocket.js'

function State({ url, WebSocket }: { url: string | null; WebSocket: WebSocketConstructor }) {
  const { readyState, socket, send } = useResilientWebSocket(url, undefined, { WebSocket })
  return createElement(
    'p',
    null,
    `readyState=${readyState} socket=${socket === null ? 'none' : 'yes'} send=${send('x')}`,
  )
}

describe('useResilientWebSocket on the server', () => {
  it('renders without creating a socket: CONNECTING for a URL, CLOSED for null; send() is a no-op', () => {
    const constructed = vi.fn()
    const Spy = new Proxy(FakeWebSocketConstructor, {
      construct(target, args) {
        constructed()
        return Reflect.construct(target, args)
      },
    })
    expect(renderToString(createElement(State, { url: 'ws://example.test/', WebSocket: Spy }))).toBe(
      '<p>readyState=0 socket=none send=false</p>',
    )
    expect(renderToString(createElement(State, { url: null, WebSocket: Spy }))).toBe(
      '<p>readyState=3 socket=none send=false</p>',
    )
    expect(constructed).not.toHaveBeenCalled()
  })
})
