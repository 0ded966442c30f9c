// The seed's retry rule, as pure decisions: "Use exponential backoff for 429, 500, 503 errors. Do NOT retry 400,
// 401, 403, 404." Everything else (other statuses, no answer at all) is not retried by the client either: the seed
// allows retries for exactly those three. A 429 waits until `X-RateLimit-Reset` (unix seconds), never longer than
// `maxRateLimitWaitMs`: a reset further out (a skewed clock, a proxy) ends the call with the 429 instead of parking
// it silently. Attempts are bounded whatever the status. A request that creates something is sent again only after
// a 429 (refused before it was performed: docs/twig-contract.md, A17): a 500 or 503 may follow a performed create, and a second one would
// make a duplicate, so that decision goes to the caller, who can look for the first.
import { backoffMs } from '../shared/backoff.js';

export { backoffMs } from '../shared/backoff.js';
export { rateLimitResetMs } from '../shared/wait-headers.js';

export const TWIG_RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 503]);

export interface TwigRetryPolicy {
  /** Requests per call, the first included. */
  maxAttempts: number;
  /** First backoff; doubles per retry, with jitter, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest a 429's reset may make one call wait. */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_TWIG_RETRY: TwigRetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRateLimitWaitMs: 65_000,
};

/** The seed's 503 advice ("retry after 5-10 minutes"), as the hint a TwigApiError carries once retries ran out. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_MS = 5 * 60_000;

export function isRetryableStatus(status: number): boolean {
  return TWIG_RETRYABLE_STATUSES.has(status);
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; retryAfterMs?: number };

export interface FailedAttempt {
  status: number;
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  /** From X-RateLimit-Reset, on a 429. */
  resetAtMs?: number;
  /** The request makes something each time it is performed (TwigEndpoint.creates): only a 429 is sent again. */
  creates?: boolean;
  nowMs: number;
}

/** Whether to send again after an error status, and after how long. */
export function retryDecision(
  policy: TwigRetryPolicy,
  failed: FailedAttempt,
  random?: () => number,
): RetryDecision {
  const resetWait = failed.resetAtMs === undefined ? undefined : Math.max(0, failed.resetAtMs - failed.nowMs);
  const retryAfterMs =
    failed.status === 503
      ? SERVICE_UNAVAILABLE_RETRY_AFTER_MS
      : failed.status === 429
        ? resetWait
        : undefined;
  const mayHaveActed = failed.creates === true && failed.status !== 429;
  if (!isRetryableStatus(failed.status) || mayHaveActed || failed.attempt >= policy.maxAttempts)
    return { retry: false, retryAfterMs };
  if (failed.status === 429 && resetWait !== undefined) {
    if (resetWait > policy.maxRateLimitWaitMs) return { retry: false, retryAfterMs };
    if (resetWait > 0) return { retry: true, delayMs: resetWait };
  }
  return { retry: true, delayMs: backoffMs(policy, failed.attempt, random) };
}
