// The two headers a server uses to say "come back later". Reading them is plain HTTP; which of them a platform
// sends, and which one wins, stays in each provider's transport.

/**
 * `X-RateLimit-Reset` (unix seconds) as epoch milliseconds.
 *
 * @returns undefined unless the header is whole seconds: a malformed reset must not become a wait
 */
export function rateLimitResetMs(header: string | null | undefined): number | undefined {
  const value = header?.trim();
  if (value === undefined || !/^\d{1,12}$/.test(value)) return undefined;
  return Number(value) * 1000;
}

/**
 * `Retry-After` as milliseconds to wait: delta-seconds or an HTTP date (RFC 9110 allows both).
 *
 * @param nowMs - the clock an HTTP date is measured from
 * @returns undefined for anything else (a negative number, a word), so the caller falls back to its backoff
 */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  const value = header?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d{1,9}$/.test(value)) return Number(value) * 1000;
  const at = /[a-z]/i.test(value) ? Date.parse(value) : NaN;
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}
