// Every failure leaves the emulator in the seed's error shape, `{error:{code,message,details},request_id}`, with
// the code the seed's table gives its status and the request's own ID, so clients meet exactly what Twig sends.
// The request ID is assigned first, before anything can fail, and is also the `X-Request-Id` header (an emulator
// extra the client never reads).
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { answerFailures } from '../../shared/emulator/koa-errors.js';
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

/** Outermost middleware: request ID first, then every failure rendered in the seed's shape. */
export function errorMiddleware(logger: Logger): Middleware<EmulatorState> {
  return async (ctx, next) => {
    const requestId = twigId('req_');
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    await answerFailures(ctx, next, logger, {
      own: TwigEmulatorError,
      // Koa's own errors (405, 413, a bad JSON body) keep their status, with a safe message.
      fromKoa: (status, message) => new TwigEmulatorError(status, message ?? 'request refused'),
      noRoute: (method, path) => notFound(`no route for ${method} ${path}`),
      internal: () => new TwigEmulatorError(500, 'internal emulator error'),
      render: (context, err) => render(context, err, requestId),
      unhandled: 'unhandled Twig emulator error',
    });
  };
}
