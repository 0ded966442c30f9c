// What stands in front of every public route, in the order a gateway applies it: the request is logged, a
// scripted fault may strike, the Bearer key is checked (401), then the key's per-minute limit (429 with
// `Retry-After`, as the seed's rate-limit headers show). Every answer past authentication carries
// X-RateLimit-Limit/Remaining/Reset. The seed says limits are "per API key, per minute", so the window is a fixed
// calendar minute per key; its size is not documented (the seed's example shows 60).
import type { Router, RouterMiddleware } from '@koa/router';
import type { Context, Middleware } from 'koa';
import { TWIN_AI_ENDPOINTS, type TwinAiEndpointName } from '../endpoints.js';
import { abortableSleep } from '../../shared/abortable-sleep.js';
import {
  bearerKey,
  loggedGate,
  mountRoute,
  type RequestLogEntry as SharedRequestLogEntry,
} from '../../shared/emulator/gate.js';
import type { ApiFault, FaultBook } from './faults.js';
import { TwinAiEmulatorError, type EmulatorState } from './http.js';
import type { Store } from './store.js';

export type RequestLogEntry = SharedRequestLogEntry<TwinAiEndpointName>;

export interface GateDeps {
  store: Store;
  faults: FaultBook;
  limiter: RateLimiter;
  requests: RequestLogEntry[];
}

export type TwinAiRouter = Router<EmulatorState>;

/** One fixed one-minute window per key. */
export class RateLimiter {
  private readonly windows = new Map<string, { window: number; used: number }>();

  constructor(public perMinute: number) {}

  /** Admits or refuses one request; either way returns the seed's headers (Retry-After on refusal only). */
  admit(apiKey: string, nowMs = Date.now()): { admitted: boolean; headers: Record<string, string> } {
    const window = Math.floor(nowMs / 60_000);
    const current = this.windows.get(apiKey);
    const slot = current && current.window === window ? current : { window, used: 0 };
    this.windows.set(apiKey, slot);
    const admitted = slot.used < this.perMinute;
    if (admitted) slot.used += 1;
    const resetMs = (window + 1) * 60_000;
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(this.perMinute),
      'X-RateLimit-Remaining': String(Math.max(0, this.perMinute - slot.used)),
      'X-RateLimit-Reset': String(resetMs / 1000),
    };
    if (!admitted) headers['Retry-After'] = String(Math.max(1, Math.ceil((resetMs - nowMs) / 1000)));
    return { admitted, headers };
  }

  clear(): void {
    this.windows.clear();
  }
}

const KEY_REFUSALS = { missing: 'Missing API key.', malformed: 'Authorization must be "Bearer <API key>".' };
const refuseKey = (message: string) => new TwinAiEmulatorError(401, message);

/** Applies a fault's effect: an error status, a hang-up, or (neither) nothing beyond its delay. */
async function strike(ctx: Context, fault: ApiFault, limiter: RateLimiter): Promise<'hung-up' | undefined> {
  await abortableSleep(fault.delayMs);
  if (fault.hangUp) {
    ctx.respond = false;
    ctx.req.socket.destroy();
    return 'hung-up';
  }
  if (fault.status === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (fault.status === 429) {
    headers['X-RateLimit-Limit'] = String(limiter.perMinute);
    headers['X-RateLimit-Remaining'] = '0';
    if (fault.retryAfterSeconds !== null) headers['Retry-After'] = String(fault.retryAfterSeconds);
  }
  const message = fault.status === 429 ? 'Rate limit exceeded.' : 'Internal error (emulated).';
  throw new TwinAiEmulatorError(fault.status, message, headers);
}

function gate(deps: GateDeps, name: TwinAiEndpointName): Middleware<EmulatorState> {
  return loggedGate(deps.requests, name, TwinAiEmulatorError, async (ctx, next) => {
    const fault = deps.faults.take(name);
    if (fault?.when === 'before' && (await strike(ctx, fault, deps.limiter)) === 'hung-up') return 'hung-up';
    const apiKey = bearerKey(ctx.get('authorization'), KEY_REFUSALS, refuseKey);
    if (!deps.store.keys.has(apiKey)) throw new TwinAiEmulatorError(401, 'Invalid API key.');
    const limit = deps.limiter.admit(apiKey);
    ctx.set(limit.headers);
    if (!limit.admitted) throw new TwinAiEmulatorError(429, 'Rate limit exceeded.', limit.headers);
    await next();
    if (fault?.when === 'after' && (await strike(ctx, fault, deps.limiter)) === 'hung-up') return 'hung-up';
    return undefined;
  });
}

/** Mounts `handler` at the endpoint's method and path behind the gate. */
export function route(
  router: TwinAiRouter,
  deps: GateDeps,
  name: TwinAiEndpointName,
  handler: RouterMiddleware<EmulatorState>,
): void {
  mountRoute(router, TWIN_AI_ENDPOINTS[name], gate(deps, name), handler);
}
