// A running session step's events live in its follow activity's heartbeat, never in workflow history (that keeps
// long sessions' histories bounded). Status readers merge them here: the workflow's state says which session a
// step follows, the pending activity's last heartbeat says how far it got.
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { SessionProgress } from '../../workflows/managed-session-api.js';
import type { PipelineState } from '../../workflows/pipeline-api.js';

const FOLLOW_ACTIVITY = 'followManagedSession';

function progressOf(activity: { heartbeatDetails?: { payloads?: unknown[] | null } | null }) {
  const [payload] = activity.heartbeatDetails?.payloads ?? [];
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload<SessionProgress>(payload as never);
  } catch {
    return undefined;
  }
}

/** `state` with each running session step's latest events, event count and status from its heartbeat. */
export function withSessionProgress(
  state: PipelineState | undefined,
  description: Pick<WorkflowExecutionDescription, 'raw'>,
): PipelineState | undefined {
  if (!state) return state;
  const pending = description.raw.pendingActivities ?? [];
  const progress = pending
    .filter((a) => a.activityType?.name === FOLLOW_ACTIVITY)
    .map(progressOf)
    .filter((p): p is SessionProgress => typeof p?.sessionId === 'string');
  if (progress.length === 0) return state;
  const steps = state.steps.map((step) => {
    const live = step.status === 'running' && progress.find((p) => p.sessionId === step.sessionId);
    if (!live) return step;
    return { ...step, latestEvents: live.latest, eventCount: live.eventCount, sessionStatus: live.status };
  });
  return { ...state, steps };
}
