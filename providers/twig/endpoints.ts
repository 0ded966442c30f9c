// Every Twig endpoint the seed lists, with the rate-limit scope it is charged to. The client and the emulator both
// read this one table, so a request is budgeted, authorised and rate limited under the same scope on both sides.
// Scopes the seed states outright: query (Execute, "403: API key lacks Execute scope"), feedback (Execute), agents,
// data-source list/create/sync, interactions, KB (Read/Write), analytics and users (Admin). Semantic search and
// data-source status carry no scope in the seed; docs/twig-contract.md (A3, A4) says what we assume and why.

/** The four rate-limit scopes of the seed's table, in its order. */
export const TWIG_SCOPES = ['execute', 'write', 'read', 'admin'] as const;
export type TwigScope = (typeof TWIG_SCOPES)[number];

export type TwigMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One endpoint: `path` uses `:id` for its one identifier, as Koa routes do. */
export interface TwigEndpoint {
  method: TwigMethod;
  path: string;
  scope: TwigScope;
  /**
   * Sending it twice makes two of something (an interaction, an agent, a source, a sync, feedback, a user, an
   * article). The seed
   * offers no idempotency key, so after an answer that may follow a performed request (500, 503) the client does
   * not send it again: docs/twig-contract.md, A17.
   */
  creates?: true;
}

export const TWIG_ENDPOINTS = {
  // A query records an interaction and may make its agent act: answered 500, it may have happened.
  query: { method: 'POST', path: '/api/v1/query', scope: 'execute', creates: true },
  semanticSearch: { method: 'POST', path: '/api/v1/semantic-search', scope: 'execute' },
  listAgents: { method: 'GET', path: '/api/v1/agents', scope: 'read' },
  createAgent: { method: 'POST', path: '/api/v1/agents', scope: 'write', creates: true },
  getAgent: { method: 'GET', path: '/api/v1/agents/:id', scope: 'read' },
  updateAgent: { method: 'PUT', path: '/api/v1/agents/:id', scope: 'write' },
  deleteAgent: { method: 'DELETE', path: '/api/v1/agents/:id', scope: 'write' },
  listDataSources: { method: 'GET', path: '/api/v1/data-sources', scope: 'read' },
  createDataSource: { method: 'POST', path: '/api/v1/data-sources', scope: 'write', creates: true },
  syncDataSource: { method: 'POST', path: '/api/v1/data-sources/:id/sync', scope: 'write', creates: true },
  getDataSourceStatus: { method: 'GET', path: '/api/v1/data-sources/:id/status', scope: 'read' },
  listInteractions: { method: 'GET', path: '/api/v1/interactions', scope: 'read' },
  submitFeedback: {
    method: 'POST',
    path: '/api/v1/interactions/:id/feedback',
    scope: 'execute',
    creates: true,
  },
  getAnalytics: { method: 'GET', path: '/api/v1/analytics', scope: 'admin' },
  listUsers: { method: 'GET', path: '/api/v1/users', scope: 'admin' },
  createUser: { method: 'POST', path: '/api/v1/users', scope: 'admin', creates: true },
  listKbArticles: { method: 'GET', path: '/api/v1/kb', scope: 'read' },
  createKbArticle: { method: 'POST', path: '/api/v1/kb', scope: 'write', creates: true },
  updateKbArticle: { method: 'PUT', path: '/api/v1/kb/:id', scope: 'write' },
} as const satisfies Record<string, TwigEndpoint>;

export type TwigEndpointName = keyof typeof TWIG_ENDPOINTS;

/** The seed's name for a scope, as its 403 message says it ("lacks Execute scope"). */
export function scopeTitle(scope: TwigScope): string {
  return scope.charAt(0).toUpperCase() + scope.slice(1);
}
