// Every Twin.ai endpoint, one table read by both the client and the emulator, so a call is retried, routed and
// refused under the same rules on both sides. The seed shows the paths of ask (`POST /v1/twin`), the KB list, get
// and delete, the KB create (its Notion example) and resolve (`PATCH /v1/escalations/:id`); the escalation list and
// stats paths are our reading (docs/twin-ai-contract.md, A3).
//
// `idempotent` decides what a failure without a trustworthy answer means. Sending a GET or a DELETE twice leaves
// Twin as sending it once, so a 5xx or a lost answer is retried. An ask (it spends an answer of the monthly limit and
// may open an escalation), a create (a second document) and the resolve PATCH (whose second answer the seed does
// not describe) are sent once: after a 5xx or a lost answer the client reports them unconfirmed (A9).

export type TwinAiMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One endpoint: `path` uses `:id` for its one identifier, as Koa routes do. */
export interface TwinAiEndpoint {
  method: TwinAiMethod;
  path: string;
  idempotent: boolean;
}

export const TWIN_AI_ENDPOINTS = {
  ask: { method: 'POST', path: '/v1/twin', idempotent: false },
  listDocs: { method: 'GET', path: '/v1/kb', idempotent: true },
  createDoc: { method: 'POST', path: '/v1/kb', idempotent: false },
  getDoc: { method: 'GET', path: '/v1/kb/:id', idempotent: true },
  deleteDoc: { method: 'DELETE', path: '/v1/kb/:id', idempotent: true },
  listEscalations: { method: 'GET', path: '/v1/escalations', idempotent: true },
  resolveEscalation: { method: 'PATCH', path: '/v1/escalations/:id', idempotent: false },
  getStats: { method: 'GET', path: '/v1/stats', idempotent: true },
} as const satisfies Record<string, TwinAiEndpoint>;

export type TwinAiEndpointName = keyof typeof TWIN_AI_ENDPOINTS;
