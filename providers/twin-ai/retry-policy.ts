// When the client sends a call again, as pure decisions. Three kinds of failure, three rules:
// - 429: Twin refused before acting (A8), so every call, ask and create included, is sent again after the wait
//   Twin names in `Retry-After` (seconds, as the seed shows; an HTTP date is read too), else after
//   `X-RateLimit-Reset`, else after backoff. A wait longer than `maxRateLimitWaitMs` ends the call at once with
//   `retryAfterMs`, so no call is parked silently for minutes.
// - 5xx, or a request sent whose answer was lost (timeout, connection cut): Twin may have acted. Idempotent calls
//   (GET, DELETE) are retried with backoff; the others end unconfirmed and are never sent again blindly (A9).
// - A request that never left (connection refused, DNS failure) is safe to send again, whatever the endpoint.
// Any other status (400, 401, 402, 403, 404, …) is final. Attempts are bounded whatever the failure.

import { backoffMs } from '../shared/backoff.js';

export { backoffMs } from '../shared/backoff.js';
export { rateLimitResetMs, retryAfterMs } from '../shared/wait-headers.js';

export interface TwinAiRetryPolicy {
  /** Requests per call, the first included. */
  maxAttempts: number;
  /** First backoff; doubles per retry, with jitter, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest one 429 may make a call wait. */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_TWIN_AI_RETRY: TwinAiRetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRateLimitWaitMs: 65_000,
};

/** What went wrong with one attempt. */
export type FailedAttempt = {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  idempotent: boolean;
} &
  /** `retryAfterMs`: from a 429's Retry-After, else its X-RateLimit-Reset (the transport reads both). */
  ({ kind: 'status'; status: number; retryAfterMs?: number } | { kind: 'unsent' } | { kind: 'lost' });

export type RetryDecision =
  { retry: true; delayMs: number } | { retry: false; unconfirmed: boolean; retryAfterMs?: number };

const isServerError = (status: number) => status >= 500 && status <= 599;

/** Whether to send again, and after how long; when not, whether the outcome is unknown. */
export function retryDecision(
  policy: TwinAiRetryPolicy,
  failed: FailedAttempt,
  random?: () => number,
): RetryDecision {
  const lastAttempt = failed.attempt >= policy.maxAttempts;
  const backoff = () => backoffMs(policy, failed.attempt, random);
  if (failed.kind === 'unsent') {
    return lastAttempt ? { retry: false, unconfirmed: false } : { retry: true, delayMs: backoff() };
  }
  if (failed.kind === 'lost' || isServerError(failed.status)) {
    if (!failed.idempotent) return { retry: false, unconfirmed: true };
    return lastAttempt ? { retry: false, unconfirmed: false } : { retry: true, delayMs: backoff() };
  }
  if (failed.status !== 429) return { retry: false, unconfirmed: false };
  const wait = failed.retryAfterMs;
  if (lastAttempt || (wait !== undefined && wait > policy.maxRateLimitWaitMs)) {
    return { retry: false, unconfirmed: false, retryAfterMs: wait };
  }
  return { retry: true, delayMs: wait ?? backoff() };
}
