// What a test can make the emulated platform do: per agent, the turns its sessions play (events, output, how
// each turn ends, pacing) and the faults its streams and API suffer. Validated with zod like any input, so a
// mistyped script fails at the call with the field named instead of producing a confusing test.
import { z } from 'zod';
import { zodIssueLines } from '../../../services/shared/zod-issues.js';

const ms = z.number().int().min(0).max(60_000);
const count = z.number().int().min(0).max(10_000);

/** One scripted turn of a session. */
export const turnScriptSchema = z.strictObject({
  /** Events between the user's message and the assistant's answer, e.g. tool calls. */
  events: z
    .array(z.strictObject({ type: z.string().min(1), data: z.record(z.string(), z.unknown()).default({}) }))
    .default([]),
  /** The assistant's final message of the turn. */
  output: z.string().min(1).default('done'),
  /** `idle` waits for another turn; `running` never ends by itself (until cancelled). */
  end: z.enum(['completed', 'idle', 'failed', 'running']).default('completed'),
  /** Why a `failed` turn failed: its `error {message}` event. */
  reason: z.string().min(1).default('the agent failed (scripted)'),
  /** Pause before each event after the turn's first. */
  intervalMs: ms.default(5),
});
export type TurnScript = z.infer<typeof turnScriptSchema>;
export type TurnScriptInput = z.input<typeof turnScriptSchema>;

/** What a session's event streams suffer; counters run down as faults are spent. */
export const streamFaultsSchema = z.strictObject({
  /** Destroy the connection after writing this many events on it. */
  cutAfterEvents: z.number().int().min(1).max(10_000).optional(),
  /** How many connections get cut (default 1). */
  cuts: count.default(1),
  /** Delay before writing each event. */
  slowEventMs: ms.default(0),
  /** The next N stream requests carrying `after` answer `reconnectStatus`. */
  reconnectFailures: count.default(0),
  reconnectStatus: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(503),
  /** On a reconnect, first re-send up to this many events at or before `after`. */
  resendOnReconnect: count.default(0),
  /** Send every Nth event twice on the same connection. */
  duplicateEvery: z.number().int().min(1).max(10_000).optional(),
});
export type StreamFaults = z.infer<typeof streamFaultsSchema>;
export type StreamFaultsInput = z.input<typeof streamFaultsSchema>;

/** Failures of non-stream requests, for the client's retry and ambiguity rules. */
export const apiFaultSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PATCH', 'DELETE']),
  /** Regular expression matched against the path, e.g. `^/v1/sessions$`. */
  path: z.string().min(1),
  status: z.number().int().min(400).max(599),
  /** How many matching requests fail. */
  count: z.number().int().min(1).max(1000).default(1),
  /** Perform the request first, then answer the failure: the ambiguous case. */
  afterPerforming: z.boolean().default(false),
  /** Sent as `Retry-After` (seconds), e.g. with a 429. */
  retryAfterSeconds: z.number().int().min(0).max(60).optional(),
});
export type ApiFault = z.infer<typeof apiFaultSchema>;
export type ApiFaultInput = z.input<typeof apiFaultSchema>;

/** `schema`'s output for `input`, or a TypeError naming each refused field. */
export function checked<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new TypeError(`invalid ${what}: ${zodIssueLines(parsed.error, { root: what }).join('; ')}`);
}
