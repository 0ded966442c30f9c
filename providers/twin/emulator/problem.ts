// Errors the emulator answers with. Twin speaks RFC 9457 problem+json today; older deployments answered
// `{error:{code,message}}` with gRPC code names (seed 000), so the same typed error renders either way and
// clients can be tested against both shapes.
import { STATUS_CODES } from 'node:http';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { ProfileRules } from './profile.js';

export type GrpcCode =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'
  | 'UNIMPLEMENTED';

const GRPC_OF_STATUS: Record<number, GrpcCode> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  405: 'UNIMPLEMENTED',
  409: 'FAILED_PRECONDITION',
  413: 'INVALID_ARGUMENT',
  415: 'INVALID_ARGUMENT',
  422: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
};

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly grpcCode: GrpcCode = GRPC_OF_STATUS[status] ?? 'INTERNAL',
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string) => new ApiError(400, detail);

/**
 * A body whose JSON has a value of the wrong type (an object where a string is due). The live gateway answers
 * it 422 with its deserialiser's words; the rich profile keeps the 400 with the field-by-field detail.
 */
export class WrongJsonTypeError extends ApiError {
  override name = 'WrongJsonTypeError';
  constructor(
    detail: string,
    readonly deserializerDetail: string,
  ) {
    super(400, detail);
  }
}

export interface ErrorRendering {
  /** Seed 000's `{error:{code,message}}` instead of problem+json. */
  legacy: boolean;
  profile: ProfileRules;
}
export const unauthenticated = (detail: string) => new ApiError(401, detail);
export const notFound = (detail: string) => new ApiError(404, detail);
export const failedPrecondition = (detail: string) => new ApiError(409, detail, 'FAILED_PRECONDITION');
export const alreadyExists = (detail: string) => new ApiError(409, detail, 'ALREADY_EXISTS');

/** Errors thrown by Koa or the router (405, 413, …) carry a numeric `status` and a safe message. */
function asApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, expose, message } = err as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  return new ApiError(status, typeof message === 'string' ? message : (STATUS_CODES[status] ?? 'error'));
}

export function renderError(ctx: Context, err: ApiError, rendering: ErrorRendering): void {
  const shown =
    err instanceof WrongJsonTypeError && rendering.profile.liveGateway
      ? new ApiError(422, err.deserializerDetail)
      : err;
  ctx.status = shown.status;
  for (const [name, value] of Object.entries(shown.headers)) ctx.set(name, value);
  if (rendering.legacy) {
    ctx.type = 'application/json';
    ctx.body = { error: { code: shown.grpcCode, message: shown.detail } };
    return;
  }
  ctx.type = 'application/problem+json';
  ctx.body = {
    // Seed 001 documents `type`; the live gateway was seen leaving it out.
    ...(!rendering.profile.liveGateway && { type: 'about:blank' }),
    title: STATUS_CODES[shown.status] ?? 'Error',
    status: shown.status,
    detail: shown.detail,
  };
}

/** Outermost middleware: every failure, expected or not, leaves as a well-formed error body. */
export function errorMiddleware(logger: Logger, rendering: ErrorRendering): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw notFound(`no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const known = asApiError(err);
      if (!known) logger.error({ err, method: ctx.method, path: ctx.path }, 'unhandled emulator error');
      renderError(ctx, known ?? new ApiError(500, 'internal emulator error'), rendering);
    }
  };
}
