// How the emulated platform refuses: every failure leaves as the error body twinflow assumes (A2),
// `{error:{code, message}, request_id}`, and every answer carries a `request-id` header, so the client's error
// parsing is exercised against the shape it was written for. Body and query parsing reuse the Twin emulator's
// zod helpers; their ApiError is translated here rather than rendered in Twin's shape.
import { randomId } from '../../twin/emulator/ids.js';
import { ApiError } from '../../twin/emulator/problem.js';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { codeOfStatus } from '../errors.js';

/** A refusal with the status, code and message the platform answers. */
export class PlatformError extends Error {
  override name = 'PlatformError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new PlatformError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, message: string) => new PlatformError(409, code, message);

/** State the middleware leaves for handlers. */
export interface PlatformState {
  requestId: string;
}

function asPlatformError(err: unknown): PlatformError | undefined {
  if (err instanceof PlatformError) return err;
  if (err instanceof ApiError) return new PlatformError(err.status, codeOfStatus(err.status), err.detail);
  const { status, expose, message } = (err ?? {}) as {
    status?: unknown;
    expose?: unknown;
    message?: unknown;
  };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  return new PlatformError(status, codeOfStatus(status), typeof message === 'string' ? message : 'error');
}

/** Outermost middleware: a request ID on every answer, and every failure as the platform's error body. */
export function platformErrorMiddleware(logger: Logger): Middleware<PlatformState> {
  return async (ctx, next) => {
    const requestId = randomId('req_');
    ctx.state.requestId = requestId;
    ctx.set('request-id', requestId);
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new PlatformError(404, 'not_found', `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const known = asPlatformError(err);
      if (!known) logger.error({ err, method: ctx.method, path: ctx.path }, 'unhandled emulator error');
      const shown = known ?? new PlatformError(500, 'internal_error', 'internal emulator error');
      ctx.status = shown.status;
      ctx.set(shown.headers);
      ctx.body = { error: { code: shown.code, message: shown.message }, request_id: requestId };
    }
  };
}

/** Bearer authentication against the emulator's keys; the key itself is never logged or echoed. */
export function bearerAuth(keys: ReadonlySet<string>): Middleware<PlatformState> {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer (\S+)$/i.exec(header);
    if (!match) throw new PlatformError(401, 'unauthenticated', 'missing Authorization: Bearer <api_key>');
    if (!keys.has(match[1] ?? '')) throw new PlatformError(401, 'unauthenticated', 'invalid API key');
    await next();
  };
}
