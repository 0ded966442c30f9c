// The run tracker's state and its forward-only merge, apart from the workflow body so unit tests and the body
// share one definition. Pure: no workflow APIs, no I/O.
import { isOutcome, isTerminal, type RunObservation } from '../vocabulary/run-status.js';
import type { RunTrackerState } from './run-tracker-api.js';

/**
 * Forward-only merge. Pause and resume may alternate, ordered by their signed timestamps, but nothing
 * leaves a terminal state, and an observation of the state we are already in is a duplicate.
 */
export function applyObservation(state: RunTrackerState, observation: RunObservation): boolean {
  if (state.final) return fillInOutcome(state.final, observation);
  const last = state.applied.at(-1);
  if (!isTerminal(observation.status) && last) {
    if (
      last.status === observation.status ||
      Date.parse(observation.observedAt) < Date.parse(last.observedAt)
    ) {
      return false;
    }
  }
  state.status = observation.status;
  state.applied.push(observation);
  if (isTerminal(observation.status)) state.final = observation;
  return true;
}

/** A late run.completed webhook may still tell the outcome a poll could not; nothing else changes a final state. */
function fillInOutcome(final: RunObservation, observation: RunObservation): boolean {
  if (final.status !== 'completed' || final.outcome !== undefined) return false;
  if (observation.status !== 'completed' || !isOutcome(observation.outcome)) return false;
  final.outcome = observation.outcome;
  return true;
}

export function freshTrackerState(runId: string, agentId: string): RunTrackerState {
  return {
    runId,
    agentId,
    status: 'in_progress',
    applied: [],
    ignored: 0,
    subscribers: [],
    notified: [],
    polls: 0,
    triggersEvaluated: false,
  };
}
