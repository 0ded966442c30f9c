// What Twig answers, as zod schemas. Policy (docs/twig-contract.md, "Which fields are required"): a field is
// required only when the seed shows it AND the client or a pipeline step cannot proceed without it (an ID, the
// answer, a status). Every other field the seed shows is `shown()`: typed, but it may be absent or null, because an
// example is not a promise that a field is always there. Fields the seed never shows are not typed at all; every
// object is loose, so they survive parsing and reach callers as unknown extras. Nothing is defaulted: a missing
// field stays missing.
import { z } from 'zod';

/** A field the seed shows but the client does not need: absent and null both parse. */
const shown = <T extends z.ZodType>(schema: T) => schema.nullish();
const id = z.string().min(1);

export const querySourceSchema = z.looseObject({
  chunk_id: shown(z.string()),
  document_title: shown(z.string()),
  document_url: shown(z.string()),
  similarity_score: shown(z.number()),
  chunk_text: shown(z.string()),
});

export const queryMetadataSchema = z.looseObject({
  interaction_id: shown(z.string()),
  latency_ms: shown(z.number()),
  tokens_input: shown(z.number()),
  tokens_output: shown(z.number()),
  cost_usd: shown(z.number()),
  rag_strategy: shown(z.string()),
  model: shown(z.string()),
});

export const queryResponseSchema = z.looseObject({
  response: z.string(),
  sources: shown(z.array(querySourceSchema)),
  metadata: shown(queryMetadataSchema),
});

export const searchChunkSchema = z.looseObject({
  chunk_id: shown(z.string()),
  text: z.string(),
  similarity_score: shown(z.number()),
  document_id: shown(z.string()),
  document_title: shown(z.string()),
});

export const semanticSearchResponseSchema = z.looseObject({
  chunks: z.array(searchChunkSchema),
  query_embedding: shown(z.array(z.number())),
  metadata: shown(z.looseObject({ total_chunks_searched: shown(z.number()), latency_ms: shown(z.number()) })),
});

const pageFields = { total: shown(z.number()), limit: shown(z.number()), offset: shown(z.number()) };

export const agentSchema = z.looseObject({
  id,
  name: shown(z.string()),
  system_prompt: shown(z.string()),
  rag_strategy: shown(z.string()),
  model: shown(z.string()),
  temperature: shown(z.number()),
  max_tokens: shown(z.number()),
  status: shown(z.string()),
  data_source_ids: shown(z.array(z.string())),
  created_at: shown(z.string()),
});

export const agentListSchema = z.looseObject({ agents: z.array(agentSchema), ...pageFields });

/** Words the seed uses for a data source: "pending" after create, list filter "active/processing/failed". */
export const DATA_SOURCE_STATUSES = ['pending', 'processing', 'active', 'failed'] as const;
export type KnownDataSourceStatus = (typeof DATA_SOURCE_STATUSES)[number];
/** Unknown words are kept, not refused: a new status must not break a poll (A7). */
const dataSourceStatus = z.string().min(1) as z.ZodType<KnownDataSourceStatus | (string & {})>;

/** The seed promises only "ID, status": the ID field's name `id` is A6. */
export const dataSourceSchema = z.looseObject({
  id,
  status: dataSourceStatus,
  type: shown(z.string()),
  name: shown(z.string()),
  config: shown(z.record(z.string(), z.unknown())),
  sync_frequency: shown(z.string()),
});

/** The list's envelope is not in the seed; `data_sources` follows the agents list (A6). */
export const dataSourceListSchema = z.looseObject({ data_sources: z.array(dataSourceSchema), ...pageFields });

export const dataSourceStatusSchema = z.looseObject({
  status: dataSourceStatus,
  chunks_indexed: shown(z.number()),
  progress_pct: shown(z.number()),
  estimated_completion: shown(z.string()),
});

/** "Sync job queued": the seed shows no body, so any object (or none) is accepted and kept as is. */
export const syncQueuedSchema = z.looseObject({});

export const interactionSchema = z.looseObject({
  id,
  agent_id: shown(z.string()),
  query: shown(z.string()),
  response: shown(z.string()),
  feedback: shown(z.string()),
  latency_ms: shown(z.number()),
  created_at: shown(z.string()),
});

export const interactionListSchema = z.looseObject({
  interactions: z.array(interactionSchema),
  ...pageFields,
});

/** The seed shows no answer to feedback; any object (or none) is accepted and kept as is. */
export const feedbackAcceptedSchema = z.looseObject({});

export const analyticsSchema = z.looseObject({
  metrics: z.looseObject({
    total_queries: shown(z.number()),
    unique_users: shown(z.number()),
    avg_latency_ms: shown(z.number()),
    accuracy_rate: shown(z.number()),
    citation_rate: shown(z.number()),
    total_cost_usd: shown(z.number()),
  }),
  time_series: shown(
    z.array(
      z.looseObject({
        timestamp: shown(z.string()),
        queries: shown(z.number()),
        latency_p50: shown(z.number()),
        latency_p95: shown(z.number()),
      }),
    ),
  ),
});

/** The seed shows no user object at all: every field is optional (A8). */
export const userSchema = z.looseObject({
  id: shown(z.string()),
  email: shown(z.string()),
  name: shown(z.string()),
  role: shown(z.string()),
});

/** Envelope assumed like the agents list (A8). */
export const userListSchema = z.looseObject({ users: z.array(userSchema), ...pageFields });

/** `id` is required: `twig.kb` updates the article it created (A8). */
export const kbArticleSchema = z.looseObject({
  id,
  title: shown(z.string()),
  content: shown(z.string()),
  tags: shown(z.array(z.string())),
  status: shown(z.string()),
  version: shown(z.number()),
});

/** Envelope assumed: `articles` (A8). */
export const kbArticleListSchema = z.looseObject({ articles: z.array(kbArticleSchema), ...pageFields });

export type QueryResponse = z.infer<typeof queryResponseSchema>;
export type SemanticSearchResponse = z.infer<typeof semanticSearchResponseSchema>;
export type Agent = z.infer<typeof agentSchema>;
export type AgentList = z.infer<typeof agentListSchema>;
export type DataSource = z.infer<typeof dataSourceSchema>;
export type DataSourceList = z.infer<typeof dataSourceListSchema>;
export type DataSourceStatus = z.infer<typeof dataSourceStatusSchema>;
export type SyncQueued = z.infer<typeof syncQueuedSchema>;
export type Interaction = z.infer<typeof interactionSchema>;
export type InteractionList = z.infer<typeof interactionListSchema>;
export type FeedbackAccepted = z.infer<typeof feedbackAcceptedSchema>;
export type Analytics = z.infer<typeof analyticsSchema>;
export type User = z.infer<typeof userSchema>;
export type UserList = z.infer<typeof userListSchema>;
export type KbArticle = z.infer<typeof kbArticleSchema>;
export type KbArticleList = z.infer<typeof kbArticleListSchema>;
