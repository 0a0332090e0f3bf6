/**
 * Node with the `ws` package as the wrapped implementation, against a real
 * `ws` server on 127.0.0.1 (test/support/scenario-server.ts): what `ws` says
 * about a failure reaches the `error` event, and `binaryType` takes the values
 * `ws` takes, on every native socket of the run.
 */
import { createServer } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type ResilientErrorEvent, ResilientWebSocket } from '../../src/index.js'
import { type ScenarioServer, startScenarioServer } from '../support/scenario-server.js'

let server: ScenarioServer
beforeAll(async () => {
  server = await startScenarioServer()
})
afterAll(() => server?.stop())

const sockets: ResilientWebSocket[] = []
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close()
})

/** `ws`'s default export as `options.WebSocket`, exactly as the README shows it: no cast. */
function connect(url: string, options: { maxRetries?: number } = {}): ResilientWebSocket {
  const socket = new ResilientWebSocket(url, undefined, { WebSocket, ...options })
  sockets.push(socket)
  return socket
}

/** A port on 127.0.0.1 that nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** Resolves with the errors reported before the run's final close. */
function errorsUntilStopped(socket: ResilientWebSocket): Promise<ResilientErrorEvent[]> {
  const errors: ResilientErrorEvent[] = []
  socket.on('error', (event) => errors.push(event))
  return new Promise((resolve) => {
    socket.on('close', (event) => {
      if (!event.willReconnect) resolve(errors)
    })
  })
}

function nextMessage(socket: ResilientWebSocket): Promise<unknown> {
  return new Promise((resolve) => socket.once('message', (event) => resolve(event.data)))
}

function opened(socket: ResilientWebSocket): Promise<void> {
  return new Promise((resolve) => socket.once('open', () => resolve()))
}

describe('the error event says why ws failed', () => {
  it('a refused connection carries ECONNREFUSED as error and message', async () => {
    const port = await closedPort()
    const socket = connect(`ws://127.0.0.1:${port}/`, { maxRetries: 0 })
    const errors = await errorsUntilStopped(socket)
    expect(errors).toHaveLength(1)
    const { message, error } = errors[0]!
    expect(message).toContain('ECONNREFUSED')
    expect(message).toContain(`127.0.0.1:${port}`)
    expect(error).toBeInstanceOf(Error)
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
  })

  it('a rejected handshake carries the HTTP status ws reports', async () => {
    const socket = connect(`ws://127.0.0.1:${server.port}/reject/401`, { maxRetries: 0 })
    const errors = await errorsUntilStopped(socket)
    expect(errors).toHaveLength(1)
    const { message, error } = errors[0]!
    expect(message).toContain('401')
    expect((error as Error).message).toBe(message)
  })
})

describe('binaryType with ws', () => {
  it("'nodebuffer' is accepted, read back from ws, and applies to the sockets after a reconnect", async () => {
    const socket = connect(`ws://127.0.0.1:${server.port}/echo`)
    socket.binaryType = 'nodebuffer'
    expect(socket.binaryType).toBe('nodebuffer')
    await opened(socket)
    socket.send(new Uint8Array([1, 2, 3]))
    const first = await nextMessage(socket)
    expect(Buffer.isBuffer(first)).toBe(true)
    expect([...(first as Buffer)]).toEqual([1, 2, 3])

    const reopened = opened(socket)
    socket.reconnect()
    await reopened
    socket.send(new Uint8Array([4, 5]))
    const second = await nextMessage(socket)
    expect(Buffer.isBuffer(second)).toBe(true)
    expect([...(second as Buffer)]).toEqual([4, 5])
  })

  it("'fragments' delivers ws's array of Buffers", async () => {
    const socket = connect(`ws://127.0.0.1:${server.port}/echo`)
    socket.binaryType = 'fragments'
    await opened(socket)
    socket.send(new Uint8Array([7]))
    const data = await nextMessage(socket)
    expect(Array.isArray(data)).toBe(true)
    expect(Buffer.concat(data as Buffer[])).toEqual(Buffer.from([7]))
  })

  it('a value ws does not know is ignored, as ws ignores it', () => {
    const socket = connect(`ws://127.0.0.1:${server.port}/echo`)
    socket.binaryType = 'arraybuffer'
    ;(socket as { binaryType: string }).binaryType = 'Blob'
    expect(socket.binaryType).toBe('arraybuffer')
  })
})
