// Client-side rate budgets, one token bucket per scope, so a burst of writes never delays a query: the seed
// enforces its limits per API key and per scope ("Execute 100/min, burst 120; Write 10/min, burst 15; Read
// 200/min, burst 250; Admin 50/min, burst 60"). We read "burst" as the bucket's capacity and "requests/minute" as
// its steady refill (A5). The bucket is pure (the caller passes the clock), so the emulator's server-side limiter
// is the same arithmetic and tests can drive it with a fake clock.
import { abortableSleep } from '../shared/abortable-sleep.js';
import { TWIG_SCOPES, type TwigScope } from './endpoints.js';

export interface RateLimit {
  perMinute: number;
  burst: number;
}

/** The seed's table. */
export const TWIG_RATE_LIMITS: Readonly<Record<TwigScope, RateLimit>> = {
  execute: { perMinute: 100, burst: 120 },
  write: { perMinute: 10, burst: 15 },
  read: { perMinute: 200, burst: 250 },
  admin: { perMinute: 50, burst: 60 },
};

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private blockedUntil = 0;
  private readonly perMs: number;

  constructor(
    readonly limit: RateLimit,
    nowMs: number,
  ) {
    if (!(limit.perMinute > 0) || !(limit.burst >= 1)) {
      throw new RangeError(
        `a rate limit needs perMinute > 0 and burst >= 1 (got ${limit.perMinute}/min, burst ${limit.burst})`,
      );
    }
    this.tokens = limit.burst;
    this.updatedAt = nowMs;
    this.perMs = limit.perMinute / 60_000;
  }

  private refill(nowMs: number): void {
    if (nowMs <= this.updatedAt) return;
    this.tokens = Math.min(this.limit.burst, this.tokens + (nowMs - this.updatedAt) * this.perMs);
    this.updatedAt = nowMs;
  }

  /**
   * Takes a token now or books the next free one: returns how long the caller must wait before sending. Bookings
   * are first come, first served (tokens may go negative), so waiting callers never overtake each other.
   */
  reserve(nowMs: number): number {
    this.refill(nowMs);
    this.tokens -= 1;
    const refillWait = this.tokens >= 0 ? 0 : -this.tokens / this.perMs;
    return Math.max(refillWait, this.blockedUntil - nowMs, 0);
  }

  /** Takes a token only if one is free now (the server side: admit or answer 429). */
  tryTake(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1 || nowMs < this.blockedUntil) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whole tokens free now. */
  remaining(nowMs: number): number {
    this.refill(nowMs);
    return Math.max(0, Math.floor(this.tokens));
  }

  /** Milliseconds until one whole token is free. */
  msUntilToken(nowMs: number): number {
    this.refill(nowMs);
    return Math.max(this.tokens >= 1 ? 0 : (1 - this.tokens) / this.perMs, this.blockedUntil - nowMs, 0);
  }

  /** Nothing goes out before `atMs` (a 429 told us when the server's window resets). */
  blockUntil(atMs: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, atMs);
  }
}

/** Limits for the four scopes: the seed's, with any scope overridden (tests, a plan with other limits). */
export function rateLimitsWith(
  overrides: Partial<Record<TwigScope, RateLimit>> = {},
): Record<TwigScope, RateLimit> {
  return Object.fromEntries(
    TWIG_SCOPES.map((scope) => [scope, overrides[scope] ?? TWIG_RATE_LIMITS[scope]]),
  ) as Record<TwigScope, RateLimit>;
}

/** One client's budgets: four independent buckets on the wall clock. */
export class ScopeBudgets {
  private readonly buckets: Record<TwigScope, TokenBucket>;

  constructor(
    limits: Record<TwigScope, RateLimit>,
    private readonly now: () => number = Date.now,
  ) {
    const start = now();
    this.buckets = Object.fromEntries(
      TWIG_SCOPES.map((scope) => [scope, new TokenBucket(limits[scope], start)]),
    ) as Record<TwigScope, TokenBucket>;
  }

  /** Resolves when a request of `scope` may go out; rejects with the signal's reason if aborted while waiting. */
  async take(scope: TwigScope, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    await abortableSleep(this.buckets[scope].reserve(this.now()), signal);
  }

  blockUntil(scope: TwigScope, atMs: number): void {
    this.buckets[scope].blockUntil(atMs);
  }
}
