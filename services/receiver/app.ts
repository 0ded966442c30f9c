// Builds the receiver's Koa app from its dependencies and never listens itself: tests drive it on an
// ephemeral port, main.ts on the configured one. Mount order matters: the webhook route comes first and ends
// the chain, so a control router mounted later (with koa-body or anything else that reads bodies) can never
// touch a webhook's raw bytes.
import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import Koa, { type Context, type Middleware } from 'koa';
import type { Logger } from 'pino';
import type { EventHandoff } from './handoff.js';
import { createReceiverMetrics } from './metrics.js';
import { createOpsRouter } from './ops-routes.js';
import { clientErrorStatus, HttpProblem, renderProblem } from './problem.js';
import type { SecretSource } from './secrets.js';
import { createWebhookRouter, type DeliveryLog, type WebhookSettings } from './webhook-route.js';

export interface ReceiverAppDeps {
  config: WebhookSettings;
  secrets: SecretSource;
  handoff: EventHandoff;
  logger: Logger;
  /** The pipeline control API; mounted after the webhook route. */
  controlRouter?: Router;
}

/** A caller's request ID is echoed only if it is short and plain, so it can go into logs and headers as is. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestState {
  requestId: string;
  delivery?: DeliveryLog;
  problemReason?: string;
}

function requestContext(logger: Logger): Middleware<RequestState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const offered = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(offered) ? offered : randomUUID();
    ctx.set('X-Request-Id', requestId);
    ctx.state.requestId = requestId;
    try {
      await next();
    } finally {
      const { delivery, problemReason } = ctx.state;
      // One line per request, with the request ID as a field: a child logger per request costs more than
      // the line itself.
      const line = {
        requestId,
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        ...delivery,
        ...(problemReason !== undefined && { reason: problemReason }),
      };
      if (!delivery) logger.debug(line, 'request');
      else if (ctx.status >= 400) logger.warn(line, 'webhook delivery refused');
      else logger.info(line, 'webhook delivery');
    }
  };
}

function problemOf(err: unknown): HttpProblem | undefined {
  if (err instanceof HttpProblem) return err;
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

/** Every failure leaves as problem+json; only a genuine bug is a 500, and it is logged with its stack. */
function problems(logger: Logger): Middleware<RequestState> {
  return async (ctx: Context, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpProblem(404, `no route for ${ctx.method} ${ctx.path}`, 'not_found');
      }
    } catch (err) {
      const problem = problemOf(err);
      if (!problem) {
        logger.error({ err, requestId: ctx.state.requestId }, 'unhandled receiver error');
        ctx.state.problemReason = 'internal_error';
        renderProblem(ctx, 500, 'internal error');
        return;
      }
      if (problem.status >= 500)
        logger.warn({ err: problem.cause, requestId: ctx.state.requestId }, problem.detail);
      ctx.state.problemReason = problem.reason;
      renderProblem(ctx, problem.status, problem.detail, problem.headers);
    }
  };
}

export function createReceiverApp(deps: ReceiverAppDeps): Koa<RequestState> {
  const metrics = createReceiverMetrics();
  const app = new Koa<RequestState>();
  const webhooks = createWebhookRouter({
    settings: deps.config,
    secrets: deps.secrets,
    handoff: deps.handoff,
    metrics,
  });
  const ops = createOpsRouter({ handoff: deps.handoff, metrics });
  app.use(requestContext(deps.logger));
  app.use(problems(deps.logger));
  app.use(webhooks.routes());
  app.use(ops.routes());
  if (deps.controlRouter) {
    app.use(deps.controlRouter.routes());
    app.use(deps.controlRouter.allowedMethods({ throw: true }));
  }
  return app;
}
