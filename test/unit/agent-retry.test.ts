// Which finished runs count as failures and how long runAgent waits before the next attempt.
import { describe, expect, it } from 'vitest';
import type { RunObservation } from '../../providers/twin/vocabulary/run-status.js';
import {
  InvalidRetryPolicyError,
  LEGACY_RUN_AGENT_FAIL_ON,
  backoffMs,
  countsAsFailure,
  mayRetryEnd,
  resolveRetryPolicy,
} from '../../providers/twin/workflows/agent-retry.js';

function ended(status: RunObservation['status'], outcome?: RunObservation['outcome']): RunObservation {
  return {
    runId: 'run_1',
    agentId: 'agent_1',
    status,
    outcome,
    observedAt: '2026-01-01T00:00:00Z',
    source: 'poll',
  };
}

describe('resolveRetryPolicy', () => {
  it('makes one attempt unless told otherwise', () => {
    expect(resolveRetryPolicy()).toMatchObject({ maximumAttempts: 1, failOn: ['fail', 'failed', 'stopped'] });
  });

  it('caps the wait at 100 times the initial interval by default, like Temporal', () => {
    expect(resolveRetryPolicy({ initialInterval: '2 seconds' }).maximumIntervalMs).toBe(200_000);
  });

  it('rejects a policy that allows no attempt at all', () => {
    expect(() => resolveRetryPolicy({ maximumAttempts: 0 })).toThrow(InvalidRetryPolicyError);
  });

  it('rejects a shrinking backoff', () => {
    expect(() => resolveRetryPolicy({ backoffCoefficient: 0.5 })).toThrow(InvalidRetryPolicyError);
  });
});

describe('countsAsFailure', () => {
  const defaults = resolveRetryPolicy().failOn;

  it('counts a completed run with outcome fail and a failed run by default', () => {
    expect(countsAsFailure(ended('completed', 'fail'), defaults)).toBe(true);
    expect(countsAsFailure(ended('failed'), defaults)).toBe(true);
  });

  it('counts a stopped run by default, a partial outcome not', () => {
    expect(countsAsFailure(ended('completed', 'partial'), defaults)).toBe(false);
    expect(countsAsFailure(ended('stopped'), defaults)).toBe(true);
  });

  it('keeps the earlier default for replay, under which a stopped run succeeded', () => {
    expect(countsAsFailure(ended('stopped'), LEGACY_RUN_AGENT_FAIL_ON)).toBe(false);
  });

  it('never reads an unknown outcome as success where any outcome counts as failure', () => {
    expect(countsAsFailure(ended('completed', 'unknown'), defaults)).toBe(true);
    expect(countsAsFailure(ended('completed', 'unknown'), ['partial'])).toBe(true);
    expect(countsAsFailure(ended('completed', 'unknown'), ['unknown'])).toBe(true);
  });

  it('treats a completed run with no outcome at all as unknown, not success', () => {
    expect(countsAsFailure(ended('completed'), defaults)).toBe(true);
  });

  it('lets an unknown outcome pass where only run statuses count as failure', () => {
    expect(countsAsFailure(ended('completed', 'unknown'), ['failed', 'stopped'])).toBe(false);
  });

  it('retries an unknown outcome only where unknown is named', () => {
    expect(mayRetryEnd(ended('completed', 'unknown'), ['fail', 'failed'])).toBe(false);
    expect(mayRetryEnd(ended('completed', 'unknown'), ['unknown'])).toBe(true);
    expect(mayRetryEnd(ended('completed', 'fail'), ['fail'])).toBe(true);
  });

  it('counts exactly what retryOn names', () => {
    expect(countsAsFailure(ended('completed', 'partial'), ['partial'])).toBe(true);
    expect(countsAsFailure(ended('failed'), ['partial'])).toBe(false);
  });
});

describe('backoffMs', () => {
  it('grows by the coefficient per attempt up to the maximum interval', () => {
    const policy = resolveRetryPolicy({
      initialInterval: '1 second',
      backoffCoefficient: 3,
      maximumInterval: '5 seconds',
    });
    expect([1, 2, 3].map((attempt) => backoffMs(policy, attempt))).toEqual([1_000, 3_000, 5_000]);
  });
});
