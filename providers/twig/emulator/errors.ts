// Every failure leaves the emulator in the seed's error shape, `{error:{code,message,details},request_id}`, with
// the code the seed's table gives its status and the request's own ID, so clients meet exactly what Twig sends.
// The request ID is assigned first, before anything can fail, and is also the `X-Request-Id` header (an emulator
// extra the client never reads).
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { TWIG_ERROR_CODES } from '../errors.js';
import { twigId } from './store.js';

export class TwigEmulatorError extends Error {
  override name = 'TwigEmulatorError';
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const invalidRequest = (message: string, details?: Record<string, unknown>) =>
  new TwigEmulatorError(400, message, details);
export const notFound = (message: string, details?: Record<string, unknown>) =>
  new TwigEmulatorError(404, message, details);

export interface EmulatorState {
  requestId: string;
}

function render(ctx: Context, err: TwigEmulatorError, requestId: string): void {
  ctx.status = err.status;
  ctx.set(err.headers);
  ctx.type = 'application/json';
  ctx.body = {
    error: {
      code: TWIG_ERROR_CODES[err.status] ?? 'internal_error',
      message: err.message,
      ...(err.details && { details: err.details }),
    },
    request_id: requestId,
  };
}

/** Koa's own errors (405, 413, a bad JSON body) carry a status; they keep it, with a safe message. */
function known(err: unknown): TwigEmulatorError | undefined {
  if (err instanceof TwigEmulatorError) return err;
  const { status, expose, message } = (err ?? {}) as {
    status?: unknown;
    expose?: unknown;
    message?: unknown;
  };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  return new TwigEmulatorError(status, typeof message === 'string' ? message : 'request refused');
}

/** Outermost middleware: request ID first, then every failure rendered in the seed's shape. */
export function errorMiddleware(logger: Logger): Middleware<EmulatorState> {
  return async (ctx, next) => {
    const requestId = twigId('req_');
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw notFound(`no route for ${ctx.method} ${ctx.path}`);
    } catch (err) {
      const shown = known(err);
      if (!shown) logger.error({ err, method: ctx.method, path: ctx.path }, 'unhandled Twig emulator error');
      render(ctx, shown ?? new TwigEmulatorError(500, 'internal emulator error'), requestId);
    }
  };
}
