// The Twig activities a pipeline's Twig steps call (providers/twig/workflows/twig-api.ts), bound to one client. They run on their
// own task queue with Twig's rate budget. A worker without a Twig key still registers them, so a step that needs
// them fails at once with a message naming the setting, rather than waiting on a queue nobody polls. Writes go
// out at most once (twig-failure.ts); where a lost answer can be settled by looking, it is:
// - a query records an interaction, so a lost one is looked for among the agent's interactions since the step
//   asked: exactly one with the same question is adopted (its response; the sources are not in the list);
// - an article create is looked for by title and content among the articles (the seed shows no creation time);
// - a sync trigger whose answer was lost is looked for in the status: a sync running is joined (A7), and
//   otherwise the trigger is sent again, since a second sync makes nothing new, it only indexes again;
// - an update (PUT) is retried like a read: a repeat makes one more version with the same content.
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Interaction, KbArticle, TwigClient } from '../index.js';
import {
  TWIG_FAILURES,
  type AwaitTwigSyncInput,
  type QueryTwigInput,
  type TwigActivities,
  type TwigAnswer,
  type TwigAnswerSource,
  type TwigSyncProgress,
  type TwigSyncResult,
  type WriteTwigArticleInput,
  type WrittenTwigArticle,
} from '../workflows/twig-api.js';
import { rethrowTwig, writeOnce } from './twig-failure.js';
import { mark, sentBefore } from '../../shared/write-progress.js';

/** Twig's clock may run behind ours: interactions are looked for from this much before the step asked. */
const CLOCK_SKEW_MARGIN_MS = 10_000;
/** The seed's largest list page; what lies beyond it is not looked at, and the doubt stays. */
const LIST_LIMIT = 200;
/** Status polls start quick, for short syncs, and slow down to this, for long ones (Read: 200/min per key). */
const MAX_POLL_INTERVAL_MS = 10_000;
const FIRST_POLL_INTERVAL_MS = 1_000;
/** Heartbeats while a status read waits (a 429's reset, say), well inside the step's 30 s heartbeat timeout. */
const KEEPALIVE_MS = 5_000;
/**
 * A status that reads finished before any poll saw this sync running may still be the previous sync's (a queued
 * job, "202 Sync job queued"): it counts only once this long has passed since the trigger.
 */
const QUEUED_GRACE_MS = 15_000;
const FINISHED = new Set(['active', 'failed']);

const present = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

async function sendQuery(client: TwigClient, input: QueryTwigInput): Promise<TwigAnswer> {
  const { agentId, query, sessionId } = input;
  const answer = await client.query({ agent_id: agentId, query, session_id: sessionId });
  return {
    response: answer.response,
    // Twig's nulls dropped: a template reads an absent field and a null one alike, and the type stays plain.
    sources: (answer.sources ?? []).map(
      (s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== null)) as TwigAnswerSource,
    ),
    metadata: { ...answer.metadata },
    interactionId: present(answer.metadata?.interaction_id),
    adopted: false,
  };
}

/** The one interaction this query recorded, from the agent's history since the step asked. */
async function interactionOf(client: TwigClient, input: QueryTwigInput): Promise<TwigAnswer> {
  const sinceMs = Date.parse(input.requestedAt) - CLOCK_SKEW_MARGIN_MS;
  const startDate = new Date(sinceMs).toISOString().slice(0, 10);
  const { interactions } = await client.listInteractions({
    agent_id: input.agentId,
    start_date: startDate,
    limit: LIST_LIMIT,
  });
  // An interaction without a time cannot be ruled out by it, so it stays a candidate.
  const fits = interactions.filter(
    (i: Interaction) => i.query === input.query && (!i.created_at || Date.parse(i.created_at) >= sinceMs),
  );
  const [found] = fits;
  if (fits.length === 1 && found?.response) {
    const metadata = { interaction_id: found.id, latency_ms: present(found.latency_ms) };
    return { response: found.response, sources: [], metadata, interactionId: found.id, adopted: true };
  }
  const seen = fits.length === 0 ? 'none' : `${fits.length}`;
  throw ApplicationFailure.nonRetryable(
    `the query was sent but its answer was lost, and Twig's interactions show ${seen} for it since the step asked; not sent again, since Twig may have answered it (recording an interaction): look in its interactions before asking again`,
    TWIG_FAILURES.queryUnconfirmed,
  );
}

const written = (article: KbArticle, adopted: boolean): WrittenTwigArticle => ({
  articleId: article.id,
  version: present(article.version),
  status: present(article.status),
  adopted,
});

async function writeArticle(client: TwigClient, input: WriteTwigArticleInput): Promise<WrittenTwigArticle> {
  const { articleId, title, content } = input;
  if (articleId !== undefined) {
    return written(await client.updateKbArticle(articleId, { title, content }).catch(rethrowTwig), false);
  }
  if (title === undefined || content === undefined) throw new TypeError('a create needs title and content');
  return writeOnce(
    async () => written(await client.createKbArticle({ title, content }), false),
    async () => {
      const { articles } = await client.listKbArticles({ limit: LIST_LIMIT });
      const fits = articles.filter((a) => a.title === title && a.content === content);
      const [found] = fits;
      if (found && fits.length === 1) return written(found, true);
      throw ApplicationFailure.nonRetryable(
        `the create of article "${title}" was sent but its answer was lost, and Twig's list shows ${fits.length} articles with that title and content; not created again, since it may exist`,
        TWIG_FAILURES.writeUnconfirmed,
      );
    },
  );
}

async function triggerSync(client: TwigClient, dataSourceId: string) {
  if (sentBefore()) {
    const { status } = await client.getDataSourceStatus(dataSourceId).catch(rethrowTwig);
    if (status === 'processing') return { joined: true };
  }
  mark('sending');
  await client.syncDataSource(dataSourceId).catch(rethrowTwig);
  return { joined: false };
}

/** The progress after one more status read: a new value, never the old one changed, since heartbeats hold it. */
function advance(progress: TwigSyncProgress, read: Awaited<ReturnType<TwigClient['getDataSourceStatus']>>) {
  const pct = present(read.progress_pct);
  const seen = progress.progressSeen;
  return {
    stepId: progress.stepId,
    status: read.status,
    progress_pct: pct,
    chunks_indexed: present(read.chunks_indexed),
    seenRunning: progress.seenRunning || !FINISHED.has(read.status),
    progressSeen: pct === undefined || seen.at(-1) === pct ? seen : [...seen, pct],
  } satisfies TwigSyncProgress;
}

/** How status polls are spaced: 1 s × 1.25^n, at most `maxMs`. */
interface PollSpacing {
  firstMs: number;
  maxMs: number;
}

async function awaitSync(
  client: TwigClient,
  input: AwaitTwigSyncInput,
  spacing: PollSpacing,
): Promise<TwigSyncResult> {
  const context = Context.current();
  // A retried attempt goes on from what the last one heartbeated, a wait restarted by a nudge from its predecessor.
  let progress: TwigSyncProgress = (context.info.heartbeatDetails as TwigSyncProgress | undefined) ??
    input.progress ?? {
      stepId: input.stepId,
      seenRunning: false,
      progressSeen: [],
    };
  const beat = () => context.heartbeat(progress);
  const keepAlive = setInterval(beat, KEEPALIVE_MS);
  try {
    for (let poll = 0; ; poll++) {
      progress = advance(progress, await client.getDataSourceStatus(input.dataSourceId).catch(rethrowTwig));
      beat();
      const settled = progress.seenRunning || Date.now() - Date.parse(input.triggeredAt) >= QUEUED_GRACE_MS;
      if (settled && progress.status === 'failed') {
        throw ApplicationFailure.nonRetryable(
          `data source ${input.dataSourceId} failed to sync (Twig's status reads "failed")`,
          TWIG_FAILURES.syncFailed,
          progress,
        );
      }
      if (settled && progress.status === 'active') {
        const { chunks_indexed: chunksIndexed, progressSeen } = progress;
        return { status: progress.status, chunksIndexed, progressSeen };
      }
      await context.sleep(Math.min(spacing.firstMs * 1.25 ** poll, spacing.maxMs));
    }
  } catch (error) {
    // The step cancels a wait to restart it at once (a nudge): what this one saw goes along to the next.
    if (error instanceof CancelledFailure) throw new CancelledFailure(error.message, [progress]);
    throw error;
  } finally {
    clearInterval(keepAlive);
  }
}

function notConfigured(): never {
  throw ApplicationFailure.nonRetryable(
    'Twig is not configured on this worker: set TWIG_API_KEY (and TWIG_BASE_URL to use another address than https://api.twig.so)',
    TWIG_FAILURES.notConfigured,
  );
}

/**
 * The activities; without a client every one fails with TwigNotConfigured. The poll spacing is for tests that
 * prove a webhook alone ends a wait.
 */
export function createTwigActivities(deps: {
  client?: TwigClient;
  firstPollIntervalMs?: number;
  maxPollIntervalMs?: number;
}): TwigActivities {
  const { client } = deps;
  const spacing = {
    firstMs: deps.firstPollIntervalMs ?? FIRST_POLL_INTERVAL_MS,
    maxMs: deps.maxPollIntervalMs ?? MAX_POLL_INTERVAL_MS,
  };
  return {
    queryTwig: async (input) =>
      client
        ? writeOnce(
            () => sendQuery(client, input),
            () => interactionOf(client, input),
          )
        : notConfigured(),
    triggerTwigSync: async (input) => (client ? triggerSync(client, input.dataSourceId) : notConfigured()),
    awaitTwigSync: async (input) => (client ? awaitSync(client, input, spacing) : notConfigured()),
    writeTwigArticle: async (input) => (client ? writeArticle(client, input) : notConfigured()),
  };
}
