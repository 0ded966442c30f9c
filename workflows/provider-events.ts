// What a provider declares about its webhook events, for pipeline triggers: the event words its webhook sends and
// the top-level payload fields a trigger's input may read (`{{event.<field>}}`). Declared in the provider's
// workflows/ folder and registered with its step kinds (workflows/providers.ts), so its verifier, the trigger
// checks and the bundle share one list.
export interface ProviderEvents {
  types: readonly string[];
  /** Always includes `provider` and `eventKey`, which the receiver adds. */
  fields: readonly string[];
}

/** The one field whose own fields a trigger may read (`{{event.data.chunks_indexed}}`). */
export const NESTED_EVENT_FIELD = 'data';
