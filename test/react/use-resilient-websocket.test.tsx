/**
 * `useResilientWebSocket` in a real browser with React 19, against the real
 * `ws` scenario server (test/support/scenario-server.ts): what the server
 * sees (connections, close frames) and what the component renders.
 */
import { type ReactNode, StrictMode, useEffect } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { isCloseCodeError, ResilientWebSocket, type UrlProvider } from '../../src/index.js'
import {
  type UseResilientWebSocketOptions,
  type UseResilientWebSocketResult,
  useResilientWebSocket,
} from '../../src/react.js'
import { FAST_OPTIONS, releaseDelayedClose, serverStats, uniqueKey, wsUrl } from '../browser/helpers.js'
import { eventually, settle } from '../support/wait.js'

/** Every render of a probe, in order (StrictMode renders twice in development: both are recorded). */
type Renders = UseResilientWebSocketResult[]

interface ProbeProps {
  url: UrlProvider | null
  renders: Renders
  options?: UseResilientWebSocketOptions
  protocols?: string | string[]
}

function Probe({ url, renders, options, protocols }: ProbeProps) {
  const result = useResilientWebSocket(url, protocols, options)
  renders.push(result)
  return null
}

/** A component that passes a new arrow around `provider` every render: its identity must not re-create the socket. */
function WithProvider({
  provider,
  renders,
  options = FAST_OPTIONS,
}: {
  provider: () => string
  renders: Renders
  options?: UseResilientWebSocketOptions
}) {
  renders.push(useResilientWebSocket(() => provider(), undefined, options))
  return null
}

interface SendResult {
  sent: boolean
  readyState: number
}

/** Sends 'early' from its mount effect (once: no StrictMode around it, which would run it twice as in an app). */
function EarlySender({ url, results, sends }: { url: string; results: SendResult[]; sends: Set<unknown> }) {
  const { send, readyState, lastMessage } = useResilientWebSocket(url, undefined, FAST_OPTIONS)
  sends.add(send)
  // biome-ignore lint/correctness/useExhaustiveDependencies: once on mount, with the first render's readyState
  useEffect(() => {
    results.push({ sent: send('early'), readyState })
  }, [send])
  return <output>{String(lastMessage?.data ?? '')}</output>
}

/**
 * Waits until the server got the page's close frame (`/delayed-close` records it and holds its answer).
 * Only that one arrived is checked, not its code: `close()` without a code sends none, and how an
 * engine writes that is not this binding's business.
 */
async function closeFrameReached(key: string): Promise<void> {
  await eventually(async () => {
    const { received } = await serverStats(key)
    expect(received).toHaveLength(1)
    expect(received[0]).toMatch(/^<close /)
  })
}

const latest = (renders: Renders) => {
  const last = renders.at(-1)
  if (!last) throw new Error('not rendered yet')
  return last
}

const roots = new Set<{ root: Root; container: HTMLElement }>()
let consoleErrors: ReturnType<typeof vi.spyOn>
let consoleWarnings: ReturnType<typeof vi.spyOn>

function mount(node: ReactNode) {
  const container = document.createElement('div')
  document.body.append(container)
  const root = createRoot(container)
  const entry = { root, container }
  roots.add(entry)
  root.render(node)
  return {
    rerender: (next: ReactNode) => root.render(next),
    unmount: () => {
      root.unmount()
      container.remove()
      roots.delete(entry)
    },
  }
}

beforeEach(() => {
  // React reports its warnings (setState after unmount, missing keys, …) through console.error/warn.
  consoleErrors = vi.spyOn(console, 'error')
  consoleWarnings = vi.spyOn(console, 'warn')
})

afterEach(async () => {
  for (const { root, container } of roots) {
    root.unmount()
    container.remove()
  }
  roots.clear()
  // The hook closes one task after unmount: let that happen inside this test.
  await settle(20)
  expect(consoleErrors).not.toHaveBeenCalled()
  expect(consoleWarnings).not.toHaveBeenCalled()
  vi.restoreAllMocks()
})

describe('StrictMode and unmount', () => {
  it('under <StrictMode> the server sees exactly one connection; unmount closes it and nothing reconnects', async () => {
    const key = uniqueKey('strict')
    const renders: Renders = []
    const view = mount(
      <StrictMode>
        <Probe url={wsUrl(`/delayed-close?key=${key}`)} renders={renders} options={FAST_OPTIONS} />
      </StrictMode>,
    )
    await eventually(() => expect(latest(renders).readyState).toBe(WebSocket.OPEN))
    const socket = latest(renders).socket
    expect(socket).toBeInstanceOf(ResilientWebSocket)
    // Past the deferred close and any second connection a double effect would have made.
    await settle()
    expect((await serverStats(key)).connections).toBe(1)

    view.unmount()
    const rendersAtUnmount = renders.length
    await closeFrameReached(key)
    await releaseDelayedClose(key)
    await eventually(() => expect(socket?.readyState).toBe(WebSocket.CLOSED))
    await settle()
    expect((await serverStats(key)).connections).toBe(1)
    // The close event came after unmount: no render, no state update, no warning.
    expect(renders.length).toBe(rendersAtUnmount)
  })

  it('a provider URL under <StrictMode>: one call per attempt, one connection', async () => {
    const key = uniqueKey('strict-provider')
    const renders: Renders = []
    let calls = 0
    const provider = () => {
      calls++
      return wsUrl(`/plan/${key}?steps=open`)
    }
    mount(
      <StrictMode>
        <WithProvider provider={provider} renders={renders} />
      </StrictMode>,
    )
    await eventually(() => expect(latest(renders).readyState).toBe(WebSocket.OPEN))
    await settle()
    expect((await serverStats(key)).connections).toBe(1)
    expect(calls).toBe(1)
  })
})

describe('url', () => {
  it('null holds no connection (CLOSED, send returns false); a URL then connects', async () => {
    const key = uniqueKey('null-url')
    const url = wsUrl(`/plan/${key}?steps=open`)
    const renders: Renders = []
    const view = mount(<Probe url={null} renders={renders} />)
    await eventually(() => expect(renders.length).toBeGreaterThan(0))
    await settle()
    expect(latest(renders)).toMatchObject({ readyState: WebSocket.CLOSED, socket: null, lastMessage: null })
    expect(latest(renders).send('nobody')).toBe(false)
    expect((await serverStats(key)).connections).toBe(0)

    view.rerender(<Probe url={url} renders={renders} options={FAST_OPTIONS} />)
    await eventually(() => expect(latest(renders).readyState).toBe(WebSocket.OPEN))
    expect((await serverStats(key)).connections).toBe(1)
  })

  it('a changed URL closes the old socket and makes a new one; null closes it', async () => {
    const first = uniqueKey('url-a')
    const second = uniqueKey('url-b')
    const renders: Renders = []
    const view = mount(<Probe url={wsUrl(`/delayed-close?key=${first}`)} renders={renders} options={FAST_OPTIONS} />)
    await eventually(() => expect(latest(renders).readyState).toBe(WebSocket.OPEN))
    const old = latest(renders).socket

    view.rerender(<Probe url={wsUrl(`/delayed-close?key=${second}`)} renders={renders} options={FAST_OPTIONS} />)
    await eventually(() => expect(latest(renders).socket).not.toBe(old))
    await eventually(() => expect(latest(renders).readyState).toBe(WebSocket.OPEN))
    await closeFrameReached(first)
    await releaseDelayedClose(first)

    view.rerender(<Probe url={null} renders={renders} options={FAST_OPTIONS} />)
    await eventually(() => expect(latest(renders).socket).toBeNull())
    await closeFrameReached(second)
    await releaseDelayedClose(second)
    expect((await serverStats(first)).connections).toBe(1)
    expect((await serverStats(second)).connections).toBe(1)
  })
})

describe('share', () => {
  it('three components on one URL share one connection, closed only after the last unmounts', async () => {
    const key = uniqueKey('share')
    const url = wsUrl(`/delayed-close?key=${key}`)
    const options = { ...FAST_OPTIONS, share: true }
    const renders: Renders[] = [[], [], []]
    const views = renders.map((r) => mount(<Probe url={url} renders={r} options={options} />))
    await eventually(() => {
      for (const r of renders) expect(latest(r).readyState).toBe(WebSocket.OPEN)
    })
    const sockets = new Set(renders.map((r) => latest(r).socket))
    expect(sockets.size).toBe(1)
    await settle()
    expect((await serverStats(key)).connections).toBe(1)

    views[0]?.unmount()
    views[1]?.unmount()
    await settle()
    expect((await serverStats(key)).received).toEqual([])
    expect(latest(renders[2]!).readyState).toBe(WebSocket.OPEN)

    views[2]?.unmount()
    await closeFrameReached(key)
    await releaseDelayedClose(key)
    expect((await serverStats(key)).connections).toBe(1)
  })

  it('refuses a URL provider: a shared socket needs a URL to be keyed by', async () => {
    const caught: unknown[] = []
    const container = document.createElement('div')
    const root = createRoot(container, { onUncaughtError: (error) => caught.push(error) })
    roots.add({ root, container })
    root.render(<WithProvider provider={() => wsUrl('/echo')} renders={[]} options={{ share: true }} />)
    await eventually(() => expect(caught).toHaveLength(1))
    expect(caught[0]).toBeInstanceOf(TypeError)
    expect(String(caught[0])).toMatch(/share needs a string or URL/)
  })
})

describe('state', () => {
  it('readyState and lastMessage re-render the component as they change', async () => {
    const key = uniqueKey('echo')
    const renders: Renders = []
    mount(<Probe url={wsUrl(`/plan/${key}?steps=open`)} renders={renders} options={FAST_OPTIONS} />)
    await eventually(() => expect(renders.length).toBeGreaterThan(0))
    expect(renders[0]?.readyState).toBe(WebSocket.CONNECTING)
    await eventually(() => expect(latest(renders).readyState).toBe(WebSocket.OPEN))
    expect(latest(renders).send('hello')).toBe(true)
    await eventually(() => expect(latest(renders).lastMessage?.data).toBe('hello'))
    latest(renders).send('again')
    await eventually(() => expect(latest(renders).lastMessage?.data).toBe('again'))
    expect(latest(renders)).toMatchObject({ error: null, lastClose: null, retryCount: 0 })
  })

  it('filter: messages it rejects neither update lastMessage nor re-render', async () => {
    const key = uniqueKey('filter')
    const url = wsUrl(`/plan/${key}?steps=open`)
    const filtered: Renders = []
    const everything: Renders = []
    const filter = (event: MessageEvent) => String(event.data).startsWith('keep')
    mount(<Probe url={url} renders={filtered} options={{ ...FAST_OPTIONS, share: true, filter }} />)
    mount(<Probe url={url} renders={everything} options={{ ...FAST_OPTIONS, share: true }} />)
    await eventually(() => expect(latest(everything).readyState).toBe(WebSocket.OPEN))
    const send = latest(everything).send
    for (const text of ['drop-1', 'keep-1', 'drop-2']) send(text)
    await eventually(() => expect(latest(everything).lastMessage?.data).toBe('drop-2'))
    await eventually(() => expect(latest(filtered).lastMessage?.data).toBe('keep-1'))
    const filteredRenders = filtered.length
    send('drop-3')
    await eventually(() => expect(latest(everything).lastMessage?.data).toBe('drop-3'))
    expect(filtered.length).toBe(filteredRenders)
    expect(latest(filtered).lastMessage?.data).toBe('keep-1')
  })

  it('a 1008 close surfaces a CloseCodeError as error, the close as lastClose, and CLOSED; no reconnect', async () => {
    const key = uniqueKey('policy')
    const renders: Renders = []
    mount(<Probe url={wsUrl(`/close/1008?key=${key}&reason=banned`)} renders={renders} options={FAST_OPTIONS} />)
    await eventually(() => expect(latest(renders).readyState).toBe(WebSocket.CLOSED))
    const { error, lastClose } = latest(renders)
    expect(isCloseCodeError(error)).toBe(true)
    expect(error).toMatchObject({ code: 1008, reason: 'banned' })
    expect(lastClose).toMatchObject({ code: 1008, willReconnect: false })
    await settle()
    expect((await serverStats(key)).connections).toBe(1)
  })

  it('a failed handshake shows error and lastClose while the retry waits; the reopen clears error', async () => {
    const key = uniqueKey('retry')
    const url = wsUrl(`/plan/${key}?steps=reject:503,open`)
    // The second attempt waits for the test, so the state in between is observed, not raced.
    let letRetry!: () => void
    const gate = new Promise<void>((resolve) => {
      letRetry = resolve
    })
    let calls = 0
    const provider = async () => {
      if (++calls > 1) await gate
      return url
    }
    const renders: Renders = []
    mount(<Probe url={provider} renders={renders} options={FAST_OPTIONS} />)
    await eventually(() => expect(latest(renders).error).not.toBeNull())
    // A native error event carries no error object: the event stands for it.
    expect(latest(renders).error).toBeInstanceOf(Event)
    expect(latest(renders)).toMatchObject({ readyState: WebSocket.CONNECTING, lastClose: { code: 1006 } })
    letRetry()
    await eventually(() => expect(latest(renders).readyState).toBe(WebSocket.OPEN))
    expect(latest(renders)).toMatchObject({ error: null, retryCount: 1, lastClose: { code: 1006 } })
    expect((await serverStats(key)).connections).toBe(2)
  })

  it('a change with no event (the app calls close()) shows at the next render, and updates no component mid-render', async () => {
    const key = uniqueKey('silent-change')
    const url = wsUrl(`/delayed-close?key=${key}`)
    const options = { ...FAST_OPTIONS, share: true }
    const first: Renders = []
    const second: Renders = []
    const view = mount(<Probe url={url} renders={first} options={options} />)
    mount(<Probe url={url} renders={second} options={options} />)
    await eventually(() => expect(latest(second).readyState).toBe(WebSocket.OPEN))
    // The server holds its answer to the close frame: CLOSING, and no event, until released.
    latest(first).socket?.close()
    view.rerender(<Probe url={url} renders={first} options={{ ...options }} />)
    await eventually(() => expect(latest(first).readyState).toBe(WebSocket.CLOSING))
    await closeFrameReached(key)
    await releaseDelayedClose(key)
    await eventually(() => expect(latest(second).readyState).toBe(WebSocket.CLOSED))
    // afterEach checks that React reported nothing (a setState during another component's render would warn).
  })

  it('send while CONNECTING is queued and delivered after open; send keeps its identity', async () => {
    const key = uniqueKey('early')
    const results: SendResult[] = []
    const sends = new Set<unknown>()
    const view = mount(<EarlySender url={wsUrl(`/plan/${key}?steps=open`)} results={results} sends={sends} />)
    await eventually(() => expect(document.querySelector('output')?.textContent).toBe('early'))
    expect(results).toEqual([{ sent: true, readyState: WebSocket.CONNECTING }])
    expect((await serverStats(key)).received).toEqual(['early'])
    expect(sends.size).toBe(1)
    view.unmount()
  })
})
