// What a running step is doing lives in its activity's heartbeat, never in workflow history (that keeps long
// steps' histories bounded): a session step's latest events, a twig.sync step's progress. Status readers merge
// it here: the workflow's state says which step runs, the pending activity's last heartbeat how far it got.
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { SessionProgress } from '../../providers/managed-agents/workflows/managed-session-api.js';
import type { PipelineState } from '../../workflows/pipeline-api.js';
import type { StepState } from '../../workflows/pipeline-definition.js';
import type { TwigSyncProgress } from '../../providers/twig/workflows/twig-api.js';

type Pending = NonNullable<WorkflowExecutionDescription['raw']['pendingActivities']>[number];

function detailsOf<T>(activity: Pending): Partial<T> | undefined {
  const [payload] = activity.heartbeatDetails?.payloads ?? [];
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload<Partial<T>>(payload as never) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Per activity type: which running step a heartbeat belongs to, and what it adds to that step's state. */
const MERGES: Record<string, (step: StepState, activity: Pending) => StepState | undefined> = {
  followManagedSession(step, activity) {
    const live = detailsOf<SessionProgress>(activity);
    if (!live?.sessionId || live.sessionId !== step.sessionId) return undefined;
    return { ...step, latestEvents: live.latest, eventCount: live.eventCount, sessionStatus: live.status };
  },
  awaitTwigSync(step, activity) {
    const live = detailsOf<TwigSyncProgress>(activity);
    if (!live?.stepId || live.stepId !== step.id) return undefined;
    return { ...step, syncProgress: { status: live.status, percent: live.progress_pct } };
  },
};

/** `state` with each running step's progress from its pending activity's last heartbeat. */
export function withActivityProgress(
  state: PipelineState | undefined,
  description: Pick<WorkflowExecutionDescription, 'raw'>,
): PipelineState | undefined {
  if (!state) return state;
  const pending = (description.raw.pendingActivities ?? []).filter((a) => MERGES[a.activityType?.name ?? '']);
  if (pending.length === 0) return state;
  const steps = state.steps.map((step) => {
    if (step.status !== 'running') return step;
    for (const activity of pending) {
      const merged = MERGES[activity.activityType?.name ?? '']?.(step, activity);
      if (merged) return merged;
    }
    return step;
  });
  return { ...state, steps };
}
