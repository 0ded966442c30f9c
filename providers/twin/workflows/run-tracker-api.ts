// The run tracker's contract: its workflow ID, input and state, and the signals and query that reach it. The
// receiver, the activities and the control layer import this, never the workflow body (providers/twin/workflows/run-tracker.ts),
// so none of them pulls workflow code in; only the worker's bundle entry names the body.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RunObservation, RunStatus } from '../vocabulary/run-status.js';
import type { RunOutput } from '../vocabulary/run-output.js';

/** Workflow type of the run tracker, for clients that start it without importing its body. */
export const RUN_TRACKER_WORKFLOW_TYPE = 'runTrackerWorkflow';

/** The run tracker's signature, so a client typed by name gets its input and result checked. */
export type RunTrackerWorkflow = (input: RunTrackerInput) => Promise<RunTrackerState>;

/** Workflow IDs of run trackers start with this: `twin-run/<run_id>`. */
export const RUN_TRACKER_ID_PREFIX = 'twin-run/';
/** The one tracker of a Twin run. */
export function runTrackerWorkflowId(runId: string): string {
  return `${RUN_TRACKER_ID_PREFIX}${runId}`;
}

/**
 * Marks a subscription that claims no run: it quarantines runs a step could not tell from its own
 * (providers/twin/activities/start-run.ts). No step may adopt such a run, since it may be another's, and none can prove it is not.
 */
export const DISOWNED_TOKEN_PREFIX = 'disowned:';

/** Task queue that only reconciliation polls use, so polling can never starve starts and cancels. */
export const POLL_TASK_QUEUE_SUFFIX = '-twin-poll';

/** A workflow waiting for a run's end, as it subscribed at the run's tracker. */
export interface RunSubscription {
  /** Workflow to signal with `runSettledSignal` once the run is terminal. */
  workflowId: string;
  /** Handed back so the subscriber knows which of its waits settled. */
  token: string;
  /**
   * The token also names a permit the subscriber holds in the agent's lane for this run. The tracker gives it
   * back as it reports the end, so the subscriber's next request does not wait for a release of its own.
   */
  holdsPermit?: boolean;
  /** Event kinds that carry the agent's answer (a step's `outputFrom`); the first subscriber's choice is read. */
  outputFrom?: string[];
  /** The step the run serves, for the tracker's page in the Web UI. */
  stepKey?: string;
  /**
   * The subscriber can go on before the run's output is read: the tracker then settles it as soon as the end is
   * known (with {@link RunSettled.outputFollows}) and sends what it reads in {@link runOutputSignal}. A pipeline
   * step that no later step reads asks for this, so reading the output is off the path to the next step.
   */
  takesOutputLater?: boolean;
}

/** What a tracker is started with. */
export interface RunTrackerInput {
  runId: string;
  agentId: string;
  /** Silence after which the tracker polls Twin; default 60 s. */
  reconcileAfterMs?: number;
  /** How long a terminal tracker stays open to absorb late duplicates; default 10 min. */
  graceMs?: number;
  /** Carried over continue-as-new. */
  carried?: RunTrackerState;
}

/** Everything the tracker knows of its run; its query answer and its result. */
export interface RunTrackerState {
  runId: string;
  agentId: string;
  status: RunStatus;
  /** The observation that made the run terminal, if it is. */
  final?: RunObservation;
  /** Distinct observations applied, in order; duplicates and backward moves are counted, not stored. */
  applied: RunObservation[];
  ignored: number;
  subscribers: RunSubscription[];
  notified: string[];
  polls: number;
  triggersEvaluated: boolean;
  /** What the run produced, read from its events once it ended. */
  output?: RunOutput;
  /** Subscribers (`workflowId#token`) told of the end before the output was read, who are owed `runOutput`. */
  settledEarly?: string[];
}

/** News of the run from a webhook, a poll or a start. */
export const observeRunSignal = defineSignal<[RunObservation]>('observeRun');

/** A subscription, with what the subscriber already knows of the run. */
export interface SubscribeRun extends RunSubscription {
  /** What the subscriber already read of the run, applied as an `observeRun` would be: one signal, not two. */
  observation?: RunObservation;
}

/** Subscribes a workflow to the run's end; a repeated subscription (same workflow and token) is kept once. */
export const subscribeRunSignal = defineSignal<[SubscribeRun]>('subscribeRun');
/** The tracker's state as it stands. */
export const runTrackerStateQuery = defineQuery<RunTrackerState>('runTrackerState');

/** What a subscriber hears once the run is terminal. */
export interface RunSettled {
  token: string;
  observation: RunObservation;
  /** The tracker has sent the release of the subscriber's permit (see {@link RunSubscription.holdsPermit}). */
  permitReleased?: boolean;
  output?: RunOutput;
  /** The output (and the summary, where Twin serves one) is still being read and comes in `runOutputSignal`. */
  outputFollows?: boolean;
}

/** Sent by the tracker to each subscriber, once, when the run is terminal. */
export const runSettledSignal = defineSignal<[RunSettled]>('runSettled');

/** What was read of a run after its end, for a subscriber settled with `outputFollows`. */
export interface RunOutputDelivery {
  token: string;
  /** Absent when nothing could be read: a missing output is reported as missing, never made up. */
  output?: RunOutput;
  summary?: string;
}

/** Sent once to each subscriber settled with `outputFollows`, after the tracker read the run's result. */
export const runOutputSignal = defineSignal<[RunOutputDelivery]>('runOutput');
