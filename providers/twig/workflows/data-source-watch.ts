// The body of `twig-data-source/<data_source_id>` (contract: data-source-watch-api.ts). It nudges its waiters once
// per synced event and forgets them; a waiter whose step's deadline passed is forgotten too, so the watch ends
// once nobody waits, and a new registration starts it again (signal-with-start).
import {
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  twigDataSourceSyncedSignal,
  twigSyncNudgedSignal,
  watchTwigSyncSignal,
  type TwigDataSourceWatchInput,
  type TwigSyncWaiter,
} from './data-source-watch-api.js';

const key = (w: TwigSyncWaiter) => `${w.workflowId}\n${w.stepId}`;

export async function twigDataSourceWatchWorkflow(input: TwigDataSourceWatchInput): Promise<void> {
  const waiters = new Map(input.waiters.map((w) => [key(w), w]));
  let synced = false;
  setHandler(watchTwigSyncSignal, (waiter) => void waiters.set(key(waiter), waiter));
  setHandler(twigDataSourceSyncedSignal, () => {
    synced = true;
  });
  for (;;) {
    for (const [k, w] of waiters) if (Date.parse(w.until) <= Date.now()) waiters.delete(k);
    if (waiters.size === 0) return;
    if (workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof twigDataSourceWatchWorkflow>({ ...input, waiters: [...waiters.values()] });
    }
    const soonest = Math.min(...[...waiters.values()].map((w) => Date.parse(w.until)));
    if (!(await condition(() => synced, Math.max(1, soonest - Date.now())))) continue;
    synced = false;
    const nudged = [...waiters.values()];
    waiters.clear();
    // A pipeline that ended meanwhile cannot be signalled: it no longer waits, so there is nothing to tell it.
    await Promise.all(
      nudged.map((w) =>
        getExternalWorkflowHandle(w.workflowId)
          .signal(twigSyncNudgedSignal, w.stepId)
          .catch(() => undefined),
      ),
    );
  }
}
