// The contract of one provider webhook event (Twin.ai, Twig) on its way to pipeline triggers: its workflow ID and
// type name, what the receiver hands over, and the words a trigger may use. The receiver starts
// `provider-event/<provider>/<event key>` with REJECT_DUPLICATE, so the first delivery of an event starts it and every
// replay, from any receiver, finds it already there: dedupe lives in Temporal. The body (provider-event.ts) asks one
// activity to start the matching pipelines. Pure: the bundle, the receiver, the activity and validation import it.

/** Workflow type of the body, for clients that start it by name. */
export const PROVIDER_EVENT_WORKFLOW_TYPE = 'providerEventWorkflow';

/**
 * The events each provider's webhook sends, as its verifier knows them (providers/<name>/webhook.ts; a unit test
 * holds the two lists together, since the bundle must not import the verifiers and their node:crypto).
 */
export const PROVIDER_EVENTS = {
  'twin-ai': ['escalation.created'],
  twig: ['interaction.completed', 'data_source.synced', 'agent.updated', 'eval.completed'],
} as const;
export type ProviderName = keyof typeof PROVIDER_EVENTS;
export type ProviderEventType<P extends ProviderName = ProviderName> = (typeof PROVIDER_EVENTS)[P][number];
export const PROVIDER_NAMES = Object.keys(PROVIDER_EVENTS) as ProviderName[];

/**
 * What `{{event.<field>}}` may read in a provider trigger's input: the verified payload's own top-level fields
 * (Twin.ai's body is flat; Twig's is `{event, timestamp, data}`, so `{{event.data.<field>}}`), plus `provider`
 * and `eventKey`. Only Twig's `data` has fields below it.
 */
export const PROVIDER_EVENT_FIELDS = {
  'twin-ai': [
    'provider',
    'eventKey',
    'event',
    'escalationId',
    'question',
    'askedBy',
    'confidence',
    'reason',
    'timestamp',
  ],
  twig: ['provider', 'eventKey', 'event', 'timestamp', 'data'],
} as const satisfies Record<ProviderName, readonly string[]>;
/** The one field whose own fields a trigger may read (`{{event.data.chunks_indexed}}`). */
export const NESTED_EVENT_FIELD = 'data';

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
