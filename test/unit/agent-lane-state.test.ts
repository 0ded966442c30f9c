// The lane's bookkeeping: strict FIFO grants under a limit, idempotent requests and releases, and when the
// next holder liveness check is due.
import { describe, expect, it } from 'vitest';
import {
  emptyLaneState,
  enqueuePermitRequest,
  nextHolderCheckIn,
  releaseLanePermit,
  takeNextGrant,
} from '../../providers/twin/workflows/agent-lane-state.js';
import { type PermitRequest } from '../../providers/twin/workflows/agent-lane-api.js';

function request(token: string, limit?: number): PermitRequest {
  return { workflowId: `wf-${token}`, runId: `run-${token}`, token, limit };
}

describe('agent lane state', () => {
  it('grants in arrival order up to the limit', () => {
    const state = emptyLaneState();
    ['a', 'b', 'c'].forEach((t) => enqueuePermitRequest(state, request(t)));
    expect(takeNextGrant(state, 2, 0, 1_000)?.token).toBe('a');
    expect(takeNextGrant(state, 2, 0, 1_000)?.token).toBe('b');
    expect(takeNextGrant(state, 2, 0, 1_000)).toBeUndefined();
    expect(state.waiting.map((p) => p.token)).toEqual(['c']);
  });

  it("honours the head request's own limit", () => {
    const state = emptyLaneState();
    enqueuePermitRequest(state, request('a'));
    enqueuePermitRequest(state, request('b', 2));
    takeNextGrant(state, 1, 0, 1_000);
    expect(takeNextGrant(state, 1, 0, 1_000)?.token).toBe('b');
  });

  it('never lets a later request overtake a head that must wait', () => {
    const state = emptyLaneState();
    enqueuePermitRequest(state, request('a', 3));
    enqueuePermitRequest(state, request('b', 1));
    enqueuePermitRequest(state, request('c', 3));
    takeNextGrant(state, 1, 0, 1_000);
    expect(takeNextGrant(state, 1, 0, 1_000)).toBeUndefined();
    expect(state.waiting.map((p) => p.token)).toEqual(['b', 'c']);
  });

  it('queues a repeated request only once', () => {
    const state = emptyLaneState();
    expect(enqueuePermitRequest(state, request('a'))).toBe(true);
    expect(enqueuePermitRequest(state, request('a'))).toBe(false);
    takeNextGrant(state, 1, 0, 1_000);
    expect(enqueuePermitRequest(state, request('a'))).toBe(false);
  });

  it('releases a held permit or withdraws a waiting request, once', () => {
    const state = emptyLaneState();
    enqueuePermitRequest(state, request('a'));
    enqueuePermitRequest(state, request('b'));
    takeNextGrant(state, 1, 0, 1_000);
    expect(releaseLanePermit(state, 'a')).toBe(true);
    expect(releaseLanePermit(state, 'b')).toBe(true);
    expect(releaseLanePermit(state, 'a')).toBe(false);
    expect(state).toMatchObject({ held: [], waiting: [] });
  });

  it('schedules the next liveness check for the earliest held permit', () => {
    const state = emptyLaneState();
    expect(nextHolderCheckIn(state, 0)).toBeUndefined();
    enqueuePermitRequest(state, request('a', 2));
    enqueuePermitRequest(state, request('b', 2));
    takeNextGrant(state, 1, 100, 1_000);
    takeNextGrant(state, 1, 400, 1_000);
    expect(nextHolderCheckIn(state, 600)).toBe(500);
    expect(nextHolderCheckIn(state, 2_000)).toBe(0);
  });
});
