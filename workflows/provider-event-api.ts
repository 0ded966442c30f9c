// The contract of one provider webhook event (Twin.ai, Twig) on its way to pipeline triggers: its workflow ID and
// type name, what the receiver hands over, and the words a trigger may use. The receiver starts
// `provider-event/<provider>/<event key>` with REJECT_DUPLICATE, so the first delivery of an event starts it and every
// replay, from any receiver, finds it already there: dedupe lives in Temporal. The body (provider-event.ts) asks one
// activity to start the matching pipelines. Pure: the bundle, the receiver, the activity and validation import it.
import { PROVIDERS, type EventProvider } from './providers.js';
import type { ProviderEvents } from './provider-events.js';

export { NESTED_EVENT_FIELD } from './provider-events.js';

/** Workflow type of the body, for clients that start it by name. */
export const PROVIDER_EVENT_WORKFLOW_TYPE = 'providerEventWorkflow';

type EventLists = { [P in EventProvider]: (typeof PROVIDERS)[P]['events'] };

/** Each webhook provider's events (workflows/providers.ts): the words its verifier accepts and triggers name. */
export const PROVIDER_EVENTS = eventProviders((events) => events.types) as {
  [P in EventProvider]: EventLists[P]['types'];
};

/**
 * What `{{event.<field>}}` may read in a provider trigger's input: the verified payload's own top-level fields,
 * plus `provider` and `eventKey`; only `data` (NESTED_EVENT_FIELD) has fields below it.
 */
export const PROVIDER_EVENT_FIELDS = eventProviders((events) => events.fields) as {
  [P in EventProvider]: EventLists[P]['fields'];
};

function eventProviders<T>(pick: (events: ProviderEvents) => T): Record<string, T> {
  return Object.fromEntries(
    Object.entries(PROVIDERS).flatMap(([name, entry]) =>
      'events' in entry ? [[name, pick(entry.events)]] : [],
    ),
  );
}

export type ProviderName = keyof typeof PROVIDER_EVENTS;
export type ProviderEventType<P extends ProviderName = ProviderName> = (typeof PROVIDER_EVENTS)[P][number];
export const PROVIDER_NAMES = Object.keys(PROVIDER_EVENTS) as ProviderName[];

/** What the receiver hands over: only the verified, parsed payload (never a header or a secret). */
export interface ProviderEventInput {
  provider: ProviderName;
  event: ProviderEventType;
  /** The event's own ID where it has one (Twin.ai's escalationId), else `sha256-<hex of the raw body>`. */
  eventKey: string;
  payload: Record<string, unknown>;
}

/** What became of the event: pipeline workflow IDs started now, started by an earlier attempt, or refused input. */
export interface ProviderEventResult {
  started: string[];
  alreadyStarted: string[];
  refused: string[];
}

export type ProviderEventWorkflow = (input: ProviderEventInput) => Promise<ProviderEventResult>;

/** Workflow IDs of provider events start with this. */
export const PROVIDER_EVENT_ID_PREFIX = 'provider-event/';

/** `provider-event/<provider>/<event key>`: the same event always names the same workflow. */
export function providerEventWorkflowId(provider: ProviderName, eventKey: string): string {
  return `${PROVIDER_EVENT_ID_PREFIX}${provider}/${eventKey}`;
}

/** The key of a pipeline a provider event triggered (`pipeline/<name>/trigger-<provider>-<event key>`). */
export function providerTriggerKey(provider: ProviderName, eventKey: string): string {
  return `trigger-${provider}-${eventKey}`;
}

/** Whether `provider` is one whose webhook twinflow receives. */
export function isProviderName(value: unknown): value is ProviderName {
  return typeof value === 'string' && Object.hasOwn(PROVIDER_EVENTS, value);
}

/** Whether `event` is one `provider`'s webhook sends. */
export function isProviderEvent(provider: ProviderName, event: unknown): event is ProviderEventType {
  return (PROVIDER_EVENTS[provider] as readonly unknown[]).includes(event);
}
