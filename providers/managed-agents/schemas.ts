// What the platform sends and accepts, as zod schemas. Objects are loose: the seed names AgentConfig and
// SessionMeta without listing their fields (A3), so twinflow requires only the fields it acts on and carries
// the rest through untouched instead of refusing an answer for a field it never reads.
import { z } from 'zod';

/** One input message of a session or turn, as the seed shows it. */
export const inputMessageSchema = z.object({
  role: z.enum(['user']),
  content: z.string().min(1, 'content must not be empty'),
});
export type InputMessage = z.infer<typeof inputMessageSchema>;

const inputSchema = z.array(inputMessageSchema).min(1, 'input needs at least one message');

/** AgentConfig minus the platform-assigned fields; only `name` is required by twinflow (A3). */
export const agentConfigSchema = z.looseObject({
  name: z.string().min(1),
  model: z.string().min(1).optional(),
  instructions: z.string().optional(),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** A partial AgentConfig, the body of an update. */
export const agentPatchSchema = z
  .looseObject(agentConfigSchema.partial().shape)
  .refine((patch) => Object.keys(patch).length > 0, 'an update must change at least one field');
export type AgentPatch = z.infer<typeof agentPatchSchema>;

/** An agent at one version: the config plus the platform-assigned fields. */
export const agentSchema = z.looseObject({
  ...agentConfigSchema.shape,
  id: z.string().min(1),
  version: z.number().int().positive(),
  archived: z.boolean().default(false),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type Agent = z.infer<typeof agentSchema>;

/** The body that creates and starts a session, optionally pinned to an agent version. */
export const createSessionSchema = z.object({
  agent_id: z.string().min(1),
  input: inputSchema,
  agent_version: z.number().int().positive().optional(),
});
export type CreateSessionRequest = z.infer<typeof createSessionSchema>;

/** The body of a follow-up user turn (A3: the same `input` shape as session creation). */
export const sendTurnSchema = z.object({ input: inputSchema });
export type SendTurnRequest = z.infer<typeof sendTurnSchema>;

/** SessionMeta: a session's identity, pinned agent version and status. */
export const sessionMetaSchema = z.looseObject({
  id: z.string().min(1),
  agent_id: z.string().min(1),
  agent_version: z.number().int().positive(),
  status: z.string().min(1),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type SessionMeta = z.infer<typeof sessionMetaSchema>;

/** One event of a session, in the stream (the SSE `data`) and in the event log alike (A5). */
export const sessionEventSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  created_at: z.string().optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type SessionEvent = z.infer<typeof sessionEventSchema>;

/** The full event log: the seed's JSON array, or the same array wrapped in `data`/`events` (A3). */
export const eventLogSchema = z.union([
  z.array(sessionEventSchema),
  z.object({ data: z.array(sessionEventSchema) }).transform((page) => page.data),
  z.object({ events: z.array(sessionEventSchema) }).transform((page) => page.events),
]);

/** One page of a cursor-paged list (A3). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** The schema of a page of `item`. */
export function pageSchema<T>(item: z.ZodType<T>): z.ZodType<Page<T>> {
  return z.object({ data: z.array(item), next_cursor: z.string().nullish().default(null) }) as z.ZodType<
    Page<T>
  >;
}

const optionalText = z.string().optional().catch(undefined);

/**
 * The error bodies the client reads (A2), normalised to `{code, message, request_id}`: the assumed
 * `{error:{code|type, message}, request_id}` first, else problem+json's `{code?, title, detail}`.
 */
export const errorBodySchema = z
  .looseObject({
    error: z
      .looseObject({ code: optionalText, type: optionalText, message: optionalText })
      .optional()
      .catch(undefined),
    code: optionalText,
    title: optionalText,
    detail: optionalText,
    request_id: optionalText,
  })
  .transform((body) => ({
    code: body.error?.code ?? body.error?.type ?? body.code,
    message: body.error?.message ?? body.detail ?? body.title,
    request_id: body.request_id,
  }));
