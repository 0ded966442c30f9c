// The tracker's forward-only merge: duplicates, reordering and late events never move a run backwards.
import { describe, expect, it } from 'vitest';
import { applyObservation, freshTrackerState } from '../../providers/twin/workflows/run-tracker-state.js';
import { type RunTrackerState } from '../../providers/twin/workflows/run-tracker-api.js';
import type { RunObservation, RunStatus } from '../../providers/twin/vocabulary/run-status.js';

function freshState(): RunTrackerState {
  return freshTrackerState('run_1', 'agent_1');
}

function observed(status: RunStatus, at: string, extra: Partial<RunObservation> = {}): RunObservation {
  return { runId: 'run_1', agentId: 'agent_1', status, observedAt: at, source: 'webhook', ...extra };
}

describe('applyObservation', () => {
  it('records the first started event', () => {
    const state = freshState();
    expect(applyObservation(state, observed('in_progress', '2026-01-01T00:00:00Z'))).toBe(true);
    expect(state.applied).toHaveLength(1);
  });

  it('drops an exact duplicate', () => {
    const state = freshState();
    applyObservation(state, observed('in_progress', '2026-01-01T00:00:00Z'));
    expect(applyObservation(state, observed('in_progress', '2026-01-01T00:00:00Z'))).toBe(false);
  });

  it('becomes terminal on completed, even before started was seen', () => {
    const state = freshState();
    applyObservation(state, observed('completed', '2026-01-01T00:01:00Z', { outcome: 'success' }));
    expect(state.final?.outcome).toBe('success');
    expect(applyObservation(state, observed('in_progress', '2026-01-01T00:00:00Z'))).toBe(false);
    expect(state.status).toBe('completed');
  });

  it('ignores paused after completed', () => {
    const state = freshState();
    applyObservation(state, observed('completed', '2026-01-01T00:01:00Z', { outcome: 'fail' }));
    expect(applyObservation(state, observed('paused', '2026-01-01T00:02:00Z'))).toBe(false);
  });

  it('takes the outcome of a late run.completed webhook when a poll ended the run without one', () => {
    const state = freshState();
    applyObservation(state, observed('completed', '2026-01-01T00:01:00Z', { source: 'poll' }));
    expect(applyObservation(state, observed('completed', '2026-01-01T00:01:05Z', { outcome: 'fail' }))).toBe(
      true,
    );
    expect(state.final?.outcome).toBe('fail');
  });

  it('never replaces an outcome it already has', () => {
    const state = freshState();
    applyObservation(state, observed('completed', '2026-01-01T00:01:00Z', { outcome: 'success' }));
    expect(applyObservation(state, observed('completed', '2026-01-01T00:01:05Z', { outcome: 'fail' }))).toBe(
      false,
    );
    expect(state.final?.outcome).toBe('success');
  });

  it('keeps the first terminal observation when a second, different one arrives', () => {
    const state = freshState();
    applyObservation(state, observed('stopped', '2026-01-01T00:01:00Z'));
    expect(
      applyObservation(state, observed('completed', '2026-01-01T00:02:00Z', { outcome: 'success' })),
    ).toBe(false);
    expect(state.final?.status).toBe('stopped');
  });

  it('lets pause and resume alternate in timestamp order', () => {
    const state = freshState();
    applyObservation(state, observed('in_progress', '2026-01-01T00:00:00Z'));
    expect(applyObservation(state, observed('paused', '2026-01-01T00:01:00Z'))).toBe(true);
    expect(applyObservation(state, observed('in_progress', '2026-01-01T00:02:00Z'))).toBe(true);
    expect(state.status).toBe('in_progress');
  });

  it('ignores a stale started event that arrives after a newer pause', () => {
    const state = freshState();
    applyObservation(state, observed('paused', '2026-01-01T00:01:00Z'));
    expect(applyObservation(state, observed('in_progress', '2026-01-01T00:00:00Z'))).toBe(false);
    expect(state.status).toBe('paused');
  });
});
