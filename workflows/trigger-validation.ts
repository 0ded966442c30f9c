// The checks of a trigger's input mapping, shared by Twin run triggers (step-validation.ts) and provider webhook
// triggers, and the whole check of a provider trigger. A mapping may read only the event: a trigger runs before
// any step, so `{{steps.*}}` or `{{input.*}}` there could never have a value. Pure, like the rest of validation.
import type { ProviderTrigger } from './pipeline-definition.js';
import {
  isProviderEvent,
  isProviderName,
  NESTED_EVENT_FIELD,
  PROVIDER_EVENT_FIELDS,
  PROVIDER_EVENTS,
  PROVIDER_NAMES,
} from './provider-event-api.js';
import { templateReferences, TemplateSyntaxError } from './templates.js';

/**
 * Reports each template of `input` that does not parse, or reads a path `readable` refuses; `reads` says what a
 * trigger's input may read, e.g. `event.<runId|agentId>`.
 */
export function checkTriggerInput(
  input: Readonly<Record<string, string>> | undefined,
  readable: (path: readonly string[]) => boolean,
  reads: string,
  problem: (message: string) => void,
): void {
  for (const [key, value] of Object.entries(input ?? {})) {
    try {
      for (const path of templateReferences(value)) {
        if (!readable(path)) problem(`input.${key}: "{{${path.join('.')}}}" — trigger input reads ${reads}`);
      }
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      problem(`input.${key}: ${error.message}`);
    }
  }
}

/** Every problem of a provider trigger: a provider and an event its webhook sends, and a mapping over the payload. */
export function checkProviderTrigger(trigger: ProviderTrigger, problem: (message: string) => void): void {
  const { provider, event } = trigger as { provider: unknown; event: unknown };
  if (!isProviderName(provider)) {
    problem(`provider "${String(provider)}" is not one of ${PROVIDER_NAMES.join(', ')}`);
    return;
  }
  if (!isProviderEvent(provider, event)) {
    problem(`event "${String(event)}" is not one of ${provider}'s: ${PROVIDER_EVENTS[provider].join(', ')}`);
  }
  const fields: readonly string[] = PROVIDER_EVENT_FIELDS[provider];
  // Only Twig's `data` has fields below it; which ones depends on the event and Twig may add more (A14).
  const readable = ([root, field, ...rest]: readonly string[]) =>
    root === 'event' &&
    field !== undefined &&
    fields.includes(field) &&
    (rest.length === 0 || (field === NESTED_EVENT_FIELD && rest.length === 1));
  const nested = fields.includes(NESTED_EVENT_FIELD) ? ` (and event.${NESTED_EVENT_FIELD}.<field>)` : '';
  checkTriggerInput(trigger.input, readable, `event.<${fields.join('|')}>${nested}`, problem);
}
