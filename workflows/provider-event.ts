// The body of `provider-event/<provider>/<event key>` (contract: provider-event-api.ts). It exists so a webhook
// event has one durable record in Temporal: the receiver's start with REJECT_DUPLICATE makes every replay a
// duplicate, across receivers and restarts, for as long as the namespace keeps closed workflows. Its one job is
// the trigger evaluation, on the internal queue (no platform budget: it only starts workflows). A Twig
// `data_source.synced` also tells the data source's watch, so waiting `twig.sync` steps read their status at once.
import { getExternalWorkflowHandle, patched, proxyActivities } from '@temporalio/workflow';
import type { ProviderTriggerActivities } from '../activities/provider-triggers.js';
import { internalTaskQueue } from './internal-queue.js';
import type { ProviderEventInput, ProviderEventResult } from './provider-event-api.js';
import {
  twigDataSourceSyncedSignal,
  twigDataSourceWatchWorkflowId,
} from '../providers/twig/workflows/data-source-watch-api.js';

/** Provider-event workflows started before synced events nudged waiting syncs replay without the signal. */
const NUDGE_TWIG_SYNC_PATCH = 'twig-synced-nudges-watch';

/** The data source a Twig synced event names, if it names one (A14: the field is optional). */
function syncedDataSource(input: ProviderEventInput): string | undefined {
  if (input.provider !== 'twig' || input.event !== 'data_source.synced') return undefined;
  const id = (input.payload.data as Record<string, unknown> | undefined)?.data_source_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

export async function providerEventWorkflow(input: ProviderEventInput): Promise<ProviderEventResult> {
  const { evaluateProviderTriggers } = proxyActivities<ProviderTriggerActivities>({
    taskQueue: internalTaskQueue(),
    startToCloseTimeout: '30 seconds',
    // Starts are idempotent by key, so retrying is always safe; a run that still fails after this shows as a
    // failed provider-event workflow in the Web UI (where it can be reset) rather than retrying for ever.
    retry: { maximumAttempts: 10 },
  });
  const dataSourceId = syncedDataSource(input);
  if (dataSourceId !== undefined && patched(NUDGE_TWIG_SYNC_PATCH)) {
    // No watch means no step waits for this data source: nothing to tell.
    await getExternalWorkflowHandle(twigDataSourceWatchWorkflowId(dataSourceId))
      .signal(twigDataSourceSyncedSignal)
      .catch(() => undefined);
  }
  return evaluateProviderTriggers(input);
}
