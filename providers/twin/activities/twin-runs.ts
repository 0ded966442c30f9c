// The activities behind runAgent: starting, cancelling and reading Twin runs, and telling their trackers (the lane
// activities are in providers/twin/activities/lanes.ts). Built by a factory at worker start, so the Twin client (and its API key)
// lives only here; workflows pass IDs and words, never secrets.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { log } from '@temporalio/activity';
import type { TwinClient } from '../client/client.js';
import type { Run, RunEvent } from '../vocabulary/schemas.js';
import { isTerminal, observationOfRunRecord, type RunObservation } from '../vocabulary/run-status.js';
import {
  observeRunSignal,
  RUN_TRACKER_WORKFLOW_TYPE,
  runSettledSignal,
  runTrackerWorkflowId,
  subscribeRunSignal,
  type RunSubscription,
  type RunTrackerWorkflow,
  type SubscribeRun,
} from '../workflows/run-tracker-api.js';
import { createPollActivities } from './poll-run.js';
import { readRunEvents } from './run-output.js';
import { runMarker } from './run-marker.js';
import { UNWEBHOOKED_RECONCILE_MS, type WebhookCoverage } from './webhook-coverage.js';
import { confirmAdoption, startRunOnce, type StartResolution } from './start-run.js';
import { callTwin } from './twin-failure.js';

export interface TwinRunActivityDeps {
  twin: TwinClient;
  temporal: Client;
  /** Task queue of the trackers this process starts: the worker's main queue. */
  taskQueue: string;
  /** Tracker silence before it polls Twin, for steps that do not set `reconcileAfter`. */
  reconcileAfterMs: number;
  /** Which agents have webhooks; without it every agent is assumed to have one. */
  webhooks?: WebhookCoverage;
}

export interface StartTwinRunInput {
  agentId: string;
  runMode?: 'build' | 'run';
  userMessage?: string;
  skipDeployCheck?: boolean;
  /** The waiting workflow; its token is unique per runAgent attempt. */
  subscriber: RunSubscription;
  stepKey: string;
  attempt: number;
  reconcileAfterMs?: number;
}

export interface StartedTwinRun {
  runId: string;
  agentId: string;
  startedAt: string;
  /** True when a retried start found the run an earlier, ambiguous attempt had created. */
  adopted: boolean;
  /** How the run was found (providers/twin/activities/start-run.ts); absent in histories recorded before it existed. */
  resolution?: StartResolution;
}

export interface CancelTwinRunInput {
  agentId: string;
  runId: string;
  reason?: string;
}

export interface FetchRunEventsInput {
  agentId: string;
  runId: string;
  maxEvents?: number;
}

export interface FetchedRunEvents {
  events: RunEvent[];
  /** More events exist than `maxEvents`; the first ones are returned. */
  truncated: boolean;
}

const DEFAULT_MAX_EVENTS = 1_000;

export function createTwinRunActivities(deps: TwinRunActivityDeps) {
  const { pollRun } = createPollActivities(deps);

  return {
    /**
     * Starts one Twin run and subscribes the caller to its tracker. Safe to retry: a retry never posts again
     * unless it has proof that no earlier post created a run (providers/twin/activities/start-run.ts).
     */
    async startTwinRun(input: StartTwinRunInput): Promise<StartedTwinRun> {
      const { subscriber } = input;
      const marker = runMarker({
        workflowId: subscriber.workflowId,
        stepKey: input.stepKey,
        attempt: input.attempt,
        token: subscriber.token,
      });
      const request = {
        agentId: input.agentId,
        runMode: input.runMode,
        userMessage: input.userMessage,
        skipDeployCheck: input.skipDeployCheck,
        stepKey: input.stepKey,
        workflowId: subscriber.workflowId,
        token: subscriber.token,
        marker,
      };
      // The webhook lookup (cached per agent) runs beside the start, not after it, on the step's critical path.
      const [{ run, resolution }, covered = true] = await Promise.all([
        startRunOnce(deps, request),
        deps.webhooks?.covers(input.agentId),
      ]);
      await subscribeToTracker(deps, run, {
        ...input,
        reconcileAfterMs:
          input.reconcileAfterMs ??
          (covered ? deps.reconcileAfterMs : Math.min(deps.reconcileAfterMs, UNWEBHOOKED_RECONCILE_MS)),
      });
      if (resolution === 'adopted') await confirmAdoption(deps, request, run);
      return {
        runId: run.run_id,
        agentId: run.agent_id,
        startedAt: run.started_at,
        adopted: resolution === 'marker' || resolution === 'adopted',
        resolution,
      };
    },

    /**
     * Idempotent, as Twin's cancel. If Twin already reports the run ended, the tracker hears it now rather than
     * after its silence window, so the cancelled caller is not kept waiting.
     */
    async cancelTwinRun({ agentId, runId, reason }: CancelTwinRunInput): Promise<RunObservation | null> {
      await callTwin(() => deps.twin.cancelRun(agentId, runId, reason));
      const observation = await pollRun({ agentId, runId });
      if (observation && isTerminal(observation.status)) await tellTracker(deps.temporal, observation);
      return observation;
    },

    async fetchRunEvents({
      agentId,
      runId,
      maxEvents = DEFAULT_MAX_EVENTS,
    }: FetchRunEventsInput): Promise<FetchedRunEvents> {
      return readRunEvents(deps.twin, agentId, runId, maxEvents);
    },
  };
}

export type TwinRunActivities = ReturnType<typeof createTwinRunActivities>;

/**
 * Signal-with-start, so it does not matter whether a webhook created the tracker first. The subscription
 * carries what the start read of the run, stamped with Twin's own `started_at`, so it can never look newer than
 * a later webhook (a pause).
 */
async function subscribeToTracker(
  deps: TwinRunActivityDeps,
  run: Run,
  input: StartTwinRunInput,
): Promise<void> {
  const observation = observationOfRunRecord(run, run.finished_at ?? run.started_at, 'start');
  // The run exists: an unknown status word must not fail the start, or the retry would look for it again.
  if (!observation)
    log.warn('Twin answered an undocumented run status on start', { runId: run.run_id, status: run.status });
  try {
    await deps.temporal.workflow.signalWithStart<RunTrackerWorkflow, [SubscribeRun]>(
      RUN_TRACKER_WORKFLOW_TYPE,
      {
        workflowId: runTrackerWorkflowId(run.run_id),
        taskQueue: deps.taskQueue,
        args: [
          {
            runId: run.run_id,
            agentId: run.agent_id,
            reconcileAfterMs: input.reconcileAfterMs ?? deps.reconcileAfterMs,
          },
        ],
        signal: subscribeRunSignal,
        signalArgs: [{ ...input.subscriber, ...(observation && { observation }) }],
        // A fresh tracker for a long-settled run would poll it again and evaluate its triggers a second time.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      },
    );
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    await answerFromClosedTracker(deps.temporal, run.run_id, input.subscriber);
  }
}

/** The tracker closed after its grace period (an adopted run can be that old): its record still holds the end. */
async function answerFromClosedTracker(
  temporal: Client,
  runId: string,
  subscriber: RunSubscription,
): Promise<void> {
  const state = await temporal.workflow.getHandle<RunTrackerWorkflow>(runTrackerWorkflowId(runId)).result();
  if (!state.final) throw new Error(`the tracker of ${runId} closed without a final observation`);
  await temporal.workflow.getHandle(subscriber.workflowId).signal(runSettledSignal, {
    token: subscriber.token,
    observation: state.final,
    ...(state.output && { output: state.output }),
  });
}

/** A tracker that has already closed needs no news: it saw the run end before its grace period ran out. */
async function tellTracker(temporal: Client, observation: RunObservation): Promise<void> {
  try {
    await temporal.workflow
      .getHandle(runTrackerWorkflowId(observation.runId))
      .signal(observeRunSignal, observation);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}
