// The contract of runAgent and of the agent-run workflow: options, result, failure types and the workflow's input.
// Callers (pipelines, the control layer, the CLI, tests) import this, never the bodies (providers/twin/workflows/run-agent.ts,
// providers/twin/workflows/agent-run.ts).
import { ApplicationFailure, type Duration } from '@temporalio/common';
import type { StartResolution } from '../activities/start-run.js';
import type { RunEvent } from '../vocabulary/schemas.js';
import type { RunObservation } from '../vocabulary/run-status.js';
import type { AgentRetryPolicy, FailureKind } from './agent-retry.js';

export type { AgentRetryPolicy, FailureKind } from './agent-retry.js';

/** Workflow type of the agent-run workflow, for clients that start it without importing its body. */
export const AGENT_RUN_WORKFLOW_TYPE = 'agentRunWorkflow';

/** The agent-run workflow's signature, so a client typed by name gets its input and result checked. */
export type AgentRunWorkflow = (input: AgentRunWorkflowInput) => Promise<AgentRunResult>;

/** What `onRunStarted` hears as soon as an attempt's run ID is known. */
export interface RunStartedInfo {
  agentId: string;
  runId: string;
  stepKey: string;
  attempt: number;
  startedAt: string;
  adopted: boolean;
  resolution?: StartResolution;
}

/** One attempt's run as it ended: kept for every attempt, so why earlier ones failed is not lost. */
export interface AttemptRecord {
  runId: string;
  status: 'completed' | 'failed' | 'stopped';
  outcome?: RunObservation['outcome'];
  /** Why the run failed or stopped, as its events say. */
  reason?: string;
  /** How the start found this run (providers/twin/activities/start-run.ts). */
  resolution?: StartResolution;
}

/** How runAgent runs one agent: message, deadline, retries, which answer to read. */
export interface RunAgentOptions {
  runMode?: 'build' | 'run';
  userMessage?: string;
  skipDeployCheck?: boolean;
  /** Readable label for activity summaries and the start marker; default the agent ID. */
  stepKey?: string;
  /** Deadline for the whole step, lane waits and retries included; on expiry the Twin run is cancelled. */
  timeout?: Duration;
  retry?: AgentRetryPolicy;
  /**
   * Which ends count as failure (and are retried while `retry` allows); default `DEFAULT_FAIL_ON` (providers/twin/workflows/agent-retry.ts): a failed or
   * stopped run, or outcome `fail`. Naming `fail` or `partial` makes an unknown outcome a failure too, retried only
   * if `unknown` is named.
   */
  failOn?: FailureKind[];
  /** Tracker silence before it polls Twin; default the worker's RUN_RECONCILE_AFTER_SECONDS. */
  reconcileAfter?: Duration;
  /** Fetch the last run's events (at most 1,000) once it has ended. */
  includeEvents?: boolean;
  /** Event kinds that carry the agent's answer; default DEFAULT_OUTPUT_EVENT_KINDS (providers/twin/client/run-output.ts). */
  outputFrom?: string[];
  /** Permits of the agent's lane this step may share; default the worker's AGENT_CONCURRENCY_DEFAULT. */
  concurrency?: number;
  /** Start-to-close timeout of each Twin API call; default 30 s. */
  callTimeout?: Duration;
  /** Called (deterministically, inside the workflow) as soon as each attempt's run ID is known. */
  onRunStarted?: (info: RunStartedInfo) => void;
}

/** How the step ended: its last run, every attempt, and whether it counts as succeeded. */
export interface AgentRunResult {
  agentId: string;
  /** The last attempt's run. */
  runId: string;
  status: 'completed' | 'failed' | 'stopped';
  outcome?: RunObservation['outcome'];
  /** Only where Twin serves one (seed 000 lists it; 001 does not). */
  summary?: string;
  /** The agent's final answer, read from the run's events; absent when no event carried one. */
  output?: string;
  /** `output` parsed, when it is a JSON object or array. */
  json?: unknown;
  /** `output` was cut at MAX_OUTPUT_CHARS. */
  outputTruncated?: boolean;
  /** Why the last run failed or stopped, as its events say. */
  reason?: string;
  startedAt: string;
  finishedAt?: string;
  /** False when the last run still counts as a failure under `failOn`: the caller decides what that means. */
  succeeded: boolean;
  attempts: number;
  /** Every attempt's run, in order. */
  runIds: string[];
  /** Every attempt that reached an end, in order (a cancelled last attempt is not here). */
  runs: AttemptRecord[];
  events?: RunEvent[];
  eventsTruncated?: boolean;
}

/** ApplicationFailure type thrown when `timeout` expires; details[0] is an {@link AgentRunTimeoutDetails}. */
export const AGENT_RUN_TIMED_OUT = 'AgentRunTimedOut';

/** What a timed-out step knew when its deadline passed. */
export interface AgentRunTimeoutDetails {
  agentId: string;
  stepKey: string;
  runIds: string[];
  /** How the run that was cancelled ended, if its tracker reported it in time. */
  lastObservation?: RunObservation;
}

/** ApplicationFailure type for options no attempt could succeed with: the calling workflow fails at once. */
export const INVALID_RUN_AGENT_OPTIONS = 'InvalidRunAgentOptions';

/** Whether a failure is a runAgent deadline ({@link AGENT_RUN_TIMED_OUT}). */
export function isAgentRunTimeout(error: unknown): error is ApplicationFailure {
  return error instanceof ApplicationFailure && error.type === AGENT_RUN_TIMED_OUT;
}

/** What the agent-run workflow is started with. */
export interface AgentRunWorkflowInput {
  agentId: string;
  options?: Omit<RunAgentOptions, 'onRunStarted'>;
}
