// Scripted misbehaviour, counted rather than random so a test says exactly what happens: "the next ask answers 503
// after being performed", "the next list answers 429 with Retry-After: 2", "the next create hangs up once stored".
// Rules are consumed in order, each by the first request it matches, and a request meets at most one. `when` says
// whether Twin acts first: `before` answers without performing the request (a clean refusal), `after` performs it
// and then loses the answer — the case the client must report unconfirmed. Webhook faults drop or duplicate the
// next deliveries. Faults apply to the public API only.
import { z } from 'zod';
import { FaultQueue, faultsSchemaOf, webhookFaultSchema } from '../../shared/emulator/fault-book.js';
import { TWIN_AI_ENDPOINTS, type TwinAiEndpointName } from '../endpoints.js';

const endpointNames = Object.keys(TWIN_AI_ENDPOINTS) as [TwinAiEndpointName, ...TwinAiEndpointName[]];

export const apiFaultSchema = z
  .strictObject({
    /** Only requests to this endpoint (by its client method name); default any. */
    endpoint: z.enum(endpointNames).optional(),
    /** How many matching requests this rule hits. */
    times: z.number().int().min(1).max(10_000).default(1),
    /** Answer this status instead of the real answer. */
    status: z
      .union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)])
      .optional(),
    /** 429 only: the Retry-After seconds; null sends the 429 without the header. */
    retryAfterSeconds: z.number().int().min(0).max(3600).nullable().default(1),
    /** Close the connection instead of answering. */
    hangUp: z.boolean().default(false),
    /** Whether Twin performs the request before the fault strikes. */
    when: z.enum(['before', 'after']).default('before'),
    /** Delay before the fault (or, for a rule with neither status nor hangUp, before the real answer). */
    delayMs: z.number().int().min(0).max(600_000).default(0),
  })
  .refine(
    (rule) => !(rule.status !== undefined && rule.hangUp),
    'a rule answers a status or hangs up, not both',
  );

export { webhookFaultSchema };

export const faultsSchema = faultsSchemaOf(apiFaultSchema);
export type ApiFault = z.output<typeof apiFaultSchema>;
export type FaultsInput = z.input<typeof faultsSchema>;

/** The emulator's fault rules: this platform's rules, consumed the shared way. */
export const createFaultBook = () => new FaultQueue<TwinAiEndpointName, ApiFault, FaultsInput>(faultsSchema);
export type FaultBook = ReturnType<typeof createFaultBook>;
