// One small workflow per Twin run (`twin-run/<run_id>`), the single place where everything known about that
// run meets: webhooks (via the receiver), the activity that started it, and reconciliation polls. Every
// writer reaches it with signal-with-start, so whoever comes first creates it and no early event is lost.
// Its state only moves forward; when the run turns terminal it tells each subscriber exactly once.
import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  log,
  metricMeter,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { RunObservation, RunStatus } from '../vocabulary/run-status.js';
import type { PollActivities } from '../activities/poll-run.js';
import type { RunOutputActivities } from '../activities/run-output.js';
import type { TriggerActivities } from '../../../activities/triggers.js';
import { givePermitBack } from './agent-lane-permits.js';
import {
  DISOWNED_TOKEN_PREFIX,
  POLL_TASK_QUEUE_SUFFIX,
  runOutputSignal,
  runSettledSignal,
  runTrackerStateQuery,
  observeRunSignal,
  subscribeRunSignal,
  type RunSubscription,
  type RunTrackerInput,
  type RunTrackerState,
} from './run-tracker-api.js';
import { applyObservation, freshTrackerState } from './run-tracker-state.js';
import { AgentIdsKey, RunIdsKey, RunOutcomeKey, RunStatusKey } from '../../../workflows/search-attributes.js';
import { internalTaskQueue } from '../../../workflows/internal-queue.js';

/** Trackers recorded before this patch leave the release to the subscriber: their replay must not send one. */
const TRACKER_RELEASES_PERMITS_PATCH = 'tracker-releases-permits';
/** Trackers recorded before this patch filled in only the summary, from one poll of a webhook-ended run. */
const TRACKER_READS_OUTPUT_PATCH = 'tracker-reads-output';
/** Trackers recorded before this patch wrote no memo: their replay must not upsert one. */
const TRACKER_MEMO_PATCH = 'tracker-memo-served-by';
/**
 * Trackers recorded before this patch read the output before telling anyone of the end, and evaluated triggers in
 * an activity on the internal queue. One patch for both: each patch is a marker in every tracker's history.
 */
const TRACKER_SETTLES_BEFORE_OUTPUT_PATCH = 'tracker-settles-before-output';

/**
 * A completed run whose end came from a poll has no outcome under the documented contract (only the run.completed
 * webhook carries one): the tracker waits at most this long for that webhook before recording `unknown`.
 */
const OUTCOME_WEBHOOK_WAIT_MS = 30_000;

const MAX_APPLIED_BEFORE_CONTINUE = 200;
/** Silence windows double while polls find the run still going, up to this (or the base window if longer). */
const MAX_SILENCE_MS = 10 * 60_000;

/**
 * How long to wait for news before polling again. A run that keeps going without a word (a long run whose
 * webhooks are lost, or polling-only mode) costs Twin one poll per doubling silence rather than one a minute
 * for hours, and its history grows by a handful of events per poll.
 */
function silenceWindowMs(baseMs: number, silentPolls: number): number {
  return Math.min(baseMs * 2 ** silentPolls, Math.max(baseMs, MAX_SILENCE_MS));
}

/** The workflow body behind {@link RunTrackerWorkflow}; everything outside reaches it through run-tracker-api.ts. */
export async function runTrackerWorkflow(input: RunTrackerInput): Promise<RunTrackerState> {
  const state = input.carried ?? freshTrackerState(input.runId, input.agentId);
  const reconcileAfterMs = input.reconcileAfterMs ?? 60_000;
  const graceMs = input.graceMs ?? 10 * 60_000;
  const { pollRun } = proxyActivities<PollActivities>({
    taskQueue: `${workflowInfo().taskQueue}${POLL_TASK_QUEUE_SUFFIX}`,
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
  });
  // Filling in a webhook-ended run's summary is part of every run's normal end, not reconciliation: it runs
  // on the main queue so the poll queue's small rate budget never throttles ordinary completions.
  const { pollRun: fetchRunRecord } = proxyActivities<PollActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 3, initialInterval: '1 second' },
  });
  const { readRunResult } = proxyActivities<RunOutputActivities>({
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 3, initialInterval: '1 second' },
  });
  const triggerRetry = { maximumAttempts: 10 };
  const { evaluateTriggers: evaluateTriggersQueued } = proxyActivities<TriggerActivities>({
    taskQueue: internalTaskQueue(),
    startToCloseTimeout: '30 seconds',
    retry: triggerRetry,
  });
  // Trigger evaluation calls Temporal, never a platform, so no budget needs to see it: run by the worker that runs
  // this tracker, it records one marker where an activity records three events and a workflow task three more.
  const { evaluateTriggers: evaluateTriggersHere } = proxyLocalActivities<TriggerActivities>({
    startToCloseTimeout: '30 seconds',
    retry: triggerRetry,
  });
  let changes = 0;
  let published: RunStatus | undefined;

  setHandler(runTrackerStateQuery, () => state);
  const observe = (observation: RunObservation) => {
    if (observation.runId !== state.runId) return;
    if (applyObservation(state, observation)) changes++;
    else state.ignored++;
  };
  setHandler(observeRunSignal, observe);
  setHandler(subscribeRunSignal, ({ observation, ...subscription }) => {
    if (observation) observe(observation);
    if (
      state.subscribers.some(
        (s) => s.token === subscription.token && s.workflowId === subscription.workflowId,
      )
    )
      return;
    state.subscribers.push(subscription);
    changes++;
    if (patched(TRACKER_MEMO_PATCH)) upsertMemo({ servedBy: servedBy(state.subscribers) });
  });

  upsertSearchAttributes([
    { key: AgentIdsKey, value: [state.agentId] },
    { key: RunIdsKey, value: [state.runId] },
  ]);

  let silentPolls = 0;
  while (!state.final) {
    const seen = changes;
    const heard = await condition(
      () => changes !== seen || state.final !== undefined,
      silenceWindowMs(reconcileAfterMs, silentPolls),
    );
    if (heard) silentPolls = 0;
    else {
      await reconcile(state, pollRun);
      silentPolls++;
    }
    published = publishStatus(state, published);
    const historyLong =
      state.applied.length > MAX_APPLIED_BEFORE_CONTINUE || workflowInfo().continueAsNewSuggested;
    if (historyLong && !state.final) {
      await continueAsNew<typeof runTrackerWorkflow>({ ...input, carried: compact(state) });
    }
  }

  // The end may have come with the very first signal, before the loop ever ran: everything after it is here.
  if (patched(TRACKER_READS_OUTPUT_PATCH)) {
    const publishedOutcome = state.final?.outcome;
    // Only an end whose outcome is already known can be told early: a condition on it decides the next step. The
    // early settles and the read leave in one workflow task; each settle's payload is taken as it is sent.
    if (patched(TRACKER_SETTLES_BEFORE_OUTPUT_PATCH) && endIsDecided(state))
      await Promise.all([settleEarly(state), readResult(state, readRunResult)]);
    else await readResult(state, readRunResult);
    await settleOutcome(state, Math.min(OUTCOME_WEBHOOK_WAIT_MS, reconcileAfterMs));
    const outcome = state.final?.outcome;
    if (outcome !== publishedOutcome)
      upsertSearchAttributes([{ key: RunOutcomeKey, value: outcome ?? null }]);
  } else await completeFinal(state, fetchRunRecord);
  publishStatus(state, published);
  countFinishedRun(state);
  await notifySubscribers(state);
  await evaluateTriggersOnce(
    state,
    patched(TRACKER_SETTLES_BEFORE_OUTPUT_PATCH) ? evaluateTriggersHere : evaluateTriggersQueued,
  );
  // Stay open for late subscribers and late duplicate webhooks, answering each subscriber at once.
  let lastChange = changes;
  for (;;) {
    await notifySubscribers(state);
    const more = await condition(() => changes !== lastChange, graceMs);
    if (!more) break;
    lastChange = changes;
  }
  await notifySubscribers(state);
  return state;
}

/**
 * What the tracker's page in the Web UI says it served: each subscribing workflow and step. A quarantine serves
 * nobody and is left out.
 */
function servedBy(subscribers: RunSubscription[]): string[] {
  return subscribers
    .filter((s) => !s.token.startsWith(DISOWNED_TOKEN_PREFIX))
    .map((s) => (s.stepKey ? `${s.workflowId} step ${s.stepKey}` : s.workflowId));
}

async function reconcile(state: RunTrackerState, pollRun: PollActivities['pollRun']): Promise<void> {
  state.polls++;
  try {
    const observation = await pollRun({ agentId: state.agentId, runId: state.runId });
    if (observation && !applyObservation(state, observation)) state.ignored++;
  } catch (error) {
    log.warn('reconciliation poll failed; will try again after the next silence window', {
      error: String(error),
    });
  }
}

/**
 * Webhooks carry no summary, and a step's result (and the next step's message template) needs it: when a
 * webhook ended the run, one poll fills in what Twin's run record adds. Best effort: the run has ended either way.
 */
async function completeFinal(
  state: RunTrackerState,
  fetchRunRecord: PollActivities['pollRun'],
): Promise<void> {
  const final = state.final;
  if (!final || final.summary !== undefined || final.source !== 'webhook') return;
  try {
    const polled = await fetchRunRecord({ agentId: state.agentId, runId: state.runId });
    if (!polled || polled.status !== final.status) return;
    state.final = {
      ...final,
      summary: polled.summary,
      outcome: final.outcome ?? polled.outcome,
      finishedAt: final.finishedAt ?? polled.finishedAt,
    };
  } catch (error) {
    log.warn('could not fetch the summary of a run a webhook ended', {
      runId: state.runId,
      error: String(error),
    });
  }
}

/**
 * Reads the output, and the summary and outcome where Twin serves them, once for every subscriber. Best effort:
 * the run has ended either way, and a missing output is reported as missing, never made up.
 */
async function readResult(
  state: RunTrackerState,
  readRunResult: RunOutputActivities['readRunResult'],
): Promise<void> {
  const final = state.final;
  if (!final) return;
  try {
    const read = await readRunResult({
      agentId: state.agentId,
      runId: state.runId,
      outputFrom: state.subscribers[0]?.outputFrom,
      // A poll's observation already carries what the record serves (summary, outcome where Twin has them).
      readRecord: final.source !== 'poll',
    });
    const { text, json, truncated, reason } = read;
    state.output = { text, json, truncated, reason };
    if (final.summary === undefined && read.summary !== undefined) final.summary = read.summary;
    if (final.status === 'completed' && final.outcome === undefined)
      final.outcome = read.recordOutcome ?? read.outcome;
  } catch (error) {
    log.warn('could not read the output of an ended run', { runId: state.runId, error: String(error) });
  }
}

/**
 * A completed run leaves here with an outcome: Twin's word, or `unknown` after a bounded wait for the webhook. The
 * wait is at most the reconcile window too: a step that polls quickly has said it will not wait long for webhooks.
 */
async function settleOutcome(state: RunTrackerState, waitMs: number): Promise<void> {
  const final = state.final;
  if (!final || final.status !== 'completed' || final.outcome !== undefined) return;
  await condition(() => final.outcome !== undefined, waitMs);
  if (final.outcome === undefined) {
    log.warn('completed run has no known outcome; recording unknown', { runId: state.runId });
    final.outcome = 'unknown';
  }
}

function endIsDecided(state: RunTrackerState): boolean {
  const final = state.final;
  return final !== undefined && (final.status !== 'completed' || final.outcome !== undefined);
}

function subscriberKey(subscriber: RunSubscription): string {
  return `${subscriber.workflowId}#${subscriber.token}`;
}

/**
 * Tells the subscribers that take their output later of the end, and gives their permits back, before the
 * output is read; notifySubscribers sends them the output once it is.
 */
async function settleEarly(state: RunTrackerState): Promise<void> {
  const early = (state.settledEarly ??= []);
  const waiting = state.subscribers.filter(
    (s) => s.takesOutputLater === true && !state.notified.includes(subscriberKey(s)),
  );
  await Promise.all(
    waiting.map((subscriber) => {
      early.push(subscriberKey(subscriber));
      return tellEnd(state, subscriber, { outputFollows: true });
    }),
  );
}

async function notifySubscribers(state: RunTrackerState): Promise<void> {
  if (!state.final) return;
  for (const subscriber of state.subscribers) {
    const key = subscriberKey(subscriber);
    if (state.notified.includes(key)) continue;
    state.notified.push(key);
    if (state.settledEarly?.includes(key)) await sendOutput(state, subscriber);
    else await tellEnd(state, subscriber, {});
  }
}

/** The settle, with the output when it has been read, and the release of the subscriber's permit. */
async function tellEnd(
  state: RunTrackerState,
  subscriber: RunSubscription,
  { outputFollows }: { outputFollows?: boolean },
): Promise<void> {
  const final = state.final as RunObservation;
  const releasing = subscriber.holdsPermit === true && patched(TRACKER_RELEASES_PERMITS_PATCH);
  // Both signals leave in the same workflow task: the lane can grant the next waiter while the subscriber
  // is still reading the result.
  await Promise.all([
    releasing && givePermitBack(state.agentId, subscriber.token),
    signalSubscriber(subscriber, runSettledSignal, {
      token: subscriber.token,
      observation: final,
      permitReleased: releasing,
      ...(outputFollows ? { outputFollows } : state.output && { output: state.output }),
    }),
  ]);
}

async function sendOutput(state: RunTrackerState, subscriber: RunSubscription): Promise<void> {
  await signalSubscriber(subscriber, runOutputSignal, {
    token: subscriber.token,
    ...(state.output && { output: state.output }),
    ...(state.final?.summary !== undefined && { summary: state.final.summary }),
  });
}

async function signalSubscriber<T>(
  subscriber: RunSubscription,
  signal: SignalDefinition<[T]>,
  payload: T,
): Promise<void> {
  try {
    await getExternalWorkflowHandle(subscriber.workflowId).signal(signal, payload);
  } catch (error) {
    // The subscriber has already closed (cancelled, timed out): nobody is left to tell.
    log.info('subscriber gone before the run settled', {
      subscriber: subscriber.workflowId,
      error: String(error),
    });
  }
}

async function evaluateTriggersOnce(
  state: RunTrackerState,
  evaluateTriggers: TriggerActivities['evaluateTriggers'],
): Promise<void> {
  if (state.triggersEvaluated || !state.final) return;
  state.triggersEvaluated = true;
  try {
    await evaluateTriggers({
      observation: state.final,
      sourceWorkflowId: workflowInfo().workflowId,
      ...(state.output?.text !== undefined && { output: state.output.text }),
    });
  } catch (error) {
    // A broken trigger must not fail the run's record, which subscribers and dedupe depend on.
    log.error('trigger evaluation failed for a settled run', { runId: state.runId, error: String(error) });
  }
}

/**
 * Exported by the worker's Prometheus endpoint (the SDK drops workflow metrics during replay), so operators can
 * ask "failed runs per agent in the last hour" without reading histories.
 */
function countFinishedRun(state: RunTrackerState): void {
  metricMeter
    .createCounter('twinflow_twin_runs_finished', 'runs', 'Twin runs that reached a terminal state')
    .withTags({ agent_id: state.agentId, status: state.status, outcome: state.final?.outcome ?? 'none' })
    .add(1);
}

/** Upserts only on a change: each upsert is a history event. */
function publishStatus(state: RunTrackerState, published: RunStatus | undefined): RunStatus {
  if (published === state.status) return published;
  upsertSearchAttributes([
    { key: RunStatusKey, value: state.status },
    { key: RunOutcomeKey, value: state.final?.outcome ?? null },
  ]);
  return state.status;
}

function compact(state: RunTrackerState): RunTrackerState {
  return { ...state, applied: state.applied.slice(-1) };
}
