// The managed-agent provider's I/O side (seed 004) as one import: the client, its errors, the session follower
// and the platform's words. The emulator is imported from ./emulator/server.js by tests and the dev stack only.
export { ManagedAgentsClient } from './client.js';
export type {
  ListAgentsQuery,
  ListSessionsQuery,
  ManagedAgentsClientOptions,
  PageQuery,
  RequestOptions,
} from './client.js';
export { ManagedAgentsApiError, UnconfirmedWriteError } from './errors.js';
export type { UnconfirmedOperation } from './errors.js';
export { compareEventIds, type EventIdComparator } from './event-ledger.js';
export {
  SessionFollower,
  type FollowOptions,
  type FollowStats,
  type SessionEventSource,
} from './session-follower.js';
export { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export { API_PREFIX, ROUTES, type Route, type RouteName } from './routes.js';
export type * from './schemas.js';
export * from './vocabulary.js';
