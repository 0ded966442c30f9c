// When a finished Twin run counts as a failure and how long to wait before starting the next one. A Twin run is
// an expensive agent session, not an idempotent call, so the default is a single attempt; callers opt in to
// retries per step. Pure code: runAgent uses it in the sandbox and unit tests call it directly.
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { RunObservation } from '../services/twin-api/run-status.js';

/**
 * Outcomes of a completed run (`fail`, `partial`, and `unknown` when twinflow could not learn it) and terminal
 * statuses (`failed`, `stopped`).
 */
export const FAILURE_KINDS = ['fail', 'partial', 'unknown', 'failed', 'stopped'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface AgentRetryPolicy {
  /** Runs started at most, the first included; default 1 (no retry). */
  maximumAttempts?: number;
  /** Wait before the second run; default 1 s. */
  initialInterval?: Duration;
  /** Growth of the wait per attempt; default 2. */
  backoffCoefficient?: number;
  /** Cap on the wait; default 100 × initialInterval, as Temporal's own retry policy. */
  maximumInterval?: Duration;
  /**
   * Which results count as failure (and are retried); default `['fail', 'failed']`. An `unknown` outcome counts as
   * failure when any outcome is named, but is retried only when `unknown` itself is named.
   */
  retryOn?: FailureKind[];
}

export interface ResolvedRetryPolicy {
  maximumAttempts: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  retryOn: readonly FailureKind[];
}

export const DEFAULT_RETRY_ON: readonly FailureKind[] = ['fail', 'failed'];

export class InvalidRetryPolicyError extends Error {
  override name = 'InvalidRetryPolicyError';
}

export function resolveRetryPolicy(policy: AgentRetryPolicy = {}): ResolvedRetryPolicy {
  const initialIntervalMs = msToNumber(policy.initialInterval ?? '1 second');
  const resolved: ResolvedRetryPolicy = {
    maximumAttempts: policy.maximumAttempts ?? 1,
    initialIntervalMs,
    backoffCoefficient: policy.backoffCoefficient ?? 2,
    maximumIntervalMs: msToNumber(policy.maximumInterval ?? initialIntervalMs * 100),
    retryOn: policy.retryOn ?? DEFAULT_RETRY_ON,
  };
  if (!Number.isInteger(resolved.maximumAttempts) || resolved.maximumAttempts < 1) {
    throw new InvalidRetryPolicyError(
      `maximumAttempts must be an integer >= 1, got ${resolved.maximumAttempts}`,
    );
  }
  if (resolved.backoffCoefficient < 1) {
    throw new InvalidRetryPolicyError(`backoffCoefficient must be >= 1, got ${resolved.backoffCoefficient}`);
  }
  return resolved;
}

/** How a terminal run ended: its outcome when completed (`unknown` when none was learned), else its status. */
export function endKind(observation: RunObservation): FailureKind | 'success' {
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
export function mayRetryEnd(observation: RunObservation, retryOn: readonly FailureKind[]): boolean {
  return endKind(observation) !== 'unknown' || retryOn.includes('unknown');
}

/** Wait after the `attempt`-th run (1-based) before the next one. */
export function backoffMs(policy: ResolvedRetryPolicy, attempt: number): number {
  const grown = policy.initialIntervalMs * policy.backoffCoefficient ** (attempt - 1);
  return Math.min(grown, policy.maximumIntervalMs);
}
