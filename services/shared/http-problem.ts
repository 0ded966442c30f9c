// Every error twinflow's HTTP surface answers (the webhook receiver and the control API it mounts) is RFC 9457
// problem+json. Handlers throw a typed HttpProblem; one middleware renders it, so no handler formats error bodies
// itself, nothing unexpected leaks as a stack, and every failure's reason reaches the request log.
import { STATUS_CODES } from 'node:http';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';

/** An error with the HTTP answer it stands for. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly detail: string,
    /** A stable reason for logs and metrics; never sent to the client. */
    readonly reason: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }
}

/** The problem+json body (RFC 9457) every error answer carries. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
}

/** The request state the middleware reads (the request ID) and writes (the reason, for the request log). */
export interface ProblemState {
  requestId?: string;
  problemReason?: string;
}

/** Writes a problem+json answer. */
export function renderProblem(
  ctx: Context,
  status: number,
  detail: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
  ctx.status = status;
  ctx.type = 'application/problem+json';
  const body: ProblemBody = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail };
  ctx.body = body;
}

/** Errors raised by Koa itself or by raw-body carry a 4xx `status` and a message that is safe to show. */
export function clientErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return expose === false ? undefined : status;
}

/** A Koa or body-parser client error as a problem, with its own (safe) wording and headers. */
function clientProblem(err: unknown): HttpProblem | undefined {
  const status = clientErrorStatus(err);
  if (status === undefined) return undefined;
  const { message, headers } = err as { message?: unknown; headers?: unknown };
  const safeHeaders =
    typeof headers === 'object' && headers !== null ? (headers as Record<string, string>) : {};
  return new HttpProblem(
    status,
    typeof message === 'string' ? message : 'bad request',
    `http_${status}`,
    safeHeaders,
  );
}

export interface ProblemMiddlewareOptions {
  logger?: Logger;
  /** Names the surface in the log line of an unexpected error. */
  surface: string;
  /** The surface's own errors as problems (e.g. the control functions' typed errors); undefined for others. */
  translate?: (error: unknown) => HttpProblem | undefined;
  /** Answer a request nothing handled with a problem+json 404 (the outermost app only). */
  unmatchedIsNotFound?: boolean;
}

/** Every failure leaves as problem+json; only a genuine bug is a 500, and it is logged with its stack. */
export function problemMiddleware<S extends ProblemState>(options: ProblemMiddlewareOptions): Middleware<S> {
  const { logger, surface, translate, unmatchedIsNotFound } = options;
  return async (ctx, next) => {
    try {
      await next();
      if (unmatchedIsNotFound && ctx.status === 404 && ctx.body === undefined) {
        throw new HttpProblem(404, `no route for ${ctx.method} ${ctx.path}`, 'not_found');
      }
    } catch (err) {
      const { requestId } = ctx.state;
      const problem = err instanceof HttpProblem ? err : (translate?.(err) ?? clientProblem(err));
      if (!problem) {
        logger?.error({ err, requestId }, `unhandled ${surface} error`);
        ctx.state.problemReason = 'internal_error';
        renderProblem(ctx as unknown as Context, 500, 'internal error');
        return;
      }
      if (problem.status >= 500) logger?.warn({ err: problem.cause, requestId }, problem.detail);
      ctx.state.problemReason = problem.reason;
      renderProblem(ctx as unknown as Context, problem.status, problem.detail, problem.headers);
    }
  };
}
