// The typed Twin.ai client: one method per endpoint of seed 003, wire names as the seed spells them (camelCase:
// `shouldEscalate`, `askedBy`), so a step's result is addressable in templates exactly as Twin documents it.
// Options are checked once, at construction: the key must have the seed's `twin_live_…` shape and is never echoed
// in the error, and the base URL must be HTTPS, loopback HTTP excepted for the emulator.
import { z } from 'zod';
import {
  checkedClientOptions,
  httpsBaseUrlSchema,
  keyProblem,
  retryPolicySchema,
} from '../shared/client-options.js';
import * as req from './requests.js';
import { DEFAULT_TWIN_AI_RETRY, type TwinAiRetryPolicy } from './retry-policy.js';
import * as res from './schemas.js';
import { createTwinAiTransport, type RequestOptions, type TransportSettings } from './transport.js';

export const TWIN_AI_DEFAULT_BASE_URL = 'https://api.twin.ai';

/** The seed shows only live keys (`twin_live_sk_a8f2c4e1...`); what follows the prefix is any URL-safe run (A1). */
export const TWIN_AI_API_KEY_SHAPE = /^twin_live_[A-Za-z0-9_-]+$/;

export interface TwinAiClientOptions {
  /** `twin_live_…`, sent as `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  /** Default https://api.twin.ai. */
  baseUrl?: string;
  /** Per attempt, covering connect, headers and body; default 30 s (an ask searches and generates). */
  timeoutMs?: number;
  retry?: Partial<TwinAiRetryPolicy>;
  fetch?: typeof fetch;
  onRetry?: TransportSettings['onRetry'];
}

const optionsSchema = z.object({
  baseUrl: httpsBaseUrlSchema,
  timeoutMs: z.number().int().positive(),
  retry: retryPolicySchema,
});

/** Names what is wrong with a key without echoing any of it. */
const twinAiKeyProblem = (apiKey: unknown) =>
  keyProblem(apiKey, TWIN_AI_API_KEY_SHAPE, (key) => {
    if (/^bearer\s/i.test(key)) return 'apiKey must be the key alone, without "Bearer "';
    if (!key.startsWith('twin_live_')) return 'apiKey must start with twin_live_';
    return 'apiKey may contain only letters, digits, "_" and "-" after twin_live_';
  });

/**
 * A client for the Twin.ai REST API (seed 003): ask the twin, manage its knowledge base, list and resolve
 * escalations, read usage stats.
 *
 * Every method resolves to the parsed answer or rejects with a {@link TwinAiApiError}:
 * - {@link TwinAiInputError} before anything is sent, when an input breaks the seed's rules (it names `field`
 *   and `limit`, e.g. `message` and 2000);
 * - {@link TwinAiAnswerLimitError} on 402, the monthly answer limit: never retried;
 * - {@link TwinAiUnconfirmedError} when an ask, a create or a resolve was sent but its outcome is unknown (timeout,
 *   cut connection, 5xx). It is not sent again: Twin may have answered (and counted it) or stored the document.
 *   Look before retrying;
 * - a plain TwinAiApiError for the rest, with `status`, `code`, `serverMessage` and `cause`.
 *
 * 429 is waited out per `Retry-After` and sent again, for every endpoint, up to `retry.maxAttempts`; GET and DELETE
 * are also retried with backoff after a 5xx or a lost answer. A caller's abort rejects with the signal's reason.
 *
 * @example
 * const twin = new TwinAiClient({ apiKey: process.env.TWIN_AI_API_KEY! });
 * const answer = await twin.ask({ message: 'What is the expense policy?', askedBy: 'Jordan M.' });
 * if (answer.shouldEscalate) console.log(answer.escalateReason);
 */
export class TwinAiClient {
  private readonly call: ReturnType<typeof createTwinAiTransport>;

  /** @throws TypeError naming the bad option (never showing the key) when options are invalid. */
  constructor(options: TwinAiClientOptions) {
    const parsed = checkedClientOptions('Twin.ai', twinAiKeyProblem(options.apiKey), optionsSchema, {
      baseUrl: options.baseUrl ?? TWIN_AI_DEFAULT_BASE_URL,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: { ...DEFAULT_TWIN_AI_RETRY, ...options.retry },
    });
    this.call = createTwinAiTransport({
      baseUrl: new URL(parsed.baseUrl),
      apiKey: options.apiKey,
      timeoutMs: parsed.timeoutMs,
      retry: parsed.retry,
      fetch: options.fetch ?? fetch,
      onRetry: options.onRetry,
    });
  }

  /** POST /v1/twin: the twin's answer, its confidence and whether it escalated. Spends one monthly answer. */
  ask(body: req.AskRequest, o?: RequestOptions): Promise<res.AskResponse> {
    const spec = { endpoint: 'ask', body: { schema: req.askRequestSchema, value: body } } as const;
    return this.call({ ...spec, response: res.askResponseSchema }, o);
  }

  /** GET /v1/kb: document summaries (no content), filtered by `type`; `limit` 1-200. */
  listDocs(params: req.ListDocsParams = {}, o?: RequestOptions): Promise<res.KbDocList> {
    const query = { schema: req.listDocsQuery, value: params };
    return this.call({ endpoint: 'listDocs', query, response: res.kbDocListSchema }, o);
  }

  /** POST /v1/kb: the seed shows no answer, so `doc` is present only if Twin sends it (A4). */
  createDoc(body: req.CreateDocRequest, o?: RequestOptions): Promise<res.CreatedDoc> {
    const spec = { endpoint: 'createDoc', body: { schema: req.createDocSchema, value: body } } as const;
    return this.call({ ...spec, response: res.createdDocSchema }, o);
  }

  /** GET /v1/kb/:id: `{doc}` with its content. */
  getDoc(id: string, o?: RequestOptions): Promise<res.KbDocEnvelope> {
    return this.call({ endpoint: 'getDoc', id, response: res.kbDocEnvelopeSchema }, o);
  }

  /** DELETE /v1/kb/:id: `{deleted: true}`. Retried after a 5xx, so a 404 may mean an earlier try deleted it (A10). */
  deleteDoc(id: string, o?: RequestOptions): Promise<res.Deleted> {
    return this.call({ endpoint: 'deleteDoc', id, response: res.deletedSchema }, o);
  }

  /** GET /v1/escalations: `status` open (Twin's default), resolved or all; `limit` 1-200. */
  listEscalations(params: req.ListEscalationsParams = {}, o?: RequestOptions): Promise<res.EscalationList> {
    const query = { schema: req.listEscalationsQuery, value: params };
    return this.call({ endpoint: 'listEscalations', query, response: res.escalationListSchema }, o);
  }

  /** PATCH /v1/escalations/:id `{"status": "resolved"}`. Resolves to whatever object Twin sent, or {} (A5). */
  resolveEscalation(id: string, o?: RequestOptions): Promise<res.ResolvedEscalation> {
    const body = { schema: req.resolveEscalationSchema, value: { status: 'resolved' } };
    const spec = { endpoint: 'resolveEscalation', id, body, emptyBodyAllowed: true } as const;
    return this.call({ ...spec, response: res.resolvedEscalationSchema }, o);
  }

  /** GET /v1/stats: usage and performance counters; every one may be absent. */
  getStats(o?: RequestOptions): Promise<res.TwinAiStats> {
    return this.call({ endpoint: 'getStats', response: res.statsSchema }, o);
  }
}
