// Scripted misbehaviour, counted rather than random so a test says exactly what happens: "the next 2 queries
// answer 503", "the next sync answers 429 with a reset 2 s ahead", "the next status poll is answered 1.5 s late".
// Rules are consumed in order, each by the first request it matches, and a request meets at most one. A slow rule
// performs the request and only delays its answer (an ambiguous timeout for the caller). Webhook faults drop or
// duplicate the next deliveries. Faults apply to the public API only; the control API stays reliable.
import { z } from 'zod';
import { FaultQueue, faultsSchemaOf, webhookFaultSchema } from '../../shared/emulator/fault-book.js';
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

export { webhookFaultSchema };

export const faultsSchema = faultsSchemaOf(apiFaultSchema);
export type ApiFault = z.output<typeof apiFaultSchema>;
export type FaultsInput = z.input<typeof faultsSchema>;

/** The emulator's fault rules: this platform's rules, consumed the shared way. */
export const createFaultBook = () => new FaultQueue<TwigEndpointName, ApiFault, FaultsInput>(faultsSchema);
export type FaultBook = ReturnType<typeof createFaultBook>;
