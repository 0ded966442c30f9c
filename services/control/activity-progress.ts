// What a running step is doing lives in its activity's heartbeat, never in workflow history (that keeps long
// steps' histories bounded): a session step's latest events, a twig.sync step's progress. Status readers merge
// it here with each provider's own rule: the workflow's state says which step runs, the pending activity's last heartbeat how far it got.
import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { PipelineState } from '../../workflows/pipeline-api.js';
import type { StepState } from '../../workflows/pipeline-definition.js';
import { PROVIDER_RUNTIMES } from '../../providers/registry.js';

type Pending = NonNullable<WorkflowExecutionDescription['raw']['pendingActivities']>[number];

function heartbeatOf(activity: Pending): unknown {
  const [payload] = activity.heartbeatDetails?.payloads ?? [];
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload<unknown>(payload as never) ?? undefined;
  } catch {
    return undefined;
  }
}

type Merge = (step: StepState, heartbeat: unknown) => StepState | undefined;

/** Per activity type, from every provider (providers/<name>/provider.ts `progress`). */
const MERGES = new Map<string, Merge>(
  Object.values(PROVIDER_RUNTIMES).flatMap((provider) =>
    'progress' in provider ? Object.entries<Merge>(provider.progress) : [],
  ),
);

/** `state` with each running step's progress from its pending activity's last heartbeat. */
export function withActivityProgress(
  state: PipelineState | undefined,
  description: Pick<WorkflowExecutionDescription, 'raw'>,
): PipelineState | undefined {
  if (!state) return state;
  const pending = (description.raw.pendingActivities ?? []).filter((a) =>
    MERGES.has(a.activityType?.name ?? ''),
  );
  if (pending.length === 0) return state;
  const steps = state.steps.map((step) => {
    if (step.status !== 'running') return step;
    for (const activity of pending) {
      const merged = MERGES.get(activity.activityType?.name ?? '')?.(step, heartbeatOf(activity));
      if (merged) return merged;
    }
    return step;
  });
  return { ...state, steps };
}
