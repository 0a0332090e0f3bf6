// `resilient-websocket/react`: the React binding. A separate entry so the core
// entry never imports React (React ≥ 18 is an optional peer dependency).

export {
  type UseResilientWebSocketOptions,
  type UseResilientWebSocketResult,
  useResilientWebSocket,
} from './react/use-resilient-websocket.js'
