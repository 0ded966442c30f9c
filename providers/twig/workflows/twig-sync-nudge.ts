// A `twig.sync` wait that a `data_source.synced` webhook can hurry (data-source-watch-api.ts). The step registers
// with its data source's watch, then waits in the polling activity; a nudge cancels that wait and starts it again,
// handing on what it saw, so its first status read is at once. A nudge never ends the step: only Twig's status does.
// The webhook's side (`onTwigEvent`) runs in the event's provider-event workflow and tells the watch.
import {
  ActivityCancellationType,
  getExternalWorkflowHandle,
  patched,
  ActivityFailure,
  CancellationScope,
  CancelledFailure,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { internalTaskQueue } from '../../../workflows/internal-queue.js';
import type { AwaitTwigSyncInput, TwigSyncProgress, TwigSyncResult } from './twig-api.js';
import {
  twigDataSourceSyncedSignal,
  twigDataSourceWatchWorkflowId,
  twigSyncNudgedSignal,
  type TwigWatchActivities,
} from './data-source-watch-api.js';

/** The nudge of each waiting step of this pipeline: one signal handler serves every parallel sync. */
const nudges = new Map<string, () => void>();

function listen(stepId: string): Promise<void> {
  setHandler(twigSyncNudgedSignal, (id) => nudges.get(id)?.());
  return new Promise((resolve) => nudges.set(stepId, resolve));
}

export async function awaitNudgeable(
  input: AwaitTwigSyncInput & { stepId: string },
  deadline: number,
  wait: (input: AwaitTwigSyncInput) => Promise<TwigSyncResult>,
): Promise<TwigSyncResult> {
  const { watchTwigDataSource } = proxyActivities<TwigWatchActivities>({
    taskQueue: internalTaskQueue(),
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: Math.max(1, deadline - Date.now()),
  });
  const { workflowId, taskQueue } = workflowInfo();
  const waiter = { workflowId, stepId: input.stepId, until: new Date(deadline).toISOString() };
  let progress: TwigSyncProgress | undefined;
  try {
    for (;;) {
      // Again after each nudge: the watch forgets whom it nudged, and an early event must not use up the fast path.
      await watchTwigDataSource({ dataSourceId: input.dataSourceId, waiter, taskQueue });
      const nudged = listen(input.stepId);
      const scope = new CancellationScope();
      const waiting = scope.run(() => wait({ ...input, progress }));
      const first = await Promise.race([waiting, nudged.then(() => undefined)]);
      if (first) return first;
      scope.cancel();
      // A wait that ended before the cancel reached it ended on Twig's own status: that is the step's result.
      const settled = await waiting.then(
        (result) => ({ result }),
        (error: unknown) => {
          if (error instanceof ActivityFailure && error.cause instanceof CancelledFailure) {
            return { progress: (error.cause.details[0] as TwigSyncProgress | undefined) ?? progress };
          }
          throw error;
        },
      );
      if ('result' in settled) return settled.result;
      progress = settled.progress;
    }
  } finally {
    nudges.delete(input.stepId);
  }
}

/** The wait activity's options when it can be nudged: a cancelled wait reports what it saw before the next starts. */
export const NUDGEABLE_WAIT = { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };

/** Provider-event workflows started before synced events nudged waiting syncs replay without the signal. */
const NUDGE_TWIG_SYNC_PATCH = 'twig-synced-nudges-watch';

/**
 * Twig's part of a verified webhook event, run by its provider-event workflow: a `data_source.synced` naming its
 * data source (A14: the field is optional) tells that data source's watch, which nudges the steps waiting on it.
 */
export async function onTwigEvent(event: string, payload: Record<string, unknown>): Promise<void> {
  if (event !== 'data_source.synced') return;
  const id = (payload.data as Record<string, unknown> | undefined)?.data_source_id;
  if (typeof id !== 'string' || id === '' || !patched(NUDGE_TWIG_SYNC_PATCH)) return;
  // No watch means no step waits for this data source: nothing to tell.
  await getExternalWorkflowHandle(twigDataSourceWatchWorkflowId(id))
    .signal(twigDataSourceSyncedSignal)
    .catch(() => undefined);
}
