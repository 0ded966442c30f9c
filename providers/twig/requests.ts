// What the client sends, as strict zod schemas: a misspelt field (`agentId` for `agent_id`) or an out-of-range value
// is refused before anything leaves the process, with a message naming the field, instead of costing a request and
// a rate-limit token on a 400. Limits are the seed's ("limit: max 200", "temperature: 0-2", dates "YYYY-MM-DD");
// where the seed gives none, none is imposed here and Twig's own 400 decides. The emulator validates with the same
// schemas, so both sides refuse the same input.
import { z } from 'zod';

const id = z.string().min(1, 'must be a non-empty ID');
const text = z.string().min(1, 'must not be empty');

/** The seed's date format for ranges: YYYY-MM-DD, a real calendar date. */
export const twigDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => {
    const date = new Date(`${s}T00:00:00Z`);
    return Number.isFinite(date.getTime()) && date.toISOString().startsWith(s);
  }, 'must be a real calendar date');

/** Paging as the seed gives it ("limit: default 50, max 200"); query strings reach the emulator as numbers too. */
export const PAGE_FIELDS = ['limit', 'offset'] as const;
export const pageQuery = {
  limit: z.number().int().min(1).max(200).optional(),
  offset: z.number().int().min(0).optional(),
};

const temperature = z.number().min(0).max(2);
const maxTokens = z.number().int().positive();

export const queryRequestSchema = z.strictObject({
  agent_id: id,
  query: text,
  session_id: id.optional(),
  /** SSE streaming: the seed does not document its event format, so this client asks for whole answers only (A10). */
  stream: z.literal(false, { error: 'stream: true (SSE) is not supported by this client' }).optional(),
  temperature: temperature.optional(),
  max_tokens: maxTokens.optional(),
});

export const semanticSearchRequestSchema = z.strictObject({
  query: text,
  org_id: id,
  top_k: z.number().int().positive().optional(),
  similarity_threshold: z.number().min(0).max(1).optional(),
  data_source_ids: z.array(id).optional(),
});

export const agentFields = {
  name: text,
  system_prompt: z.string().optional(),
  rag_strategy: text.optional(),
  model: text.optional(),
  temperature: temperature.optional(),
  max_tokens: maxTokens.optional(),
  data_source_ids: z.array(id),
};
export const createAgentSchema = z.strictObject(agentFields);
/** "Same fields as POST, all optional." */
export const updateAgentSchema = z.strictObject(agentFields).partial();

export const DATA_SOURCE_TYPES = [
  'website',
  'file',
  'confluence',
  'slack',
  'google_drive',
  'sharepoint',
] as const;
export const SYNC_FREQUENCIES = ['hourly', 'daily', 'weekly', 'manual'] as const;
export const createDataSourceSchema = z.strictObject({
  type: z.enum(DATA_SOURCE_TYPES),
  name: text,
  config: z.record(z.string(), z.unknown()).optional(),
  sync_frequency: z.enum(SYNC_FREQUENCIES).optional(),
});

export const listAgentsQuery = z.strictObject(pageQuery);
export const listDataSourcesQuery = z.strictObject({
  ...pageQuery,
  status: z.enum(['active', 'processing', 'failed']).optional(),
});

export const FEEDBACK_VALUES = ['positive', 'negative'] as const;
export const listInteractionsQuery = z.strictObject({
  ...pageQuery,
  agent_id: id.optional(),
  start_date: twigDate.optional(),
  end_date: twigDate.optional(),
  /** "positive/negative/null": `null` is sent as the word, meaning "no feedback given" (A11). */
  feedback: z.enum([...FEEDBACK_VALUES, 'null']).optional(),
});
export const feedbackSchema = z.strictObject({
  feedback: z.enum(FEEDBACK_VALUES),
  comment: z.string().optional(),
});

export const analyticsQuery = z.strictObject({
  start_date: twigDate,
  end_date: twigDate,
  agent_id: id.optional(),
  granularity: z.enum(['hour', 'day', 'week', 'month']).optional(),
});

export const USER_ROLES = ['readonly', 'train', 'configure', 'admin'] as const;
export const listUsersQuery = z.strictObject(pageQuery);
export const createUserSchema = z.strictObject({
  email: z.email(),
  name: z.string().optional(),
  role: z.enum(USER_ROLES).optional(),
});

export const KB_STATUSES = ['draft', 'published'] as const;
export const listKbQuery = z.strictObject({ ...pageQuery, status: z.enum(KB_STATUSES).optional() });
const kbFields = {
  title: text,
  content: text,
  tags: z.array(z.string()).optional(),
  status: z.enum(KB_STATUSES).optional(),
};
export const createKbArticleSchema = z.strictObject(kbFields);
export const updateKbArticleSchema = z
  .strictObject(kbFields)
  .partial()
  .refine((value) => Object.keys(value).length > 0, 'an update must change at least one field');

export type QueryRequest = z.input<typeof queryRequestSchema>;
export type SemanticSearchRequest = z.input<typeof semanticSearchRequestSchema>;
export type CreateAgentRequest = z.input<typeof createAgentSchema>;
export type UpdateAgentRequest = z.input<typeof updateAgentSchema>;
export type CreateDataSourceRequest = z.input<typeof createDataSourceSchema>;
export type PageParams = z.input<typeof listAgentsQuery>;
export type ListDataSourcesParams = z.input<typeof listDataSourcesQuery>;
export type ListInteractionsParams = z.input<typeof listInteractionsQuery>;
export type FeedbackRequest = z.input<typeof feedbackSchema>;
export type AnalyticsParams = z.input<typeof analyticsQuery>;
export type CreateUserRequest = z.input<typeof createUserSchema>;
export type ListKbParams = z.input<typeof listKbQuery>;
export type CreateKbArticleRequest = z.input<typeof createKbArticleSchema>;
export type UpdateKbArticleRequest = z.input<typeof updateKbArticleSchema>;
