// Trigger evaluation for a signed Twin.ai or Twig webhook event: its provider-event workflow asks here, once per
// event, which pipelines the event starts, and starts them the same way a Twin run's end does (triggers.ts): under
// a key derived from the event key, with REJECT_DUPLICATE, so however often the event is delivered, or this
// activity retried, a given pipeline starts at most once. Bad trigger input is logged and skipped.
import type { TriggeredPipeline } from '../services/pipelines/registry.js';
import type { ProviderTrigger } from '../workflows/pipeline-definition.js';
import {
  providerTriggerKey,
  type ProviderEventInput,
  type ProviderEventResult,
} from '../workflows/provider-event-api.js';
import { mappedTriggerInput, startTriggeredPipelines, type TriggerActivityDeps } from './triggers.js';

/** What a provider trigger's mapping reads as `event`, and what the pipeline gets as `input.trigger`. */
export function providerEventFields({
  provider,
  eventKey,
  payload,
}: ProviderEventInput): Record<string, unknown> {
  // provider and eventKey last: a payload field of the same name cannot pass for them.
  return { ...payload, provider, eventKey };
}

function matches(trigger: { provider?: unknown; event?: unknown }, input: ProviderEventInput): boolean {
  return trigger.provider === input.provider && trigger.event === input.event;
}

/** Each declared pipeline with a trigger this event fires, with its first matching trigger. */
function pipelinesTriggeredBy(deps: TriggerActivityDeps, input: ProviderEventInput): TriggeredPipeline[] {
  return deps.registry.list().flatMap((pipeline) => {
    if (pipeline.kind === 'code') return [];
    const trigger = pipeline.definition.triggers?.find((t) => matches(t, input));
    return trigger ? [{ pipeline, trigger }] : [];
  });
}

/** Without deps (a worker that serves no pipelines), nothing is triggered. */
export function createProviderTriggerActivities(deps?: TriggerActivityDeps) {
  return {
    async evaluateProviderTriggers(input: ProviderEventInput): Promise<ProviderEventResult> {
      if (!deps) return { started: [], alreadyStarted: [], refused: [] };
      const event = providerEventFields(input);
      return startTriggeredPipelines(
        deps,
        pipelinesTriggeredBy(deps, input),
        providerTriggerKey(input.provider, input.eventKey),
        (match) => mappedTriggerInput((match.trigger as ProviderTrigger).input, event),
        { provider: input.provider, event: input.event, eventKey: input.eventKey },
      );
    },
  };
}

export type ProviderTriggerActivities = ReturnType<typeof createProviderTriggerActivities>;
