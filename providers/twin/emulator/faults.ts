// Scripted misbehaviour, so the client, receiver and workflows can be tested against the failures a real Twin
// produces. Every decision comes from a seeded PRNG: the same seed and the same sequence of requests give the
// same faults, so a failing test repeats.
import type { Middleware } from 'koa';
import { z } from 'zod';
import { ApiError } from './problem.js';
import type { ProfileRules } from './profile.js';

/** mulberry32: tiny, fast, and good enough to spread faults evenly; not for anything secret. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rate = z.number().min(0).max(1).default(0);
const ms = z.number().int().min(0).max(600_000);
const regexSource = z
  .string()
  .max(500)
  .refine((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid regular expression');

export const webhookFaultsSchema = z.strictObject({
  dropRate: rate,
  duplicateRate: rate,
  delayMs: z
    .tuple([ms, ms])
    .refine(([min, max]) => min <= max, 'delayMs must be [min, max] with min <= max')
    .default([0, 0]),
  /** Hold deliveries for reorderWindowMs, then send them in shuffled order. */
  reorder: z.boolean().default(false),
  reorderWindowMs: ms.default(100),
});

export const apiFaultsSchema = z.strictObject({
  rate429: rate,
  retryAfterMs: ms.default(1000),
  rate500: rate,
  /** A slow request is still performed; only its answer is late (an ambiguous timeout for the caller). */
  slowRate: rate,
  slowMs: ms.default(0),
  /** The request is performed, then the connection is destroyed without an answer (ECONNRESET for the caller). */
  resetRate: rate,
  /** Restricts the faults to matching requests, e.g. { method: 'POST', path: '/runs$' }. */
  match: z
    .strictObject({ method: z.string().toUpperCase().optional(), path: regexSource.optional() })
    .optional(),
});

export const faultsInputSchema = z.strictObject({
  seed: z.number().int().optional(),
  webhooks: webhookFaultsSchema.optional(),
  api: apiFaultsSchema.optional(),
});

export type WebhookFaults = z.infer<typeof webhookFaultsSchema>;
export type ApiFaults = z.infer<typeof apiFaultsSchema>;
export type FaultsInput = z.infer<typeof faultsInputSchema>;

export interface WebhookFaultPlan {
  drop: boolean;
  duplicate: boolean;
  delayMs: number;
}

const sleep = (delay: number) => new Promise<void>((resolve) => setTimeout(resolve, delay));

export class FaultInjector {
  private api: ApiFaults | undefined;
  private webhooks: WebhookFaults | undefined;
  private seed: number;
  private apiRandom: () => number;
  private webhookRandom: () => number;

  constructor(
    private readonly defaultSeed: number,
    private readonly profile: ProfileRules,
  ) {
    this.seed = defaultSeed;
    this.apiRandom = mulberry32(defaultSeed);
    this.webhookRandom = mulberry32(defaultSeed ^ 0x5bd1e995);
  }

  /** Replaces the whole fault configuration and restarts both random streams from the seed. */
  configure(input: FaultsInput): void {
    this.seed = input.seed ?? this.defaultSeed;
    this.apiRandom = mulberry32(this.seed);
    this.webhookRandom = mulberry32(this.seed ^ 0x5bd1e995);
    this.api = input.api;
    this.webhooks = input.webhooks;
  }

  describe(): { seed: number; api: ApiFaults | null; webhooks: WebhookFaults | null } {
    return { seed: this.seed, api: this.api ?? null, webhooks: this.webhooks ?? null };
  }

  webhookPlan(): WebhookFaultPlan {
    const faults = this.webhooks;
    if (!faults) return { drop: false, duplicate: false, delayMs: 0 };
    const random = this.webhookRandom;
    const [min, max] = faults.delayMs;
    return {
      drop: random() < faults.dropRate,
      duplicate: random() < faults.duplicateRate,
      delayMs: min + Math.floor(random() * (max - min + 1)),
    };
  }

  reorderWindowMs(): number | undefined {
    return this.webhooks?.reorder ? this.webhooks.reorderWindowMs : undefined;
  }

  shuffle<T>(items: T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.webhookRandom() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** Koa middleware for the public API routes only; the control API must stay reliable. */
  apiMiddleware(): Middleware {
    return async (ctx, next) => {
      const faults = this.api;
      if (!faults || !matches(faults, ctx.method, ctx.path)) return next();
      const roll = this.apiRandom();
      if (roll < faults.rate429) throw this.rateLimited(faults);
      if (roll < faults.rate429 + faults.rate500) throw new ApiError(500, 'internal error (emulated)');
      const slow = this.apiRandom() < faults.slowRate;
      // Rolled only when asked for, so configurations without resets keep the fault sequence they always had.
      const reset = faults.resetRate > 0 && this.apiRandom() < faults.resetRate;
      try {
        await next();
        if (slow) await sleep(faults.slowMs);
      } finally {
        if (reset) {
          ctx.respond = false;
          ctx.req.socket.destroy();
        }
      }
    };
  }

  /** Twin documents no rate limit; Retry-After (seconds) is the standard header, Retry-After-Ms our extra. */
  private rateLimited(faults: ApiFaults): ApiError {
    return new ApiError(429, 'rate limit exceeded (emulated)', 'RESOURCE_EXHAUSTED', {
      'Retry-After': String(Math.ceil(faults.retryAfterMs / 1000)),
      ...(this.profile.extras && { 'Retry-After-Ms': String(faults.retryAfterMs) }),
    });
  }
}

function matches(faults: ApiFaults, method: string, path: string): boolean {
  if (!faults.match) return true;
  if (faults.match.method && faults.match.method !== method) return false;
  return !faults.match.path || new RegExp(faults.match.path).test(path);
}
