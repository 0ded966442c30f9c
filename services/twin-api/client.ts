// The one way twinflow talks to Twin (seed 001). Every call goes through a single request function that
// validates the outgoing body, bounds the call with a timeout, validates the answer with zod and turns every
// failure into a TwinApiError that says whether to retry. The client never retries itself: Temporal's retry
// policy does, so retries are visible and durable. The API key lives only in this closure's request headers;
// redirects are not followed (they would carry the key to another origin) and it is scrubbed from every error.
import { z } from 'zod';
import { validateTwinCron } from './cron.js';
import {
  invalidRequestError,
  malformedResponseError,
  networkError,
  timeoutError,
  twinErrorFromResponse,
} from './errors.js';
import * as s from './schemas.js';

export interface TwinClientOptions {
  /** e.g. https://build.twin.so or the emulator's http://127.0.0.1:port; a path prefix is kept. */
  baseUrl: string;
  apiKey: string;
  /** Per request, covering connect, headers and body. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Aborting rejects with the signal's own reason (not a TwinApiError), so cancellation stays cancellation. */
  signal?: AbortSignal;
}

export interface ListAgentsQuery {
  workspace_id?: string;
  cursor?: string;
  limit?: number;
}

export interface ListRunsQuery {
  page?: number;
  page_size?: number;
  filter_status?: string;
  filter_run_id?: string;
  /** ISO-8601 */
  filter_started_after?: string;
  /** ISO-8601 */
  filter_started_before?: string;
  filter_policy_type?: string;
  filter_policy_group?: 'builder' | 'runner';
}

export interface ListRunEventsQuery {
  limit?: number;
  after_index?: number;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Query = Record<string, string | number | boolean | undefined>;

interface Body {
  schema: z.ZodType;
  value: unknown;
}

interface Call<T> {
  method: Method;
  path: string;
  query?: Query;
  body?: Body;
  response: z.ZodType<T>;
}

interface Answer {
  status: number;
  headers: Headers;
  bodyText: string;
}

const optionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  apiKey: z.string().min(1),
  timeoutMs: z.number().int().positive(),
});

const body = (schema: z.ZodType, value: unknown): Body => ({ schema, value });

/**
 * Path template whose interpolations are IDs: each is percent-encoded, and "", "." and ".." are refused
 * because URL normalisation would turn them into a different endpoint.
 */
function path(strings: TemplateStringsArray, ...segments: string[]): string {
  return strings.reduce((out, text, i) => {
    if (i === 0) return text;
    const segment = segments[i - 1] ?? '';
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalidRequestError(
        'INVALID_ARGUMENT',
        `path segment ${JSON.stringify(segment)} is not a valid ID`,
      );
    }
    return `${out}${encodeURIComponent(segment)}${text}`;
  }, '');
}

function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** fetch's own message is just "fetch failed"; the useful part (ECONNREFUSED, …) is on its cause. */
function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = cause?.code ?? cause?.message;
  return typeof detail === 'string' ? `${err.message} (${detail})` : err.message;
}

export function createTwinClient(options: TwinClientOptions) {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new TypeError(`invalid Twin client options: ${issuesText(parsed.error)}`);
  const { apiKey, timeoutMs } = parsed.data;
  const baseUrl = parsed.data.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? fetch;
  const redact = (text: string) => text.split(apiKey).join('[redacted]');

  function encodeBody(spec: Body | undefined): string | undefined {
    if (!spec) return undefined;
    const checked = spec.schema.safeParse(spec.value);
    if (!checked.success) throw invalidRequestError('INVALID_ARGUMENT', redact(issuesText(checked.error)));
    return JSON.stringify(checked.data);
  }

  async function exchange(
    spec: Call<unknown>,
    payload: string | undefined,
    caller?: AbortSignal,
  ): Promise<Answer> {
    const where = { method: spec.method, path: spec.path };
    const timeout = AbortSignal.timeout(timeoutMs);
    const headers: Record<string, string> = { 'x-api-key': apiKey, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await fetchImpl(`${baseUrl}${spec.path}${queryString(spec.query)}`, {
        method: spec.method,
        headers,
        body: payload,
        redirect: 'manual',
        signal: caller ? AbortSignal.any([caller, timeout]) : timeout,
      });
      return { status: response.status, headers: response.headers, bodyText: await response.text() };
    } catch (err) {
      if (caller?.aborted) throw caller.reason;
      if (timeout.aborted) throw timeoutError(timeoutMs, where);
      throw networkError(redact(describeFailure(err)), where);
    }
  }

  function decode<T>(spec: Call<T>, answer: Answer): T {
    const where = { method: spec.method, path: spec.path };
    const text = answer.bodyText.trim();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw malformedResponseError(answer.status, 'body is not JSON', where);
    }
    const result = spec.response.safeParse(json);
    if (!result.success) throw malformedResponseError(answer.status, redact(issuesText(result.error)), where);
    return result.data;
  }

  async function call<T>(spec: Call<T>, requestOptions: RequestOptions = {}): Promise<T> {
    const answer = await exchange(spec, encodeBody(spec.body), requestOptions.signal);
    if (answer.status >= 200 && answer.status < 300) return decode(spec, answer);
    const { method, path: errorPath } = spec;
    throw twinErrorFromResponse({ ...answer, bodyText: redact(answer.bodyText), method, path: errorPath });
  }

  type O = RequestOptions;
  const get = <T>(at: string, response: z.ZodType<T>, o?: O, query?: Query) =>
    call({ method: 'GET', path: at, query, response }, o);
  const send = <T>(method: Method, at: string, response: z.ZodType<T>, payload?: Body, o?: O) =>
    call({ method, path: at, body: payload, response }, o);
  const KEYS = '/api/public/v1/access-api-keys';
  const agent = (agentId: string) => path`/v1/agents/${agentId}`;
  const run = (agentId: string, runId: string) => path`/v1/agents/${agentId}/runs/${runId}`;
  const webhook = (agentId: string, webhookId: string) => path`/v1/agents/${agentId}/webhooks/${webhookId}`;

  return {
    // ---- API keys & identity ----
    me: async (o?: O) => get('/v1/me', s.meResponseSchema, o),
    listApiKeys: async (o?: O) => get(KEYS, s.listApiKeysResponseSchema, o),
    createApiKey: async (name: string, o?: O) =>
      send('POST', KEYS, s.createdApiKeySchema, body(s.createApiKeyBodySchema, { name }), o),
    revokeApiKey: async (keyId: string, o?: O) =>
      send('DELETE', KEYS + path`/${keyId}`, s.revokeApiKeyResponseSchema, undefined, o),

    // ---- Agents ----
    listAgents: async (query: ListAgentsQuery = {}, o?: O) =>
      get('/v1/agents', s.listAgentsResponseSchema, o, { ...query }),
    createAgent: async (agentBody: s.CreateAgentBody = {}, o?: O) =>
      send('POST', '/v1/agents', s.agentResponseSchema, body(s.createAgentBodySchema, agentBody), o),
    getAgent: async (agentId: string, o?: O) => get(agent(agentId), s.agentResponseSchema, o),
    deleteAgent: async (agentId: string, o?: O) =>
      send('DELETE', agent(agentId), s.noContentSchema, undefined, o),

    // ---- Runs & events ----
    listRuns: async (agentId: string, query: ListRunsQuery = {}, o?: O) =>
      get(`${agent(agentId)}/runs`, s.listRunsResponseSchema, o, { ...query }),
    startRun: async (agentId: string, runBody: s.StartRunBody = {}, o?: O) =>
      send('POST', `${agent(agentId)}/runs`, s.runResponseSchema, body(s.startRunBodySchema, runBody), o),
    cancelRun: async (agentId: string, runId: string, reason?: string, o?: O) =>
      send(
        'POST',
        `${run(agentId, runId)}/cancel`,
        s.cancelRunResponseSchema,
        body(s.cancelRunBodySchema, { reason }),
        o,
      ),
    deleteRun: async (agentId: string, runId: string, o?: O) =>
      send('DELETE', run(agentId, runId), s.noContentSchema, undefined, o),
    listRunEvents: async (agentId: string, runId: string, query: ListRunEventsQuery = {}, o?: O) =>
      get(`${run(agentId, runId)}/events`, s.runEventsResponseSchema, o, { ...query }),

    // ---- Webhooks ----
    createWebhook: async (agentId: string, hook: s.CreateWebhookBody, o?: O) =>
      send(
        'POST',
        `${agent(agentId)}/webhooks`,
        s.createdWebhookSchema,
        body(s.createWebhookBodySchema, hook),
        o,
      ),
    listWebhooks: async (agentId: string, o?: O) =>
      get(`${agent(agentId)}/webhooks`, s.listWebhooksResponseSchema, o),
    getWebhook: async (agentId: string, webhookId: string, o?: O) =>
      get(webhook(agentId, webhookId), s.webhookSchema, o),
    updateWebhook: async (agentId: string, webhookId: string, changes: s.UpdateWebhookBody, o?: O) =>
      send(
        'PATCH',
        webhook(agentId, webhookId),
        s.webhookSchema,
        body(s.updateWebhookBodySchema, changes),
        o,
      ),
    deleteWebhook: async (agentId: string, webhookId: string, o?: O) =>
      send('DELETE', webhook(agentId, webhookId), s.noContentSchema, undefined, o),

    // ---- Schedules ----
    getSchedule: async (agentId: string, o?: O) =>
      get(`${agent(agentId)}/schedule`, s.scheduleResponseSchema, o),
    /** Checked locally first (see cron.ts): a bad expression never reaches Twin. */
    setSchedule: async (agentId: string, cron: string, o?: O) => {
      const check = validateTwinCron(cron);
      if (!check.ok) throw invalidRequestError('INVALID_CRON', check.error);
      return send(
        'PUT',
        `${agent(agentId)}/schedule`,
        s.successResponseSchema,
        body(s.setScheduleBodySchema, { cron }),
        o,
      );
    },
    deleteSchedule: async (agentId: string, o?: O) =>
      send('DELETE', `${agent(agentId)}/schedule`, s.successResponseSchema, undefined, o),
    pauseSchedule: async (agentId: string, o?: O) =>
      send('POST', `${agent(agentId)}/schedule/pause`, s.successResponseSchema, undefined, o),
    resumeSchedule: async (agentId: string, o?: O) =>
      send('POST', `${agent(agentId)}/schedule/resume`, s.successResponseSchema, undefined, o),
    listSchedules: async (o?: O) => get('/v1/schedules', s.listSchedulesResponseSchema, o),

    // ---- Instructions ----
    getInstructions: async (agentId: string, o?: O) =>
      get(`${agent(agentId)}/instructions`, s.instructionsResponseSchema, o),
    setInstructions: async (agentId: string, instructions: s.SetInstructionsBody, o?: O) =>
      send(
        'PUT',
        `${agent(agentId)}/instructions`,
        s.successResponseSchema,
        body(s.setInstructionsBodySchema, instructions),
        o,
      ),
    getInstructionsHistory: async (agentId: string, query: { limit?: number } = {}, o?: O) =>
      get(`${agent(agentId)}/instructions/history`, s.instructionsHistoryResponseSchema, o, { ...query }),

    // ---- Workspaces ----
    listWorkspaces: async (o?: O) => get('/v1/workspaces', s.listWorkspacesResponseSchema, o),
    createWorkspace: async (name: string, o?: O) =>
      send(
        'POST',
        '/v1/workspaces',
        s.workspaceResponseSchema,
        body(s.createWorkspaceBodySchema, { name }),
        o,
      ),
    updateWorkspace: async (workspaceId: string, changes: s.UpdateWorkspaceBody, o?: O) =>
      send(
        'PUT',
        path`/v1/workspaces/${workspaceId}`,
        s.workspaceResponseSchema,
        body(s.updateWorkspaceBodySchema, changes),
        o,
      ),
    deleteWorkspace: async (workspaceId: string, o?: O) =>
      send('DELETE', path`/v1/workspaces/${workspaceId}`, s.deleteWorkspaceResponseSchema, undefined, o),
    reorderWorkspaces: async (workspaceIds: string[], o?: O) =>
      send(
        'POST',
        '/v1/workspaces/reorder',
        s.successResponseSchema,
        body(s.reorderWorkspacesBodySchema, { workspace_ids: workspaceIds }),
        o,
      ),
    moveAgent: async (agentId: string, workspaceId: string, o?: O) =>
      send(
        'POST',
        `${agent(agentId)}/move`,
        s.successResponseSchema,
        body(s.moveAgentBodySchema, { workspace_id: workspaceId }),
        o,
      ),
  };
}

export type TwinClient = ReturnType<typeof createTwinClient>;

/**
 * Every run matching `filters`, newest pages first as Twin orders them. Runs started while paging push older
 * ones onto the next page, so a run already yielded is skipped rather than repeated.
 */
export async function* listAllRuns(
  client: TwinClient,
  agentId: string,
  filters: Omit<ListRunsQuery, 'page'> = {},
  options: RequestOptions = {},
): AsyncGenerator<s.Run, void, undefined> {
  const seen = new Set<string>();
  for (let page = 1; ; page++) {
    const answer = await client.listRuns(agentId, { ...filters, page }, options);
    for (const run of answer.runs) {
      if (seen.has(run.run_id)) continue;
      seen.add(run.run_id);
      yield run;
    }
    const exhausted =
      answer.runs.length < answer.page_size || page * answer.page_size >= answer.total_runs_count;
    if (answer.runs.length === 0 || exhausted) return;
  }
}
