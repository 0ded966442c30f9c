// The body of `provider-event/<provider>/<event key>` (contract: provider-event-api.ts). It exists so a webhook
// event has one durable record in Temporal: the receiver's start with REJECT_DUPLICATE makes every replay a
// duplicate, across receivers and restarts, for as long as the namespace keeps closed workflows. Its one job is
// the trigger evaluation, on the internal queue (no platform budget: it only starts workflows), after whatever
// the provider itself does with the event (its events' `onEvent`, workflows/providers.ts: Twig's synced event
// nudges the `twig.sync` steps waiting on that data source).
import { proxyActivities } from '@temporalio/workflow';
import type { ProviderTriggerActivities } from '../activities/provider-triggers.js';
import { internalTaskQueue } from './internal-queue.js';
import type { ProviderEventInput, ProviderEventResult } from './provider-event-api.js';
import { PROVIDERS } from './providers.js';
import type { ProviderEvents } from './provider-events.js';

export async function providerEventWorkflow(input: ProviderEventInput): Promise<ProviderEventResult> {
  const { evaluateProviderTriggers } = proxyActivities<ProviderTriggerActivities>({
    taskQueue: internalTaskQueue(),
    startToCloseTimeout: '30 seconds',
    // Starts are idempotent by key, so retrying is always safe; a run that still fails after this shows as a
    // failed provider-event workflow in the Web UI (where it can be reset) rather than retrying for ever.
    retry: { maximumAttempts: 10 },
  });
  const events: ProviderEvents = PROVIDERS[input.provider].events;
  await events.onEvent?.(input.event, input.payload);
  return evaluateProviderTriggers(input);
}
