/**
 * The demo's misbehaving WebSocket server. It has no port of its own: the Vite
 * plugin at the bottom hands it the dev server's HTTP `upgrade` requests for
 * {@link CHAOS_PATH} and its control API requests under {@link CHAOS_API_PATH}.
 *
 * Every tab identifies itself with `?client=<id>` on both, so "drop", "refuse
 * next N", "hang" and friends hit only the tab that asked; "restart" hits all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Plugin } from 'vite'
import { type RawData, type WebSocket, WebSocketServer } from 'ws'
import {
  CHAOS_API_PATH,
  CHAOS_PATH,
  type ChaosAction,
  type ChaosResponse,
  type ChaosState,
  isSendableCloseCode,
  MAX_REASON_BYTES,
  RESTART_DOWNTIME_MS,
  utf8Length,
} from './chaos-protocol.js'

/** A hung handshake is let go after this long, so a forgotten tab cannot pin sockets forever. */
const HANG_LIMIT_MS = 120_000
/** Control request bodies are tiny; anything bigger is refused. */
const MAX_BODY_BYTES = 4096
/** Per-tab state is forgotten for idle tabs beyond this many. */
const MAX_CLIENTS = 256

interface Tab {
  refuseNext: number
  hangNext: boolean
  echo: boolean
  connections: number
  sockets: Set<WebSocket>
  lastSeen: number
}

export interface ChaosServer {
  /** Takes an HTTP upgrade for {@link CHAOS_PATH}; returns `false` (touching nothing) for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  /** Answers a control request under {@link CHAOS_API_PATH}; `url` is the full request path. */
  handleControl(req: IncomingMessage, res: ServerResponse, url: URL): void
  /** Closes every socket and timer the server holds. */
  stop(): void
}

function clientId(url: URL): string {
  const id = url.searchParams.get('client') ?? ''
  return /^[\w-]{1,64}$/.test(id) ? id : 'anonymous'
}

function refuse(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}

export function createChaosServer(): ChaosServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  const tabs = new Map<string, Tab>()
  const hung = new Map<Duplex, ReturnType<typeof setTimeout>>()
  const silent = new WeakSet<WebSocket>()
  let downUntil = 0
  let stopped = false

  const tabFor = (id: string): Tab => {
    let tab = tabs.get(id)
    if (!tab) {
      tab = { refuseNext: 0, hangNext: false, echo: true, connections: 0, sockets: new Set(), lastSeen: 0 }
      tabs.set(id, tab)
      if (tabs.size > MAX_CLIENTS) {
        const idle = [...tabs].filter(([, t]) => t.sockets.size === 0).sort(([, a], [, b]) => a.lastSeen - b.lastSeen)
        for (const [oldId] of idle.slice(0, tabs.size - MAX_CLIENTS)) tabs.delete(oldId)
      }
    }
    tab.lastSeen = Date.now()
    return tab
  }

  const stateOf = (tab: Tab): ChaosState => ({
    tabs: [...tabs.values()].filter((t) => t.sockets.size > 0).length,
    open: tab.sockets.size,
    refuseNext: tab.refuseNext,
    hangNext: tab.hangNext,
    echo: tab.echo,
    restarting: Date.now() < downUntil,
  })

  const accept = (tab: Tab, ws: WebSocket) => {
    tab.connections++
    tab.sockets.add(ws)
    ws.on('close', () => tab.sockets.delete(ws))
    ws.on('error', () => ws.terminate())
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (silent.has(ws)) return
      // The page's heartbeat sends 'ping'; any reply counts as a sign of life.
      if (!isBinary && data.toString() === 'ping') ws.send('pong')
      else if (tab.echo) ws.send(data, { binary: isBinary })
    })
    ws.send(`hello from the chaos server: connection #${tab.connections} of this tab`)
  }

  const act = (tab: Tab, command: ChaosAction): { ok: boolean; message: string } => {
    const open = [...tab.sockets]
    switch (command.action) {
      case 'close': {
        if (!isSendableCloseCode(command.code))
          return { ok: false, message: `${command.code} cannot be sent in a close frame.` }
        if (utf8Length(command.reason) > MAX_REASON_BYTES)
          return { ok: false, message: `The reason is longer than ${MAX_REASON_BYTES} UTF-8 bytes.` }
        if (open.length === 0) return { ok: false, message: 'This tab has no open connection to close.' }
        for (const ws of open) ws.close(command.code, command.reason)
        return { ok: true, message: `Sent close frame ${command.code}.` }
      }
      case 'drop':
        if (open.length === 0) return { ok: false, message: 'This tab has no open connection to drop.' }
        for (const ws of open) ws.terminate()
        return { ok: true, message: 'Destroyed the TCP connection without a close frame.' }
      case 'refuse': {
        const count = Math.max(0, Math.min(50, Math.trunc(command.count)))
        tab.refuseNext = count
        return { ok: true, message: `The next ${count} handshake(s) of this tab will get HTTP 503.` }
      }
      case 'hang':
        tab.hangNext = true
        return { ok: true, message: "This tab's next handshake will never be answered." }
      case 'restart': {
        let closed = 0
        for (const t of tabs.values()) {
          for (const ws of t.sockets) {
            ws.close(1012, 'Service Restart')
            closed++
          }
        }
        downUntil = Date.now() + RESTART_DOWNTIME_MS
        return {
          ok: true,
          message: `Restarting: closed ${closed} connection(s) with 1012; refusing all handshakes for ${RESTART_DOWNTIME_MS} ms.`,
        }
      }
      case 'silent':
        if (open.length === 0) return { ok: false, message: 'This tab has no open connection to silence.' }
        for (const ws of open) silent.add(ws)
        return { ok: true, message: 'The server stopped answering on this connection (pings included).' }
      case 'echo':
        tab.echo = command.on
        return {
          ok: true,
          message: command.on ? 'The server echoes messages.' : 'The server no longer echoes messages.',
        }
      case 'state':
        return { ok: true, message: '' }
    }
  }

  const parseCommand = (action: string, body: Record<string, unknown>): ChaosAction | null => {
    switch (action) {
      case 'close':
        return {
          action,
          code: Number(body.code),
          reason: typeof body.reason === 'string' ? body.reason : '',
        }
      case 'refuse':
        return { action, count: Number(body.count) || 0 }
      case 'echo':
        return { action, on: body.on !== false }
      case 'drop':
      case 'hang':
      case 'restart':
      case 'silent':
      case 'state':
        return { action }
      default:
        return null
    }
  }

  const reply = (res: ServerResponse, status: number, body: ChaosResponse) => {
    res.statusCode = status
    res.setHeader('content-type', 'application/json')
    res.setHeader('cache-control', 'no-store')
    res.end(JSON.stringify(body))
  }

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (url.pathname !== CHAOS_PATH) return false
      socket.on('error', () => socket.destroy())
      if (stopped) {
        socket.destroy()
        return true
      }
      const tab = tabFor(clientId(url))
      if (Date.now() < downUntil) {
        refuse(socket, 503, 'Service Unavailable')
        return true
      }
      if (tab.refuseNext > 0) {
        tab.refuseNext--
        refuse(socket, 503, 'Service Unavailable')
        return true
      }
      if (tab.hangNext) {
        tab.hangNext = false
        const timer = setTimeout(() => {
          hung.delete(socket)
          socket.destroy()
        }, HANG_LIMIT_MS)
        hung.set(socket, timer)
        socket.once('close', () => {
          clearTimeout(timer)
          hung.delete(socket)
        })
        return true
      }
      wss.handleUpgrade(req, socket, head, (ws) => accept(tab, ws))
      return true
    },

    handleControl(req, res, url) {
      const tab = tabFor(clientId(url))
      const action = url.pathname.slice(CHAOS_API_PATH.length + 1)
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST')
        reply(res, 405, { ok: false, message: 'Use POST.', state: stateOf(tab) })
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      req.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size <= MAX_BODY_BYTES) chunks.push(chunk)
      })
      req.on('end', () => {
        let body: Record<string, unknown> = {}
        try {
          if (size > MAX_BODY_BYTES) throw new Error('too large')
          const text = Buffer.concat(chunks).toString('utf8')
          const parsed: unknown = text ? JSON.parse(text) : {}
          if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>
        } catch {
          reply(res, 400, { ok: false, message: 'The request body is not a small JSON object.', state: stateOf(tab) })
          return
        }
        const command = parseCommand(action, body)
        if (!command) {
          reply(res, 404, { ok: false, message: `Unknown action "${action}".`, state: stateOf(tab) })
          return
        }
        const result = act(tab, command)
        reply(res, result.ok ? 200 : 409, { ...result, state: stateOf(tab) })
      })
    },

    stop() {
      stopped = true
      for (const [socket, timer] of hung) {
        clearTimeout(timer)
        socket.destroy()
      }
      hung.clear()
      for (const ws of wss.clients) ws.terminate()
      wss.close()
    },
  }
}

/**
 * Embeds the chaos server in Vite's dev (and preview) server. Upgrades for
 * other paths — Vite's HMR socket above all — are left to their owners.
 */
export function chaosPlugin(): Plugin {
  const attach = (httpServer: import('node:http').Server | null, middlewares: import('vite').Connect.Server) => {
    if (!httpServer) return
    const chaos = createChaosServer()
    httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      chaos.handleUpgrade(req, socket, head)
    })
    httpServer.once('close', () => chaos.stop())
    middlewares.use((req, res, next) => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (url.pathname.startsWith(`${CHAOS_API_PATH}/`)) chaos.handleControl(req, res, url)
      else next()
    })
  }
  return {
    name: 'resilient-websocket-chaos',
    configureServer(server) {
      attach(server.httpServer as import('node:http').Server | null, server.middlewares)
    },
    configurePreviewServer(server) {
      attach(server.httpServer as import('node:http').Server | null, server.middlewares)
    },
  }
}
