// The Twin REST contract (seed 001) as zod schemas: responses are validated by the client so a surprise from
// Twin becomes a typed MALFORMED_RESPONSE instead of an `undefined` deep inside a workflow, and request bodies
// are shared with the emulator so both sides read the same contract. Response objects are loose: Twin adds
// fields (seed 000 lists many more on runs) and an unknown field must never break a caller.
import { z } from 'zod';
import { WEBHOOK_EVENTS } from './run-status.js';

const count = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]);

/** An optional field Twin sends as `null` reads as absent, so callers test one thing (`undefined`). */
export const nullAsAbsent = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();

// ---- API keys (/api/public/v1/access-api-keys) ----

export const apiKeySchema = z.looseObject({
  key_id: z.string(),
  name: z.string(),
  display_prefix: z.string(),
  created_at: z.number(),
  last_used_at: z.number().nullable().optional(),
});
export const listApiKeysResponseSchema = z.looseObject({ keys: z.array(apiKeySchema) });
export const createdApiKeySchema = apiKeySchema.extend({ api_key: z.string().min(1) });
export const revokeApiKeyResponseSchema = z.looseObject({ revoked: z.boolean() });
export const createApiKeyBodySchema = z.object({ name: z.string().min(1).max(128) });

// ---- Identity ----

export const meResponseSchema = z.looseObject({ user_id: z.string() });

// ---- Agents ----

export const agentSchema = z.looseObject({
  agent_id: z.string(),
  latest_run_id: z.string().optional(),
  latest_run_is_finished: z.boolean().optional(),
  has_runs: z.boolean().optional(),
  workspace_id: z.string().optional(),
  deployment_state: z.string().optional(),
  last_activity_at: z.string().optional(),
  deployed_at: z.string().optional(),
});
/**
 * `next_cursor` is absent on the last page (seed 001 shows none at all); null and "" mean the same, so all three
 * read as undefined. Pass it back as `cursor` for the next page.
 */
export const listAgentsResponseSchema = z.looseObject({
  agents: z.array(agentSchema),
  next_cursor: z
    .string()
    .nullish()
    .transform((cursor) => cursor || undefined)
    .optional(),
});
/** Seed 000 deployments answer create with the ID alone; both become `{agent}`. */
export const agentResponseSchema = z.union([
  z.looseObject({ agent: agentSchema }),
  z
    .looseObject({ agent_id: z.string() })
    .transform((legacy): { agent: Agent } => ({ agent: { agent_id: legacy.agent_id } })),
]);
export const createAgentBodySchema = z.object({
  workspace_id: z.string().min(1).optional(),
  owner_user_id: z.string().min(1).optional(),
  is_subagent: z.boolean().optional(),
  derived_from_agent_id: z.string().min(1).optional(),
  agent_id: z.string().min(1).optional(),
});

// ---- Runs ----

/**
 * A run object, loose on purpose: Twin's documents disagree on its fields and integrators saw more. IDs are opaque
 * strings (real ones are UUIDv7). `status` stays Twin's raw word; translate it with normaliseRunStatus
 * (run-status.ts), the one place that does. `user_message` is a request field only, never documented on a run:
 * it is deliberately absent here and reaches callers, when Twin sends it, only as an unknown field.
 */
export const runSchema = z.looseObject({
  // Seed 001, run list: run_id, agent_id, status, started_at, finished_at.
  run_id: z.string(),
  agent_id: z.string(),
  status: z.string(),
  started_at: z.string(),
  /** Null or absent while the run is going. */
  finished_at: z.string().nullable().optional(),
  // Seed 001, start answer, besides the above: is_finished, is_paused, run_number, policy_type.
  is_finished: nullAsAbsent(z.boolean()),
  is_paused: nullAsAbsent(z.boolean()),
  run_number: nullAsAbsent(z.number().int()),
  policy_type: nullAsAbsent(z.string()),
  // Only seed 000's run-object table: all optional, any may be null or missing on the current API.
  summary: nullAsAbsent(z.string()),
  outcome: nullAsAbsent(z.string()),
  policy_model: nullAsAbsent(z.string()),
  goal: nullAsAbsent(z.string()),
  user_id: nullAsAbsent(z.string()),
  user_email: nullAsAbsent(z.string()),
  last_event_at: nullAsAbsent(z.string()),
  event_count: nullAsAbsent(count),
  event_bytes: nullAsAbsent(count),
  webhook_subscription_id: nullAsAbsent(z.string()),
  schedule_agent_id: nullAsAbsent(z.string()),
});

/** A paging field that is missing or unreadable is dropped rather than failing the page (see paging.ts). */
const pagingField = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/**
 * `total_runs` arrives as a string (seed 001); `total_runs_count` is the same value as a number. Either is
 * undefined when Twin sends none or something that is not a count, and so are `page` and `page_size`.
 */
export const listRunsResponseSchema = z
  .looseObject({
    runs: z.array(runSchema),
    total_runs: pagingField(count),
    page: pagingField(z.number().int().positive()),
    page_size: pagingField(z.number().int().positive()),
    all_run_summaries: z.array(z.looseObject({ run_id: z.string() })).optional(),
  })
  .transform((body) => ({
    ...body,
    total_runs_count: body.total_runs === undefined ? undefined : Number(body.total_runs),
  }));
export const runResponseSchema = z.looseObject({ run: runSchema });
/** An empty `error` means success; a non-empty one is informational (e.g. the run had already stopped). */
export const cancelRunResponseSchema = z.looseObject({ error: z.string().default('') });

/**
 * `run_mode` is optional in seed 001 but the live API refuses a start without it ("run_mode must be explicitly
 * set"), and only the documented lowercase words work, so it always goes out, "run" unless the caller says.
 */
export const startRunBodySchema = z.object({
  run_mode: z.enum(['build', 'run']).default('run'),
  user_message: z.string().optional(),
  skip_deploy_check: z.boolean().optional(),
});
export const cancelRunBodySchema = z.object({ reason: z.string().optional() });

/** Each event is `{<kind>: {...}}`; `kind` is lifted out so callers can switch on it. */
export const runEventSchema = z
  .looseObject({
    index: z.number().int().nonnegative(),
    event: z.record(z.string(), z.unknown()).refine((e) => Object.keys(e).length > 0, 'event has no kind'),
  })
  .transform((item) => ({ ...item, kind: Object.keys(item.event)[0] ?? '' }));
export const runEventsResponseSchema = z.looseObject({ events: z.array(runEventSchema) });

// ---- Webhooks ----

const httpUrl = z.url({ protocol: /^https?$/ });

/** Event and status stay open strings on the way in: a new Twin event type must not break listing. */
export const webhookSchema = z.looseObject({
  webhook_id: z.string(),
  agent_id: z.string().optional(),
  user_id: z.string().optional(),
  url: z.string(),
  events: z.array(z.string()),
  status: z.string(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export const createdWebhookSchema = webhookSchema.extend({ signing_secret: z.string().min(1) });
export const listWebhooksResponseSchema = z.looseObject({ webhooks: z.array(webhookSchema) });

export const createWebhookBodySchema = z.object({
  url: httpUrl,
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1),
});
export const updateWebhookBodySchema = z.object({
  url: httpUrl.optional(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).optional(),
  status: z.enum(['active', 'disabled']).optional(),
});

// ---- Schedules ----

export const scheduleSchema = z.looseObject({ cron: z.string(), paused: z.boolean() });
export const scheduleResponseSchema = z.looseObject({ schedule: scheduleSchema.nullable() });
export const listSchedulesResponseSchema = z.looseObject({
  schedules: z.array(scheduleSchema.extend({ agent_id: z.string() })),
});
export const setScheduleBodySchema = z.object({ cron: z.string().min(1) });

// ---- Instructions ----

export const instructionsResponseSchema = z.looseObject({
  instructions: z.looseObject({ content: z.string() }),
});
export const instructionsHistoryResponseSchema = z.looseObject({
  instruction_versions: z.array(z.looseObject({ content: z.string(), created_at: z.string() })),
});
export const setInstructionsBodySchema = z.object({
  content: z.string(),
  source_type: z.string().min(1).optional(),
  source_id: z.string().min(1).optional(),
});

// ---- Workspaces ----

export const workspaceSchema = z.looseObject({
  workspace_id: z.string(),
  name: z.string(),
  icon_config: z.string().optional(),
});
export const listWorkspacesResponseSchema = z.looseObject({ workspaces: z.array(workspaceSchema) });
export const workspaceResponseSchema = z.looseObject({ workspace: workspaceSchema });
export const deleteWorkspaceResponseSchema = z.looseObject({ deleted: z.boolean() });
export const createWorkspaceBodySchema = z.object({ name: z.string().min(1) });
export const updateWorkspaceBodySchema = z.object({
  name: z.string().min(1),
  icon_config: z.string().optional(),
});
export const reorderWorkspacesBodySchema = z.object({ workspace_ids: z.array(z.string().min(1)).min(1) });
export const moveAgentBodySchema = z.object({ workspace_id: z.string().min(1) });

// ---- Shared ----

export const successResponseSchema = z.looseObject({ success: z.boolean() });
/** 204 answers; a body some deployments send anyway is ignored rather than rejected. */
export const noContentSchema = z.unknown().transform((): void => undefined);

// ---- Inferred types ----

export type ApiKey = z.infer<typeof apiKeySchema>;
export type ListApiKeysResponse = z.infer<typeof listApiKeysResponseSchema>;
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;
export type RevokeApiKeyResponse = z.infer<typeof revokeApiKeyResponseSchema>;
export type MeResponse = z.infer<typeof meResponseSchema>;
export type Agent = z.infer<typeof agentSchema>;
export type ListAgentsResponse = z.infer<typeof listAgentsResponseSchema>;
export type AgentResponse = z.output<typeof agentResponseSchema>;
export type CreateAgentBody = z.input<typeof createAgentBodySchema>;
export type Run = z.infer<typeof runSchema>;
export type ListRunsResponse = z.output<typeof listRunsResponseSchema>;
export type RunResponse = z.infer<typeof runResponseSchema>;
export type CancelRunResponse = z.output<typeof cancelRunResponseSchema>;
export type StartRunBody = z.input<typeof startRunBodySchema>;
export type RunEvent = z.output<typeof runEventSchema>;
export type RunEventsResponse = z.output<typeof runEventsResponseSchema>;
export type Webhook = z.infer<typeof webhookSchema>;
export type CreatedWebhook = z.infer<typeof createdWebhookSchema>;
export type ListWebhooksResponse = z.infer<typeof listWebhooksResponseSchema>;
export type CreateWebhookBody = z.input<typeof createWebhookBodySchema>;
export type UpdateWebhookBody = z.input<typeof updateWebhookBodySchema>;
export type Schedule = z.infer<typeof scheduleSchema>;
export type ScheduleResponse = z.infer<typeof scheduleResponseSchema>;
export type ListSchedulesResponse = z.infer<typeof listSchedulesResponseSchema>;
export type InstructionsResponse = z.infer<typeof instructionsResponseSchema>;
export type InstructionsHistoryResponse = z.infer<typeof instructionsHistoryResponseSchema>;
export type SetInstructionsBody = z.input<typeof setInstructionsBodySchema>;
export type Workspace = z.infer<typeof workspaceSchema>;
export type ListWorkspacesResponse = z.infer<typeof listWorkspacesResponseSchema>;
export type WorkspaceResponse = z.infer<typeof workspaceResponseSchema>;
export type DeleteWorkspaceResponse = z.infer<typeof deleteWorkspaceResponseSchema>;
export type UpdateWorkspaceBody = z.input<typeof updateWorkspaceBodySchema>;
export type SuccessResponse = z.infer<typeof successResponseSchema>;
