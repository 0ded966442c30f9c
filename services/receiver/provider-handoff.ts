// Hands a verified Twin.ai or Twig event to Temporal: a start of `provider-event/<provider>/<event key>` with
// REJECT_DUPLICATE. The first delivery of an event starts it; any later one, from any receiver, while it runs or
// after it closed, gets WorkflowExecutionAlreadyStartedError and is a duplicate. So dedupe lives in Temporal, not
// in a receiver's memory. No signal-with-start: a provider event has nothing to merge, only to happen once.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  PROVIDER_EVENT_WORKFLOW_TYPE,
  providerEventWorkflowId,
  type ProviderEventInput,
  type ProviderEventWorkflow,
} from '../../workflows/provider-event-api.js';
import type { HandoffOutcome } from './handoff.js';

export interface ProviderEventHandoff {
  /** Rejects when the outcome is unknown (the caller answers 503); stops trying when `signal` aborts. */
  deliver(event: ProviderEventInput, signal: AbortSignal): Promise<HandoffOutcome>;
}

export interface TemporalProviderHandoffOptions {
  client: Client;
  /** Where provider-event workflows run: the worker's TEMPORAL_TASK_QUEUE. */
  taskQueue: string;
}

export function createTemporalProviderHandoff({
  client,
  taskQueue,
}: TemporalProviderHandoffOptions): ProviderEventHandoff {
  return {
    async deliver(event, signal) {
      try {
        await client.connection.withAbortSignal(signal, () =>
          client.workflow.start<ProviderEventWorkflow>(PROVIDER_EVENT_WORKFLOW_TYPE, {
            workflowId: providerEventWorkflowId(event.provider, event.eventKey),
            taskQueue,
            args: [event],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            staticSummary: `${event.provider} ${event.event} (${event.eventKey})`,
          }),
        );
        return 'delivered';
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return 'duplicate';
        throw error;
      }
    },
  };
}
