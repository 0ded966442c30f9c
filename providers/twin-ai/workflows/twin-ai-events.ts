// Twin.ai's webhook events for pipeline triggers (workflows/provider-events.ts). The seed shows one event,
// "whenever shouldEscalate is true"; its body is flat, so a trigger reads `{{event.<field>}}` directly.
export const TWIN_AI_EVENTS = {
  types: ['escalation.created'],
  fields: [
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
} as const;
