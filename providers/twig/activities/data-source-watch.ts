// Registers a waiting `twig.sync` step with its data source's watch (providers/twig/workflows/data-source-watch.ts).
// Signal-with-start, so the first waiter starts the watch and later ones join it; it runs on the internal queue, since
// it calls Temporal, not Twig.
import type { Client } from '@temporalio/client';
import {
  TWIG_DATA_SOURCE_WATCH_WORKFLOW_TYPE,
  twigDataSourceWatchWorkflowId,
  watchTwigSyncSignal,
  type TwigDataSourceWatchWorkflow,
  type TwigWatchActivities,
} from '../workflows/data-source-watch-api.js';

export function createTwigWatchActivities(deps: { temporal: Client }): TwigWatchActivities {
  return {
    async watchTwigDataSource({ dataSourceId, waiter, taskQueue }) {
      await deps.temporal.workflow.signalWithStart<TwigDataSourceWatchWorkflow, [typeof waiter]>(
        TWIG_DATA_SOURCE_WATCH_WORKFLOW_TYPE,
        {
          workflowId: twigDataSourceWatchWorkflowId(dataSourceId),
          taskQueue,
          args: [{ dataSourceId, waiters: [] }],
          signal: watchTwigSyncSignal,
          signalArgs: [waiter],
        },
      );
    },
  };
}
