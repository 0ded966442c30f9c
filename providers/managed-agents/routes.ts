// The seed lists the platform's endpoints by description only, without paths or methods. Every path twinflow
// assumes is here, in one table that both the client and the emulator read, so a correction when the real paths
// are known is a one-line change (docs/managed-agents-contract.md, A1). `idempotent` decides the retry policy:
// only an endpoint whose repetition cannot change the world twice is retried after an ambiguous failure.

/** HTTP methods the platform's endpoints use. */
export type RouteMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One endpoint: method, path template with `{name}` placeholders, and whether repeating it is harmless. */
export interface Route {
  readonly method: RouteMethod;
  readonly path: string;
  readonly idempotent: boolean;
}

/** Version prefix of every path (A1); the host comes from the client's `baseUrl`. */
export const API_PREFIX = '/v1';

const route = (method: RouteMethod, path: string, idempotent: boolean): Route => ({
  method,
  path: `${API_PREFIX}${path}`,
  idempotent,
});

/** The endpoints a pipeline needs, by name (A1). */
export const ROUTES = {
  listAgents: route('GET', '/agents', true),
  createAgent: route('POST', '/agents', false),
  getAgent: route('GET', '/agents/{agent_id}', true),
  /** Bumps the agent's version, so a blind repeat would make a second version. */
  updateAgent: route('PATCH', '/agents/{agent_id}', false),
  archiveAgent: route('POST', '/agents/{agent_id}/archive', true),
  listAgentVersions: route('GET', '/agents/{agent_id}/versions', true),
  getAgentVersion: route('GET', '/agents/{agent_id}/versions/{version}', true),
  createSession: route('POST', '/sessions', false),
  listSessions: route('GET', '/sessions', true),
  getSession: route('GET', '/sessions/{session_id}', true),
  streamSession: route('GET', '/sessions/{session_id}/stream', true),
  getSessionEvents: route('GET', '/sessions/{session_id}/events', true),
  sendTurn: route('POST', '/sessions/{session_id}/turns', false),
  cancelSession: route('POST', '/sessions/{session_id}/cancel', true),
  deleteSession: route('DELETE', '/sessions/{session_id}', true),
} as const satisfies Record<string, Route>;

/** The name of an endpoint in ROUTES. */
export type RouteName = keyof typeof ROUTES;

const PLACEHOLDER = /\{([a-z_]+)\}/g;

/**
 * The path of `route` with each placeholder replaced by its percent-encoded value. Throws a TypeError naming
 * the placeholder when a value is missing or is "", "." or "..", which URL normalisation would turn into a
 * different endpoint.
 */
export function fillPath(route: Route, values: Readonly<Record<string, string | number>>): string {
  return route.path.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    const text = value === undefined ? '' : String(value);
    if (text === '' || text === '.' || text === '..') {
      throw new TypeError(`${route.method} ${route.path}: ${name} ${JSON.stringify(text)} is not a valid ID`);
    }
    return encodeURIComponent(text);
  });
}

/** The path of `route` as a Koa router pattern (`{agent_id}` → `:agent_id`), for the emulator. */
export function routerPattern(route: Route): string {
  return route.path.replace(PLACEHOLDER, (_, name: string) => `:${name}`);
}
