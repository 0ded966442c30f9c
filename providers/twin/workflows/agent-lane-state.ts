// An agent lane's queue and holders, and the FIFO rules over them, apart from the workflow body so unit tests and
// the body share one definition. Pure: no workflow APIs, no I/O.
import type { HeldPermit, LaneState, PermitRequest } from './agent-lane-api.js';

/** A lane that has granted nothing yet. */
export function emptyLaneState(): LaneState {
  return { waiting: [], held: [], granted: 0, reclaimed: 0 };
}

/** Queues a request; a repeated token (a retried signal-with-start) is not queued twice. */
export function enqueuePermitRequest(state: LaneState, request: PermitRequest): boolean {
  const known = [...state.waiting, ...state.held].some((p) => p.token === request.token);
  if (known) return false;
  state.waiting.push(request);
  return true;
}

/** Frees a held permit or withdraws a waiting request; false if the token is unknown (already released). */
export function releaseLanePermit(state: LaneState, token: string): boolean {
  const before = state.waiting.length + state.held.length;
  state.waiting = state.waiting.filter((p) => p.token !== token);
  state.held = state.held.filter((p) => p.token !== token);
  return state.waiting.length + state.held.length !== before;
}

/** Strict FIFO: only the head of the queue may be granted, so a small-limit request is never starved. */
export function takeNextGrant(
  state: LaneState,
  defaultLimit: number,
  now: number,
  checkIntervalMs: number,
): HeldPermit | undefined {
  const head = state.waiting[0];
  if (!head || state.held.length >= (head.limit ?? defaultLimit)) return undefined;
  state.waiting.shift();
  const permit: HeldPermit = { ...head, grantedAt: now, checkAt: now + checkIntervalMs };
  state.held.push(permit);
  state.granted++;
  return permit;
}

/** Milliseconds until the next holder is due for a liveness check; undefined when nothing is held. */
export function nextHolderCheckIn(state: LaneState, now: number): number | undefined {
  if (state.held.length === 0) return undefined;
  return Math.max(0, Math.min(...state.held.map((p) => p.checkAt)) - now);
}
