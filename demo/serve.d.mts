import type { ViteDevServer } from 'vite'

export interface DemoOptions {
  /** Port to listen on; `0` picks a free one. @default 5173 */
  port?: number
  /** Address to listen on (`'0.0.0.0'` or `true` for every interface). @default 'localhost' */
  host?: string | boolean
  /** Print nothing (for tests). @default false */
  quiet?: boolean
  /** Watch files and reload the page on changes (hot reload); tests turn it off. @default true */
  watch?: boolean
}

export interface DemoServer {
  /** The page's URL, e.g. `http://localhost:5173/`. */
  url: string
  /** The port actually listened on. */
  port: number
  vite: ViteDevServer
  /** Stops Vite and the chaos server, closing every socket. */
  close(): Promise<void>
}

export declare const DEFAULT_PORT: number

/** Starts the demo server and resolves once it listens. A taken port rejects with {@link PortInUseError}. */
export declare function startDemo(options?: DemoOptions): Promise<DemoServer>

export declare class PortInUseError extends Error {
  readonly port: number
  constructor(port: number, options?: ErrorOptions)
}
