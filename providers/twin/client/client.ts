// The one way twinflow talks to Twin (seed 001): every endpoint as a typed method over one request function
// (transport.ts). The client never retries itself: Temporal's retry policy does, so retries are visible and
// durable.
import type { z } from 'zod';
import { validateTwinCron } from '../vocabulary/cron.js';
import { invalidRequestError } from './errors.js';
import * as s from '../vocabulary/schemas.js';
import {
  body,
  createTransport,
  path,
  type Body,
  type Method,
  type Query,
  type RequestOptions,
  type TwinClientOptions,
} from './transport.js';

export type { RequestOptions, TwinClientOptions } from './transport.js';

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

export function createTwinClient(options: TwinClientOptions) {
  const call = createTransport(options);
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
