// What the client sends, as strict zod schemas, with the seed's limits: message ≤ 2,000 characters, context
// ≤ 4,000, KB content ≤ 50,000, list `limit` 1-200, the enums of `type` and `status`. Checked before sending, so
// an oversized message costs neither a request nor a rate-limit slot and the caller learns which field and which
// limit. The emulator validates with the same schemas, so both sides refuse the same input. Lengths are UTF-16
// code units (JavaScript's `.length`), never fewer than the characters a server could count (A6). Where the seed
// gives no limit (title, askedBy) none is imposed here and Twin's own 400 decides.
import { z } from 'zod';

/** The seed's documented maxima, by field. */
export const TWIN_AI_LIMITS = {
  message: 2_000,
  context: 4_000,
  content: 50_000,
  limit: 200,
} as const;

/** "sop | policy | email | slack | drive | note. Default: sop." */
export const KB_DOC_TYPES = ['sop', 'policy', 'email', 'slack', 'drive', 'note'] as const;
export type KbDocType = (typeof KB_DOC_TYPES)[number];

/** "open | resolved | all. Default: open." */
export const ESCALATION_FILTERS = ['open', 'resolved', 'all'] as const;

const required = z.string().min(1, 'must not be empty');
const upTo = (schema: z.ZodString, name: keyof typeof TWIN_AI_LIMITS) =>
  schema.max(TWIN_AI_LIMITS[name], `must be at most ${TWIN_AI_LIMITS[name]} characters`);

export const askRequestSchema = z.strictObject({
  message: upTo(required, 'message'),
  context: upTo(z.string(), 'context').optional(),
  /** "Logged with escalations. Default: \"API\"": the client leaves the default to Twin. */
  askedBy: z.string().optional(),
});

/** List `limit`: "Default 50, max 200"; query strings reach the emulator as numbers, so it is a number here. */
const listLimit = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(TWIN_AI_LIMITS.limit, `must be at most ${TWIN_AI_LIMITS.limit}`);

export const listDocsQuery = z.strictObject({
  type: z.enum(KB_DOC_TYPES).optional(),
  limit: listLimit.optional(),
});

export const createDocSchema = z.strictObject({
  title: required,
  content: upTo(required, 'content'),
  type: z.enum(KB_DOC_TYPES).optional(),
});

export const listEscalationsQuery = z.strictObject({
  status: z.enum(ESCALATION_FILTERS).optional(),
  limit: listLimit.optional(),
});

/** The only body the seed shows for the PATCH. */
export const resolveEscalationSchema = z.strictObject({ status: z.literal('resolved') });

/** Query fields that are numbers in the schemas above but text on the wire. */
export const NUMERIC_QUERY_FIELDS = ['limit'] as const;

export type AskRequest = z.input<typeof askRequestSchema>;
export type ListDocsParams = z.input<typeof listDocsQuery>;
export type CreateDocRequest = z.input<typeof createDocSchema>;
export type ListEscalationsParams = z.input<typeof listEscalationsQuery>;
