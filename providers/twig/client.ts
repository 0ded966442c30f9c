// The typed Twig client: one method per endpoint of the seed, wire names as the seed spells them (snake_case), so
// a step's result is addressable in templates exactly as Twig documents it (`metadata.interaction_id`). Options are
// checked once, at construction: the key must have the seed's shape (`twigsk_live_…` or `twigsk_test_…`) and is
// never echoed in the error, and the base URL must be HTTPS ("HTTPS only"), loopback HTTP excepted for the emulator.
import { z } from 'zod';
import {
  checkedClientOptions,
  httpsBaseUrlSchema,
  keyProblem,
  retryPolicySchema,
} from '../shared/client-options.js';
import type { TwigScope } from './endpoints.js';
import { rateLimitsWith, type RateLimit } from './rate-budget.js';
import * as req from './requests.js';
import { DEFAULT_TWIG_RETRY, type TwigRetryPolicy } from './retry-policy.js';
import * as res from './schemas.js';
import { createTwigTransport, type RequestOptions, type TransportSettings } from './transport.js';

export const TWIG_DEFAULT_BASE_URL = 'https://api.twig.so';

/** The seed's key format; what follows the mode is not documented, so any run of URL-safe characters (A1). */
export const TWIG_API_KEY_SHAPE = /^twigsk_(live|test)_[A-Za-z0-9_-]+$/;

export interface TwigClientOptions {
  apiKey: string;
  /** Default https://api.twig.so. */
  baseUrl?: string;
  /** Per attempt, covering connect, headers and body; default 30 s (the seed: "Latency: 1-5s"). */
  timeoutMs?: number;
  retry?: Partial<TwigRetryPolicy>;
  /** Client-side budgets per scope; default the seed's table. */
  rateLimits?: Partial<Record<TwigScope, RateLimit>>;
  fetch?: typeof fetch;
  onRetry?: TransportSettings['onRetry'];
}

const rateLimitSchema = z.strictObject({ perMinute: z.number().positive(), burst: z.number().int().min(1) });
const optionsSchema = z.object({
  baseUrl: httpsBaseUrlSchema,
  timeoutMs: z.number().int().positive(),
  retry: retryPolicySchema,
  rateLimits: z.partialRecord(z.enum(['execute', 'write', 'read', 'admin']), rateLimitSchema),
});

/** Names what is wrong with a key without echoing any of it. */
const twigKeyProblem = (apiKey: unknown) =>
  keyProblem(apiKey, TWIG_API_KEY_SHAPE, (key) =>
    /^twigsk_(live|test)_/.test(key)
      ? 'apiKey may contain only letters, digits, "_" and "-" after its twigsk_<mode>_ prefix'
      : 'apiKey must start with twigsk_live_ or twigsk_test_',
  );

/** Every endpoint of the seed. Each method rejects with a TwigApiError (see errors.ts) or the caller's abort reason. */
export class TwigClient {
  /** `live` or `test`, from the key's prefix. */
  readonly keyMode: 'live' | 'test';
  private readonly call: ReturnType<typeof createTwigTransport>;

  /** @throws TypeError naming the bad option (never showing the key) when options are invalid. */
  constructor(options: TwigClientOptions) {
    const parsed = checkedClientOptions('Twig', twigKeyProblem(options.apiKey), optionsSchema, {
      baseUrl: options.baseUrl ?? TWIG_DEFAULT_BASE_URL,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: { ...DEFAULT_TWIG_RETRY, ...options.retry },
      rateLimits: options.rateLimits ?? {},
    });
    this.keyMode = options.apiKey.startsWith('twigsk_live_') ? 'live' : 'test';
    this.call = createTwigTransport({
      baseUrl: new URL(parsed.baseUrl),
      apiKey: options.apiKey,
      timeoutMs: parsed.timeoutMs,
      retry: parsed.retry,
      rateLimits: rateLimitsWith(parsed.rateLimits),
      fetch: options.fetch ?? fetch,
      onRetry: options.onRetry,
    });
  }

  /** POST /api/v1/query (Execute): an agent's answer with its sources. */
  query(body: req.QueryRequest, o?: RequestOptions): Promise<res.QueryResponse> {
    const spec = { endpoint: 'query', body: { schema: req.queryRequestSchema, value: body } } as const;
    return this.call({ ...spec, response: res.queryResponseSchema }, o);
  }

  /** POST /api/v1/semantic-search (Execute, A3): chunks without generation. */
  semanticSearch(body: req.SemanticSearchRequest, o?: RequestOptions): Promise<res.SemanticSearchResponse> {
    const spec = {
      endpoint: 'semanticSearch',
      body: { schema: req.semanticSearchRequestSchema, value: body },
    } as const;
    return this.call({ ...spec, response: res.semanticSearchResponseSchema }, o);
  }

  listAgents(params: req.PageParams = {}, o?: RequestOptions): Promise<res.AgentList> {
    const query = { schema: req.listAgentsQuery, value: params };
    return this.call({ endpoint: 'listAgents', query, response: res.agentListSchema }, o);
  }

  createAgent(body: req.CreateAgentRequest, o?: RequestOptions): Promise<res.Agent> {
    const spec = { endpoint: 'createAgent', body: { schema: req.createAgentSchema, value: body } } as const;
    return this.call({ ...spec, response: res.agentSchema }, o);
  }

  getAgent(id: string, o?: RequestOptions): Promise<res.Agent> {
    return this.call({ endpoint: 'getAgent', id, response: res.agentSchema }, o);
  }

  updateAgent(id: string, body: req.UpdateAgentRequest, o?: RequestOptions): Promise<res.Agent> {
    const spec = {
      endpoint: 'updateAgent',
      id,
      body: { schema: req.updateAgentSchema, value: body },
    } as const;
    return this.call({ ...spec, response: res.agentSchema }, o);
  }

  /** 204 No Content. */
  async deleteAgent(id: string, o?: RequestOptions): Promise<void> {
    await this.call({ endpoint: 'deleteAgent', id, response: z.unknown(), emptyBody: 'required' }, o);
  }

  listDataSources(params: req.ListDataSourcesParams = {}, o?: RequestOptions): Promise<res.DataSourceList> {
    const query = { schema: req.listDataSourcesQuery, value: params };
    return this.call({ endpoint: 'listDataSources', query, response: res.dataSourceListSchema }, o);
  }

  /** 201 with status "pending". */
  createDataSource(body: req.CreateDataSourceRequest, o?: RequestOptions): Promise<res.DataSource> {
    const spec = {
      endpoint: 'createDataSource',
      body: { schema: req.createDataSourceSchema, value: body },
    } as const;
    return this.call({ ...spec, response: res.dataSourceSchema }, o);
  }

  /** 202 "Sync job queued"; the seed offers no way to cancel a sync. Resolves to whatever object Twig sent, or {}. */
  syncDataSource(id: string, o?: RequestOptions): Promise<res.SyncQueued> {
    return this.call(
      { endpoint: 'syncDataSource', id, response: res.syncQueuedSchema, emptyBody: 'allowed' },
      o,
    );
  }

  /** GET …/status (Read, A4): `progress_pct` while processing. */
  getDataSourceStatus(id: string, o?: RequestOptions): Promise<res.DataSourceStatus> {
    return this.call({ endpoint: 'getDataSourceStatus', id, response: res.dataSourceStatusSchema }, o);
  }

  listInteractions(
    params: req.ListInteractionsParams = {},
    o?: RequestOptions,
  ): Promise<res.InteractionList> {
    const query = { schema: req.listInteractionsQuery, value: params };
    return this.call({ endpoint: 'listInteractions', query, response: res.interactionListSchema }, o);
  }

  /** POST …/feedback (Execute). Resolves to whatever object Twig sent, or {}. */
  submitFeedback(
    interactionId: string,
    body: req.FeedbackRequest,
    o?: RequestOptions,
  ): Promise<res.FeedbackAccepted> {
    const spec = {
      endpoint: 'submitFeedback',
      id: interactionId,
      body: { schema: req.feedbackSchema, value: body },
    } as const;
    return this.call({ ...spec, response: res.feedbackAcceptedSchema, emptyBody: 'allowed' }, o);
  }

  /** GET /api/v1/analytics (Admin); start_date and end_date are required. */
  getAnalytics(params: req.AnalyticsParams, o?: RequestOptions): Promise<res.Analytics> {
    const query = { schema: req.analyticsQuery, value: params };
    return this.call({ endpoint: 'getAnalytics', query, response: res.analyticsSchema }, o);
  }

  listUsers(params: req.PageParams = {}, o?: RequestOptions): Promise<res.UserList> {
    const query = { schema: req.listUsersQuery, value: params };
    return this.call({ endpoint: 'listUsers', query, response: res.userListSchema }, o);
  }

  createUser(body: req.CreateUserRequest, o?: RequestOptions): Promise<res.User> {
    const spec = { endpoint: 'createUser', body: { schema: req.createUserSchema, value: body } } as const;
    return this.call({ ...spec, response: res.userSchema }, o);
  }

  listKbArticles(params: req.ListKbParams = {}, o?: RequestOptions): Promise<res.KbArticleList> {
    const query = { schema: req.listKbQuery, value: params };
    return this.call({ endpoint: 'listKbArticles', query, response: res.kbArticleListSchema }, o);
  }

  createKbArticle(body: req.CreateKbArticleRequest, o?: RequestOptions): Promise<res.KbArticle> {
    const spec = {
      endpoint: 'createKbArticle',
      body: { schema: req.createKbArticleSchema, value: body },
    } as const;
    return this.call({ ...spec, response: res.kbArticleSchema }, o);
  }

  /** PUT /api/v1/kb/:id: "Creates new version". */
  updateKbArticle(id: string, body: req.UpdateKbArticleRequest, o?: RequestOptions): Promise<res.KbArticle> {
    const spec = {
      endpoint: 'updateKbArticle',
      id,
      body: { schema: req.updateKbArticleSchema, value: body },
    } as const;
    return this.call({ ...spec, response: res.kbArticleSchema }, o);
  }
}
