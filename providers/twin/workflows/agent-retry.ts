// Which ends of a Twin run count as failure (`failOn`, one name for runAgent and pipeline steps) and how long to
// wait before starting the next run (one RetryPolicy, one validator). A Twin run is an expensive agent session,
// not an idempotent call, so the default is a single attempt; callers opt in to retries per step. Pure code: runAgent uses it in the sandbox and unit tests call it directly.
import type { Duration } from '@temporalio/common';
import { durationMs, durationProblem } from '../../../workflows/duration.js';
import type { RunObservation } from '../vocabulary/run-status.js';

/**
 * The ends a `failOn` list may name: outcomes of a completed run (`fail`, `partial`, and `unknown` when twinflow
 * could not learn it) and terminal statuses (`failed`, `stopped`).
 */
export const FAILURE_KINDS = ['fail', 'partial', 'unknown', 'failed', 'stopped'] as const;
/** One end a `failOn` list may name. */
export type FailureKind = (typeof FAILURE_KINDS)[number];

/**
 * Which ends count as failure when the caller does not say: a run that failed or was stopped, and a completed run
 * whose outcome is `fail`. A stopped run is a failure unless the caller names the ends it accepts (`failOn`).
 */
export const DEFAULT_FAIL_ON: readonly FailureKind[] = ['fail', 'failed', 'stopped'];

/**
 * A pipeline step's default: {@link DEFAULT_FAIL_ON} without outcomes. In a pipeline, `fail` and `partial` are data
 * that conditions branch on (`when: { step, outcome: 'fail' }`), so only the run's status fails the step.
 */
export const DEFAULT_STEP_FAIL_ON: readonly FailureKind[] = ['failed', 'stopped'];

/** runAgent's default before stopped runs counted as failure: agent-run histories recorded then replay with it. */
export const LEGACY_RUN_AGENT_FAIL_ON: readonly FailureKind[] = ['fail', 'failed'];

/** How often, and how far apart, another run is started for a step whose run counts as failure. */
export interface RetryPolicy {
  /** Runs started at most, the first included; default 1 (no retry), 5 calls for a pipeline's admin steps. */
  maximumAttempts?: number;
  /** Wait before the second run; default 1 s. */
  initialInterval?: Duration;
  /** Growth of the wait per attempt; default 2. */
  backoffCoefficient?: number;
  /** Cap on the wait; default 100 × initialInterval, as Temporal's own retry policy. */
  maximumInterval?: Duration;
}

/** runAgent's `retry`: a {@link RetryPolicy}, plus the name `failOn` had before it moved out of the policy. */
export interface AgentRetryPolicy extends RetryPolicy {
  /** @deprecated Use runAgent's `failOn`; still read when `failOn` is absent, so recorded histories replay. */
  retryOn?: FailureKind[];
}

/** A policy with every default filled in and durations in milliseconds. */
export interface ResolvedRetryPolicy {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  failOn: readonly FailureKind[];
}

/** A policy runAgent cannot run with; its message lists {@link retryPolicyProblems}. */
export class InvalidRetryPolicyError extends Error {
  override name = 'InvalidRetryPolicyError';
}

/** Every problem of a retry policy, each naming its field (`retry.maximumAttempts`); empty when it is valid. */
export function retryPolicyProblems(policy: RetryPolicy): string[] {
  const problems: string[] = [];
  const { maximumAttempts, backoffCoefficient } = policy;
  if (maximumAttempts !== undefined && !(Number.isInteger(maximumAttempts) && maximumAttempts >= 1)) {
    problems.push('retry.maximumAttempts must be an integer of at least 1');
  }
  if (backoffCoefficient !== undefined && !(backoffCoefficient >= 1)) {
    problems.push('retry.backoffCoefficient must be at least 1');
  }
  for (const field of ['initialInterval', 'maximumInterval'] as const) {
    const problem = durationProblem(`retry.${field}`, policy[field]);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Fills in the defaults; throws InvalidRetryPolicyError for a policy {@link retryPolicyProblems} refuses. */
export function resolveRetryPolicy(
  policy: RetryPolicy = {},
  failOn: readonly FailureKind[] = DEFAULT_FAIL_ON,
): ResolvedRetryPolicy {
  const problems = retryPolicyProblems(policy);
  if (problems.length > 0) throw new InvalidRetryPolicyError(problems.join('; '));
  const initialIntervalMs = durationMs(policy.initialInterval ?? '1 second');
  return {
    maximumAttempts: policy.maximumAttempts ?? 1,
    initialIntervalMs,
    backoffCoefficient: policy.backoffCoefficient ?? 2,
    maximumIntervalMs: durationMs(policy.maximumInterval ?? initialIntervalMs * 100),
    failOn,
  };
}

/** How a terminal run ended: its outcome when completed (`unknown` when none was learned), else its status. */
function endKind(observation: RunObservation): FailureKind | 'success' {
  if (observation.status === 'completed') return observation.outcome ?? 'unknown';
  if (observation.status === 'failed' || observation.status === 'stopped') return observation.status;
  throw new Error(`run ${observation.runId} has not ended (status ${observation.status})`);
}

/**
 * Whether an end counts as failure under `failOn`. An unknown outcome is never read as a success the policy would
 * reject: it counts as failure wherever `failOn` names `unknown` or any outcome (`fail`, `partial`).
 */
export function countsAsFailure(observation: RunObservation, failOn: readonly FailureKind[]): boolean {
  const kind = endKind(observation);
  if (kind === 'success') return false;
  if (kind === 'unknown')
    return ['unknown', 'fail', 'partial'].some((k) => failOn.includes(k as FailureKind));
  return failOn.includes(kind);
}

/** A run whose outcome is unknown may have succeeded and acted: another run is started only where asked by name. */
export function mayRetryEnd(observation: RunObservation, failOn: readonly FailureKind[]): boolean {
  return endKind(observation) !== 'unknown' || failOn.includes('unknown');
}

/** Wait after the `attempt`-th run (1-based) before the next one. */
export function backoffMs(policy: ResolvedRetryPolicy, attempt: number): number {
  const grown = policy.initialIntervalMs * policy.backoffCoefficient ** (attempt - 1);
  return Math.min(grown, policy.maximumIntervalMs);
}
