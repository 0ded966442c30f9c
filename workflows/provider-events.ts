// What a provider declares about its webhook events, for pipeline triggers: the event words its webhook sends and
// the top-level payload fields a trigger's input may read (`{{event.<field>}}`). Declared in the provider's
// workflows/ folder and registered with its step kinds (workflows/providers.ts), so its verifier, the trigger
// checks and the bundle share one list.
export interface ProviderEvents {
  types: readonly string[];
  /** Always includes `provider` and `eventKey`, which the receiver adds. */
  fields: readonly string[];
  /**
   * What the provider does with a verified event beyond starting pipelines, inside the event's provider-event
   * workflow before triggers are evaluated: deterministic workflow code, guarded by `patched()` when it changes.
   */
  onEvent?(event: string, payload: Record<string, unknown>): Promise<void>;
}

/** The one field whose own fields a trigger may read (`{{event.data.chunks_indexed}}`). */
export const NESTED_EVENT_FIELD = 'data';
