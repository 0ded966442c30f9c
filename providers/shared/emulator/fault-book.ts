// Scripted emulator misbehaviour is counted, not random, so a test says exactly what happens ("the next 2 asks
// answer 503"). How a queue of such rules is consumed is the same for every emulator: in order, each by the first
// request it matches, a request meeting at most one. What a rule does (statuses, hang-ups, delays) is each
// platform's and lives in its emulator's faults.ts and gate.ts.
import { z } from 'zod';

/** Webhook faults: drop the next `drop` deliveries, then duplicate the next `duplicate`. */
export const webhookFaultSchema = z.strictObject({
  drop: z.number().int().min(0).default(0),
  duplicate: z.number().int().min(0).default(0),
});

export type WebhookFaults = z.output<typeof webhookFaultSchema>;

/** The control API's fault body: `{api: [rule, …], webhooks: {drop, duplicate}}`, with `rule` the platform's. */
export function faultsSchemaOf<R extends z.ZodType>(rule: R) {
  return z.strictObject({
    api: z.array(rule).default([]),
    webhooks: webhookFaultSchema.prefault({}),
  });
}

/** The fields every API fault rule has; `endpoint` absent matches any endpoint. */
export interface CountedRule<E extends string> {
  endpoint?: E | undefined;
  /** Requests this rule still hits. */
  times: number;
}

/**
 * A queue of counted API rules and the webhook counters, replaced as a whole and consumed one request at a time.
 * `E` is the platform's endpoint names, `R` its parsed rule, `I` the control API's input for {@link configure}.
 */
export class FaultQueue<E extends string, R extends CountedRule<E>, I> {
  private api: R[] = [];
  private webhooks: WebhookFaults = { drop: 0, duplicate: 0 };

  /** @param schema - the platform's {@link faultsSchemaOf} schema */
  constructor(private readonly schema: z.ZodType<{ api: R[]; webhooks: WebhookFaults }, I>) {}

  /** Replaces every rule; throws the ZodError when `input` is not valid. */
  configure(input: I): void {
    const parsed = this.schema.parse(input);
    this.api = parsed.api;
    this.webhooks = parsed.webhooks;
  }

  /** The rule this request consumes, if any: a copy, so later consumption does not change what the caller holds. */
  take(endpoint: E): R | undefined {
    const index = this.api.findIndex((rule) => rule.endpoint === undefined || rule.endpoint === endpoint);
    const rule = this.api[index];
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times === 0) this.api.splice(index, 1);
    return { ...rule };
  }

  /** What happens to the next webhook delivery: drops are used up before duplicates. */
  webhookPlan(): { drop: boolean; duplicate: boolean } {
    if (this.webhooks.drop > 0) {
      this.webhooks.drop -= 1;
      return { drop: true, duplicate: false };
    }
    if (this.webhooks.duplicate > 0) {
      this.webhooks.duplicate -= 1;
      return { drop: false, duplicate: true };
    }
    return { drop: false, duplicate: false };
  }

  /** The rules not yet consumed, as copies. */
  pending(): { api: R[]; webhooks: WebhookFaults } {
    return { api: this.api.map((rule) => ({ ...rule })), webhooks: { ...this.webhooks } };
  }
}
