// The contract between a pipeline's Twig steps (twig-step.ts) and the Twig activities (providers/twig/activities/twig.ts): the
// queue they run on, their inputs and results, and the failure types a step tells apart. The activities run on a
// task queue of their own with Twig's rate budget, so Twig's per-minute limits never slow another platform's
// steps. Pure types and constants: the workflow bundle and the worker both import it (the provider's own module
// brings zod, which the bundle does without). Fields keep Twig's wire names where they are Twig's data.

/** Appended to the main task queue: where the Twig activities run. */
export const TWIG_TASK_QUEUE_SUFFIX = '-twig';

/** Failure types (ApplicationFailure.type) the step and the activities throw; none of them is retried. */
export const TWIG_FAILURES = {
  /** No API key configured for Twig. */
  notConfigured: 'TwigNotConfigured',
  /** A rendered text is empty: nothing was sent. */
  invalidText: 'TwigInvalidText',
  /** A query whose answer was lost, and that Twig's interactions do not settle: it is not sent again. */
  queryUnconfirmed: 'TwigQueryUnconfirmed',
  /** An article create whose answer was lost, and that Twig's article list does not settle. */
  writeUnconfirmed: 'TwigWriteUnconfirmed',
  /** The data source's status read `failed`. */
  syncFailed: 'TwigSyncFailed',
  /** The step's timeout passed before the sync finished; the sync goes on at Twig (no cancel in the seed). */
  syncTimedOut: 'TwigSyncTimedOut',
  /** Twig refused the request (400, 401, 403, 404, …) or broke its contract: the message says why. */
  refused: 'TwigRefused',
} as const;

export interface QueryTwigInput {
  agentId: string;
  query: string;
  /** Sent as `session_id` for a multi-turn conversation (A22: Twig does not return the one it makes up). */
  sessionId?: string;
  /** When the step asked (workflow time): an interaction recorded before it cannot be this query's. */
  requestedAt: string;
}

/** One source of an answer, as Twig sends it (every field optional: the seed shows but does not promise them). */
export interface TwigAnswerSource {
  chunk_id?: string;
  document_title?: string;
  document_url?: string;
  similarity_score?: number;
  chunk_text?: string;
}

export interface TwigAnswer {
  response: string;
  sources: TwigAnswerSource[];
  /** Twig's `metadata` (interaction_id, latency_ms, tokens, cost_usd, rag_strategy, model), as sent. */
  metadata: Record<string, unknown>;
  interactionId?: string;
  /** True when a lost answer was settled from Twig's interactions: the response is there, sources are not. */
  adopted: boolean;
}

export interface TriggerTwigSyncInput {
  dataSourceId: string;
}

export interface TriggeredTwigSync {
  /** True when an earlier attempt's trigger was found running (A7: a sync asked for while one runs joins it). */
  joined: boolean;
}

export interface AwaitTwigSyncInput {
  dataSourceId: string;
  /** The waiting step, named in the heartbeat so status readers can show its progress on the right row. */
  stepId?: string;
  /** Workflow time of the trigger: a status of `active` read too soon after it may be the previous sync's. */
  triggeredAt: string;
  /** What the wait a nudge cancelled had seen, so its successor knows this sync was seen running. */
  progress?: TwigSyncProgress;
}

/** What the waiting activity heartbeats, and what the step's timeout message reads back. */
export interface TwigSyncProgress {
  /** The step that waits (AwaitTwigSyncInput.stepId). */
  stepId?: string;
  status?: string;
  progress_pct?: number;
  chunks_indexed?: number;
  /** Whether a status of this sync was seen unfinished (so `active` after it is this sync's end). */
  seenRunning: boolean;
  /** Every distinct progress_pct seen, in order. */
  progressSeen: number[];
}

export interface TwigSyncResult {
  status: string;
  chunksIndexed?: number;
  progressSeen: number[];
}

export interface WriteTwigArticleInput {
  /** Absent: create; present: update (PUT, a new version). */
  articleId?: string;
  title?: string;
  content?: string;
}

export interface WrittenTwigArticle {
  articleId: string;
  version?: number;
  status?: string;
  /** True when a lost create was settled by finding the article in Twig's list. */
  adopted: boolean;
}

export interface TwigActivities {
  queryTwig(input: QueryTwigInput): Promise<TwigAnswer>;
  triggerTwigSync(input: TriggerTwigSyncInput): Promise<TriggeredTwigSync>;
  awaitTwigSync(input: AwaitTwigSyncInput): Promise<TwigSyncResult>;
  writeTwigArticle(input: WriteTwigArticleInput): Promise<WrittenTwigArticle>;
}
