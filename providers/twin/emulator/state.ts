// The emulator's data model. The zod schemas are the single definition of every record: the types derive from
// them and the state file is validated against them on load, so a hand-edited or stale file fails loudly.
import { z } from 'zod';
import { OUTCOMES, RUN_STATUSES, WEBHOOK_EVENTS } from '../vocabulary/run-status.js';

const MAX_DURATION_MS = 24 * 3600 * 1000;
const durationMs = z.number().int().min(0).max(MAX_DURATION_MS);

/** Kinds of the event holding the agent's final message; the kinds are undocumented, so scripts can vary them. */
export const OUTPUT_EVENTS = ['assistant_message', 'message', 'output'] as const;
/** `text: "…"`, `content: "…"`, or `content: [{type:'text', text:"…"}]`: the shapes integrators have met. */
export const OUTPUT_FIELDS = ['text', 'content', 'parts'] as const;

/** What one started run does; an agent's script is a list of these, consumed one per run, the last repeating. */
export const runBehaviourSchema = z.strictObject({
  durationMs: durationMs.default(200),
  result: z.enum(['completed', 'failed', 'never']).default('completed'),
  /** Delivered by the run.completed webhook; on run objects and `finished` events in the rich profile only. */
  outcome: z.enum(OUTCOMES).default('success'),
  /** Served in the rich profile only: no document puts a summary on a run object. */
  summary: z.string().max(10_000).optional(),
  /** The text of the agent's final assistant message; without it, a short text naming the run. */
  output: z.string().min(1).max(100_000).optional(),
  outputEvent: z.enum(OUTPUT_EVENTS).default('assistant_message'),
  outputField: z.enum(OUTPUT_FIELDS).default('text'),
  /** Why a failed run failed, as its `error {message}` event says. */
  reason: z.string().min(1).max(10_000).optional(),
  /** Measured in working time (pauses do not count), like durationMs. */
  pauseAfterMs: durationMs.optional(),
  /** Without it a scripted pause lasts until a manual resume or a cancel. */
  pauseForMs: durationMs.optional(),
});
export type RunBehaviour = z.infer<typeof runBehaviourSchema>;
export const DEFAULT_BEHAVIOUR: RunBehaviour = runBehaviourSchema.parse({});

const apiKeySchema = z.object({
  key_id: z.string(),
  user_id: z.string(),
  name: z.string(),
  /** sha256 of the key: the state file never holds a usable credential. */
  key_hash: z.string(),
  display_prefix: z.string(),
  created_at: z.number().int(),
  last_used_at: z.number().int().optional(),
  revoked_at: z.number().int().optional(),
});
export type ApiKeyRecord = z.infer<typeof apiKeySchema>;

const workspaceSchema = z.object({
  workspace_id: z.string(),
  user_id: z.string(),
  name: z.string(),
  icon_config: z.string().optional(),
  position: z.number().int(),
  is_default: z.boolean(),
});
export type WorkspaceRecord = z.infer<typeof workspaceSchema>;

const instructionVersionSchema = z.object({
  content: z.string(),
  created_at: z.string(),
  source_type: z.string().optional(),
  source_id: z.string().optional(),
});
export type InstructionVersion = z.infer<typeof instructionVersionSchema>;

const scheduleSchema = z.object({ cron: z.string(), paused: z.boolean() });
export type ScheduleRecord = z.infer<typeof scheduleSchema>;

const agentSchema = z.object({
  agent_id: z.string(),
  user_id: z.string(),
  workspace_id: z.string(),
  deployment_state: z.enum(['deployed', 'not_deployed']),
  deployed_at: z.string().optional(),
  created_at: z.string(),
  script: z.array(runBehaviourSchema),
  script_cursor: z.number().int().min(0),
  run_counter: z.number().int().min(0),
  /** Oldest first; the last one is the current instructions. */
  instructions: z.array(instructionVersionSchema),
  schedule: scheduleSchema.optional(),
});
export type AgentRecord = z.infer<typeof agentSchema>;

const runEventSchema = z.object({
  index: z.number().int().positive(),
  event: z.record(z.string(), z.record(z.string(), z.unknown())),
});
export type RunEvent = z.infer<typeof runEventSchema>;

/** Where a run is in its script, in absolute epoch-ms so a restarted emulator can pick it up again. */
const progressSchema = z.object({
  work_done_ms: z.number().min(0),
  /** Set while in_progress: when the current stretch of work began. */
  active_since: z.number().optional(),
  /** Set while in a scripted pause that ends by itself. */
  resume_at: z.number().optional(),
  scripted_pause_done: z.boolean(),
});
export type RunProgress = z.infer<typeof progressSchema>;

const runSchema = z.object({
  run_id: z.string(),
  agent_id: z.string(),
  user_id: z.string(),
  status: z.enum(RUN_STATUSES),
  run_mode: z.enum(['build', 'run']),
  policy_type: z.string(),
  trigger: z.enum(['api', 'schedule']),
  started_at: z.string(),
  finished_at: z.string().optional(),
  last_event_at: z.string(),
  run_number: z.number().int().positive(),
  user_message: z.string().optional(),
  summary: z.string().optional(),
  outcome: z.enum(OUTCOMES).optional(),
  /** The final assistant message of a completed run. */
  output: z.string().optional(),
  /** Why a run ended without completing: the failure reason, or the reason given to cancel. */
  reason: z.string().optional(),
  behaviour: runBehaviourSchema,
  progress: progressSchema,
  events: z.array(runEventSchema),
});
export type RunRecord = z.infer<typeof runSchema>;

const webhookSchema = z.object({
  webhook_id: z.string(),
  agent_id: z.string(),
  user_id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  status: z.enum(['active', 'disabled']),
  signing_secret: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type WebhookRecord = z.infer<typeof webhookSchema>;

export const snapshotSchema = z.object({
  version: z.literal(1),
  keys: z.array(apiKeySchema),
  workspaces: z.array(workspaceSchema),
  agents: z.array(agentSchema),
  runs: z.array(runSchema),
  webhooks: z.array(webhookSchema),
});
export type Snapshot = z.infer<typeof snapshotSchema>;
