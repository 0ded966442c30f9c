// The Twig steps in the pipeline interpreter: query an agent, sync a data source, create or update a KB article.
// Each runs activities on the Twig task queue. Texts are rendered here, before anything is scheduled, so an empty
// rendering fails the step without costing a request. A query's answer becomes the step's state, readable by
// templates; a sync is two activities, a trigger (a write, sent at most once) and a heartbeating wait that polls
// the status, so a dead worker's wait is picked up where its heartbeat left it and the trigger is not repeated.
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  patched,
  proxyActivities,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { durationMs } from '../../../workflows/duration.js';
import type { StepResult } from '../../../workflows/pipeline-definition.js';
import {
  TWIG_FAILURES,
  TWIG_TASK_QUEUE_SUFFIX,
  type AwaitTwigSyncInput,
  type TwigActivities,
  type TwigSyncProgress,
} from './twig-api.js';
import type { TwigKbStep, TwigQueryStep, TwigStep, TwigSyncStep } from './twig-definition.js';
import { awaitNudgeable, NUDGEABLE_WAIT } from './twig-sync-nudge.js';

type Render = (template: string) => string;

/**
 * Long enough for the client's own waits: 30 s per request, up to four requests, a 429's reset (at most 65 s)
 * waited out between them. An attempt that outlives it is never sent again blindly: the next finds its mark.
 */
const CALL_TIMEOUT = '5 minutes';
const ATTEMPTS = 5;
/** A sync step without a `timeout` still ends: a data source that never reports synced is someone's problem. */
const DEFAULT_SYNC_TIMEOUT = '24 hours';
/** The wait heartbeats every few seconds (providers/twig/activities/twig.ts), so a dead worker is noticed this soon. */
const SYNC_HEARTBEAT_TIMEOUT = '30 seconds';
/** Syncs waiting before a synced webhook could hurry them replay with the one wait they scheduled. */
const SYNC_NUDGE_PATCH = 'twig-sync-nudged-by-webhook';

function activities(step: TwigStep, summary: string, options: Partial<ActivityOptions> = {}): TwigActivities {
  return proxyActivities<TwigActivities>({
    taskQueue: `${workflowInfo().taskQueue}${TWIG_TASK_QUEUE_SUFFIX}`,
    startToCloseTimeout: CALL_TIMEOUT,
    scheduleToCloseTimeout: step.timeout,
    retry: { maximumAttempts: ATTEMPTS, nonRetryableErrorTypes: Object.values(TWIG_FAILURES) },
    summary: `${step.id}: ${summary}`,
    ...options,
  });
}

/** A rendered text, blank meaning absent; `required` fails the step on a blank one. */
function text(render: Render, field: string, template: string | undefined, required: true): string;
function text(render: Render, field: string, template: string | undefined): string | undefined;
function text(render: Render, field: string, template: string | undefined, required = false) {
  const rendered = template === undefined ? '' : render(template);
  if (rendered.trim() !== '') return rendered;
  if (required)
    throw ApplicationFailure.nonRetryable(`${field} rendered to empty text`, TWIG_FAILURES.invalidText);
  return undefined;
}

export async function runTwigStep(step: TwigStep, render: Render): Promise<StepResult> {
  switch (step.kind) {
    case 'twig.query':
      return query(step, render);
    case 'twig.sync':
      return sync(step, render);
    case 'twig.kb':
      return writeArticle(step, render);
  }
}

async function query(step: TwigQueryStep, render: Render): Promise<StepResult> {
  const agentId = text(render, 'agent', step.agent, true).trim();
  const sessionId = text(render, 'session', step.session)?.trim();
  const answer = await activities(step, `query agent ${agentId}`).queryTwig({
    agentId,
    query: text(render, 'query', step.query, true),
    sessionId,
    requestedAt: new Date().toISOString(),
  });
  // Titles, as a Twin.ai ask's `sources` are: the whole source objects are in `json.sources`.
  const titles = answer.sources.flatMap((s) => s.document_title ?? s.document_url ?? s.chunk_id ?? []);
  const how = answer.adopted ? "; found in Twig's interactions after its answer was lost" : '';
  return {
    status: 'succeeded',
    output: answer.response,
    sources: titles,
    json: { response: answer.response, sources: answer.sources, metadata: answer.metadata },
    interactionId: answer.interactionId,
    sessionId,
    summary: `agent ${agentId} answered from ${titles.length} source(s)${how}`,
  };
}

async function sync(step: TwigSyncStep, render: Render): Promise<StepResult> {
  const dataSourceId = text(render, 'dataSource', step.dataSource, true).trim();
  const timeout = step.timeout ?? DEFAULT_SYNC_TIMEOUT;
  const deadline = Date.now() + durationMs(timeout);
  // Both activities share the step's one deadline: what the trigger took, the wait has less of.
  const left = () => Math.max(1, deadline - Date.now());
  try {
    const { joined } = await activities(step, `sync data source ${dataSourceId}`, {
      scheduleToCloseTimeout: left(),
    }).triggerTwigSync({ dataSourceId });
    const nudgeable = patched(SYNC_NUDGE_PATCH);
    // Made anew for each wait a nudge restarts, so each has only what is left of the deadline.
    const awaitTwigSync = (input: AwaitTwigSyncInput) =>
      activities(step, `wait for data source ${dataSourceId} to sync`, {
        startToCloseTimeout: undefined,
        scheduleToCloseTimeout: left(),
        heartbeatTimeout: SYNC_HEARTBEAT_TIMEOUT,
        // Status reads are safe to repeat, so attempts are unbounded: only a refusal, a failed sync or the deadline
        // ends the wait.
        retry: { maximumInterval: '1 minute', nonRetryableErrorTypes: Object.values(TWIG_FAILURES) },
        ...(nudgeable ? NUDGEABLE_WAIT : {}),
      }).awaitTwigSync(input);
    const input = { dataSourceId, stepId: step.id, triggeredAt: new Date().toISOString() };
    const done = nudgeable
      ? await awaitNudgeable(input, deadline, awaitTwigSync)
      : await awaitTwigSync(input);
    const chunks = done.chunksIndexed === undefined ? '' : `, ${done.chunksIndexed} chunks indexed`;
    const seen = done.progressSeen.length > 0 ? `; progress seen ${done.progressSeen.join('%, ')}%` : '';
    return {
      status: 'succeeded',
      output: done.status,
      json: { data_source_id: dataSourceId, status: done.status, chunks_indexed: done.chunksIndexed },
      summary: `data source ${dataSourceId} synced${chunks}${seen}${joined ? ' (joined a sync already running)' : ''}`,
    };
  } catch (error) {
    throw deadlinePassed(error, dataSourceId, timeout) ?? error;
  }
}

/** The step's deadline, said as what it means at Twig: the seed has no cancel, so the sync goes on there. */
function deadlinePassed(error: unknown, dataSourceId: string, timeout: string | number) {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof TimeoutFailure)) return undefined;
  if (error.cause.timeoutType === 'HEARTBEAT') return undefined;
  const last = error.cause.lastHeartbeatDetails as Partial<TwigSyncProgress> | undefined;
  const pct = last?.progress_pct === undefined ? '' : `, ${last.progress_pct}%`;
  const seen = last?.status ? ` (last seen ${last.status}${pct})` : '';
  return ApplicationFailure.nonRetryable(
    `data source ${dataSourceId} did not finish syncing within ${String(timeout)}${seen}; Twig offers no cancel, so the sync goes on at Twig`,
    TWIG_FAILURES.syncTimedOut,
  );
}

async function writeArticle(step: TwigKbStep, render: Render): Promise<StepResult> {
  const creating = step.action === 'create';
  const articleId = creating ? undefined : text(render, 'articleId', step.articleId, true).trim();
  const title = creating ? text(render, 'title', step.title, true) : text(render, 'title', step.title);
  const content = creating
    ? text(render, 'content', step.content, true)
    : text(render, 'content', step.content);
  if (title === undefined && content === undefined) {
    throw ApplicationFailure.nonRetryable(
      'an update needs a title or content that renders to text',
      TWIG_FAILURES.invalidText,
    );
  }
  const what = creating ? `create article "${title ?? ''}"` : `update article ${articleId ?? ''}`;
  const written = await activities(step, what).writeTwigArticle({ articleId, title, content });
  const version = written.version === undefined ? '' : ` (version ${written.version})`;
  const how = written.adopted ? ", found in Twig's list after a lost answer" : '';
  return {
    status: 'succeeded',
    articleId: written.articleId,
    output: written.articleId,
    json: { id: written.articleId, version: written.version, status: written.status },
    summary: `article ${written.articleId} ${creating ? 'created' : 'updated'}${version}${how}`,
  };
}
