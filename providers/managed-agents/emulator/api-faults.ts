// Failures of ordinary requests, queued by tests: answer a status before doing anything (a refusal the client
// may retry), or do the work and then answer a failure (the ambiguous case a write must not retry blindly).
// The control handle, not the API, queues them; the event stream has its own faults (stream.ts).
import type { Middleware } from 'koa';
import { codeOfStatus } from '../errors.js';
import { PlatformError, type PlatformState } from './platform-errors.js';
import { apiFaultSchema, checked, type ApiFault } from './scripts.js';

export class ApiFaults {
  private queued: ApiFault[] = [];

  /** Adds one fault; it applies to the next `count` matching requests. */
  add(input: unknown): void {
    const fault = checked(apiFaultSchema, input, 'API fault');
    try {
      new RegExp(fault.path);
    } catch {
      throw new TypeError(
        `invalid API fault: path ${JSON.stringify(fault.path)} is not a regular expression`,
      );
    }
    this.queued.push(fault);
  }

  clear(): void {
    this.queued = [];
  }

  middleware(): Middleware<PlatformState> {
    return async (ctx, next) => {
      const fault = this.queued.find((f) => f.method === ctx.method && new RegExp(f.path).test(ctx.path));
      if (!fault) return next();
      fault.count--;
      if (fault.count <= 0) this.queued = this.queued.filter((f) => f !== fault);
      if (fault.afterPerforming) await next();
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      throw new PlatformError(
        fault.status,
        codeOfStatus(fault.status),
        'failure injected by the emulator',
        headers,
      );
    };
  }
}
