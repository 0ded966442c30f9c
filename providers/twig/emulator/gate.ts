// What stands in front of every public route, in the order a real gateway applies it: the request is logged, a
// scripted fault may answer instead, the Bearer key is checked (401 `unauthorized`), then its scope (403
// `forbidden`, "API key lacks Execute scope"), then the scope's rate limit per key (429 `rate_limit_exceeded`).
// Every answer past authentication carries X-RateLimit-Limit/Remaining/Reset for its scope, as the seed shows.
// The scope and the limits come from the same tables the client budgets with (../endpoints.ts, ../rate-budget.ts).
import type { Router, RouterMiddleware } from '@koa/router';
import type { Middleware } from 'koa';
import { scopeTitle, TWIG_ENDPOINTS, type TwigEndpointName, type TwigScope } from '../endpoints.js';
import { abortableSleep } from '../../shared/abortable-sleep.js';
import {
  bearerKey,
  loggedGate,
  mountRoute,
  type RequestLogEntry as SharedRequestLogEntry,
} from '../../shared/emulator/gate.js';
import { TokenBucket, type RateLimit } from '../rate-budget.js';
import { TwigEmulatorError, type EmulatorState } from './errors.js';
import type { FaultBook } from './faults.js';
import type { KeyRecord, Store } from './store.js';

export type RequestLogEntry = SharedRequestLogEntry<TwigEndpointName>;

export interface GateDeps {
  store: Store;
  faults: FaultBook;
  limiter: RateLimiter;
  requests: RequestLogEntry[];
}

export type TwigRouter = Router<EmulatorState>;

const unixSeconds = (ms: number) => Math.floor(ms / 1000);

/** One bucket per key and scope, as the seed enforces its limits ("per API key"). */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly limits: Record<TwigScope, RateLimit>) {}

  /** Admits or refuses one request; either way returns the seed's three headers. */
  admit(apiKey: string, scope: TwigScope): { admitted: boolean; headers: Record<string, string> } {
    const now = Date.now();
    const name = `${scope}:${apiKey}`;
    const bucket = this.buckets.get(name) ?? new TokenBucket(this.limits[scope], now);
    this.buckets.set(name, bucket);
    const admitted = bucket.tryTake(now);
    const reset = Math.ceil((now + bucket.msUntilToken(now)) / 1000);
    const headers = {
      'X-RateLimit-Limit': String(this.limits[scope].perMinute),
      'X-RateLimit-Remaining': String(bucket.remaining(now)),
      'X-RateLimit-Reset': String(reset),
    };
    return { admitted, headers };
  }

  limitOf(scope: TwigScope): number {
    return this.limits[scope].perMinute;
  }

  clear(): void {
    this.buckets.clear();
  }
}

const KEY_REFUSALS = {
  missing: 'missing Authorization header',
  malformed: 'Authorization must be "Bearer <API key>"',
};
const refuseKey = (message: string) => new TwigEmulatorError(401, message);

function gate(deps: GateDeps, name: TwigEndpointName): Middleware<EmulatorState> {
  const { scope } = TWIG_ENDPOINTS[name];
  return loggedGate(deps.requests, name, TwigEmulatorError, async (ctx, next) => {
    const fault = deps.faults.take(name);
    if (fault?.status !== undefined) {
      await abortableSleep(fault.delayMs);
      const headers: Record<string, string> =
        fault.status === 429
          ? {
              'X-RateLimit-Limit': String(deps.limiter.limitOf(scope)),
              'X-RateLimit-Remaining': '0',
              'X-RateLimit-Reset': String(unixSeconds(Date.now()) + fault.resetInSeconds),
            }
          : {};
      throw new TwigEmulatorError(
        fault.status,
        `${fault.status === 429 ? 'Rate limit exceeded' : 'Service failure'} (emulated)`,
        undefined,
        headers,
      );
    }
    const apiKey = bearerKey(ctx.get('authorization'), KEY_REFUSALS, refuseKey);
    const key: KeyRecord | undefined = deps.store.keys.get(apiKey);
    if (!key) throw new TwigEmulatorError(401, 'Invalid API key');
    if (!key.scopes.has(scope))
      throw new TwigEmulatorError(403, `API key lacks ${scopeTitle(scope)} scope`, { scope });
    const limit = deps.limiter.admit(apiKey, scope);
    ctx.set(limit.headers);
    if (!limit.admitted) throw new TwigEmulatorError(429, 'Rate limit exceeded', { scope }, limit.headers);
    await next();
    if (fault) await abortableSleep(fault.delayMs);
    return undefined;
  });
}

/** Mounts `handler` at the endpoint's method and path behind the gate. */
export function route(
  router: TwigRouter,
  deps: GateDeps,
  name: TwigEndpointName,
  handler: RouterMiddleware<EmulatorState>,
): void {
  mountRoute(router, TWIG_ENDPOINTS[name], gate(deps, name), handler);
}
