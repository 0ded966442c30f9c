// One backoff policy for everything that tries again: the client's retries of idempotent calls and the session
// follower's reconnects. Bounded in attempts and in delay, jittered so that many workers cut off by the same
// outage do not come back in lockstep, and abortable so cancellation never waits out a delay.
import { z } from 'zod';
import { zodIssueLines } from '../../services/shared/zod-issues.js';
import { MAX_RETRY_AFTER_MS } from '../twin/client/errors.js';

/** How often and how patiently to try again. */
export interface BackoffPolicy {
  /** Attempts in all, the first included; 1 means never again. */
  maxAttempts: number;
  /** Delay before the second attempt; each later one doubles, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/** The defaults: 5 attempts, 200 ms doubling to at most 5 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 };

const policySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100),
    initialDelayMs: z.number().int().min(0).max(600_000),
    maxDelayMs: z.number().int().min(0).max(600_000),
  })
  .refine((p) => p.initialDelayMs <= p.maxDelayMs, 'initialDelayMs must not exceed maxDelayMs');

/** DEFAULT_BACKOFF with `overrides`; throws a TypeError naming the bad field. */
export function backoffPolicy(overrides: Partial<BackoffPolicy> = {}, what = 'backoff'): BackoffPolicy {
  const parsed = policySchema.safeParse({ ...DEFAULT_BACKOFF, ...overrides });
  if (parsed.success) return parsed.data;
  throw new TypeError(`invalid ${what} policy: ${zodIssueLines(parsed.error, { root: what }).join('; ')}`);
}

/**
 * The wait before attempt `attempt + 1` after `attempt` failed ones: exponential with "equal jitter" (half
 * fixed, half random), never shorter than a `Retry-After` the server sent (itself capped at five minutes).
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, retryAfterMs?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
