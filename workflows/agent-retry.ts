// When a finished Twin run counts as a failure and how long to wait before starting the next one. A Twin run is
// an expensive agent session, not an idempotent call, so the default is a single attempt; callers opt in to
// retries per step. Pure code: runAgent uses it in the sandbox and unit tests call it directly.
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { RunObservation } from '../services/twin-api/run-status.js';

/** Outcomes of a completed run (`fail`, `partial`) and terminal statuses (`failed`, `stopped`). */
export const FAILURE_KINDS = ['fail', 'partial', 'failed', 'stopped'] as const;
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
  /** Which results count as failure (and are retried); default `['fail', 'failed']`. */
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

/** A completed run without an outcome counts as success: Twin only sends an outcome when it has one. */
export function countsAsFailure(observation: RunObservation, retryOn: readonly FailureKind[]): boolean {
  const kind: string | undefined =
    observation.status === 'completed' ? observation.outcome : observation.status;
  return kind !== undefined && (retryOn as readonly string[]).includes(kind);
}

/** Wait after the `attempt`-th run (1-based) before the next one. */
export function backoffMs(policy: ResolvedRetryPolicy, attempt: number): number {
  const grown = policy.initialIntervalMs * policy.backoffCoefficient ** (attempt - 1);
  return Math.min(grown, policy.maximumIntervalMs);
}
