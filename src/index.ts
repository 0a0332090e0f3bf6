// The public API. Everything is exported by name so bundlers can drop what an
// app does not import (importing only `describeCloseCode` leaves the socket out).

export {
  type BackoffFunction,
  type BackoffOptions,
  clampDelay,
  createBackoff,
  exponentialDelay,
  type Jitter,
  jitterStrategies,
  MAX_DELAY_MS,
} from './backoff.js'
export {
  CLOSE_CODES,
  type CloseCodeDescription,
  type CloseCodeInfo,
  describeCloseCode,
  type RegisteredCloseCode,
} from './close-codes.js'
export {
  type CloseAction,
  DEFAULT_POLICIES,
  type DefaultPolicy,
  type PolicyCode,
} from './default-policies.js'
export {
  BufferOverflowError,
  CloseCodeError,
  ConnectTimeoutError,
  HeartbeatTimeoutError,
  isCloseCodeError,
  ResilientWebSocketError,
} from './errors.js'
export {
  DropEvent,
  type DropReason,
  ReconnectingEvent,
  ResilientCloseEvent,
  ResilientErrorEvent,
  ResilientMessageEvent,
  ResilientOpenEvent,
  type ResilientWebSocketEvents,
  type ResilientWebSocketEventType,
} from './events.js'
export {
  consoleLogger,
  LOG_EVENTS,
  LOG_LEVELS,
  type LogEntry,
  type LogEvent,
  type Logger,
  type LogLevel,
} from './logger.js'
export type { NodeBinaryType, WebSocketLike } from './native-socket.js'
export {
  type BufferOptions,
  DEFAULT_OPTIONS,
  type HeartbeatOptions,
  type OverflowStrategy,
  type ResilientWebSocketOptions,
  type SendData,
  type WebSocketConstructor,
} from './options.js'
export type {
  DecisionRule,
  Policies,
  Policy,
  PolicyContext,
  PolicyDecision,
  PolicyFunction,
  RetryPolicy,
} from './policies.js'
export { type ProtocolsProvider, ResilientWebSocket, type UrlProvider } from './socket.js'
