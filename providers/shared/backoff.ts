// The backoff both clients use between retries. Which failures are retried is each platform's rule (their
// retry-policy.ts); only how long to wait is the same arithmetic.

/** The two numbers a backoff needs; each provider's retry policy carries them. */
export interface BackoffDelays {
  /** First backoff; doubles per retry up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential backoff with equal jitter: half fixed, half random, so concurrent callers spread out instead of
 * coming back in lockstep, while none retries sooner than half the nominal delay.
 *
 * @param policy - base and ceiling of the delay
 * @param retry - 1 for the first retry
 * @param random - a [0, 1) source; tests pass a fixed one
 */
export function backoffMs(policy: BackoffDelays, retry: number, random: () => number = Math.random): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(full / 2 + random() * (full / 2));
}
