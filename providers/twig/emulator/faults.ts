// Scripted misbehaviour, counted rather than random so a test says exactly what happens: "the next 2 queries
// answer 503", "the next sync answers 429 with a reset 2 s ahead", "the next status poll is answered 1.5 s late".
// Rules are consumed in order, each by the first request it matches, and a request meets at most one. A slow rule
// performs the request and only delays its answer (an ambiguous timeout for the caller). Webhook faults drop or
// duplicate the next deliveries. Faults apply to the public API only; the control API stays reliable.
import { z } from 'zod';
import { TWIG_ENDPOINTS, type TwigEndpointName } from '../endpoints.js';

const endpointNames = Object.keys(TWIG_ENDPOINTS) as [TwigEndpointName, ...TwigEndpointName[]];

export const apiFaultSchema = z.strictObject({
  /** Answer this status instead of performing the request; absent means "perform it, answer late". */
  status: z.union([z.literal(429), z.literal(500), z.literal(503)]).optional(),
  /** How many matching requests this rule hits. */
  times: z.number().int().min(1).max(10_000).default(1),
  /** Only requests to this endpoint (by its client method name); default any. */
  endpoint: z.enum(endpointNames).optional(),
  /** 429 only: X-RateLimit-Reset is this many seconds after the current whole second. */
  resetInSeconds: z.number().int().min(0).max(3600).default(1),
  /** Delay before the answer (with a status: before the error; without: after performing the request). */
  delayMs: z.number().int().min(0).max(600_000).default(0),
});

export const webhookFaultSchema = z.strictObject({
  drop: z.number().int().min(0).default(0),
  duplicate: z.number().int().min(0).default(0),
});

export const faultsSchema = z.strictObject({
  api: z.array(apiFaultSchema).default([]),
  webhooks: webhookFaultSchema.prefault({}),
});

export type ApiFault = z.output<typeof apiFaultSchema>;
export type FaultsInput = z.input<typeof faultsSchema>;

export class FaultBook {
  private api: ApiFault[] = [];
  private webhooks = { drop: 0, duplicate: 0 };

  /** Replaces every rule. */
  configure(input: FaultsInput): void {
    const parsed = faultsSchema.parse(input);
    this.api = parsed.api;
    this.webhooks = parsed.webhooks;
  }

  /** The rule this request consumes, if any. */
  take(endpoint: TwigEndpointName): ApiFault | undefined {
    const index = this.api.findIndex((rule) => rule.endpoint === undefined || rule.endpoint === endpoint);
    const rule = this.api[index];
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times === 0) this.api.splice(index, 1);
    return rule;
  }

  /** What happens to the next webhook delivery. */
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

  describe(): { api: ApiFault[]; webhooks: { drop: number; duplicate: number } } {
    return { api: this.api.map((rule) => ({ ...rule })), webhooks: { ...this.webhooks } };
  }
}
