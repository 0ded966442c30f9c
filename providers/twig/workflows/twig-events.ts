// Twig's webhook events for pipeline triggers (workflows/provider-events.ts): the four the seed lists. A body is
// `{event, timestamp, data}`, so a trigger reads `{{event.data.<field>}}`.
export const TWIG_EVENTS = {
  types: ['interaction.completed', 'data_source.synced', 'agent.updated', 'eval.completed'],
  fields: ['provider', 'eventKey', 'event', 'timestamp', 'data'],
} as const;
