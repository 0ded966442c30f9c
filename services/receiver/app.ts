// Builds the receiver's Koa app from its dependencies and never listens itself: tests drive it on an
// ephemeral port, main.ts on the configured one. Mount order matters: the webhook routes come first and end
// the chain, so a control router mounted later (with koa-body or anything else that reads bodies) can never
// touch a webhook's raw bytes.
import { randomUUID } from 'node:crypto';
import type Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Logger } from 'pino';
import type { EventHandoff } from './handoff.js';
import { createReceiverMetrics } from './metrics.js';
import { createOpsRouter } from './ops-routes.js';
import { problemMiddleware, type ProblemState } from '../shared/http-problem.js';
import type { SecretSource } from './secrets.js';
import type { DeliveryLog } from './delivery.js';
import type { ProviderEventHandoff } from './provider-handoff.js';
import type { Config } from '../shared/config.js';
import { PROVIDER_RUNTIMES } from '../../providers/registry.js';

export interface ReceiverAppDeps {
  config: Config;
  secrets: SecretSource;
  handoff: EventHandoff;
  /** Serves the other providers' webhook routes (/webhooks/twin-ai, /webhooks/twig) when given, as main.ts does. */
  providerHandoff?: ProviderEventHandoff;
  logger: Logger;
  /** The pipeline control API; mounted after the webhook route. */
  controlRouter?: Router;
}

/** A caller's request ID is echoed only if it is short and plain, so it can go into logs and headers as is. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What the receiver's middleware keeps per request, for the one log line each request gets. */
export interface RequestState extends ProblemState {
  requestId: string;
  delivery?: DeliveryLog;
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

export function createReceiverApp(deps: ReceiverAppDeps): Koa<RequestState> {
  const metrics = createReceiverMetrics();
  const app = new Koa<RequestState>();
  const ops = createOpsRouter({ handoff: deps.handoff, metrics });
  app.use(requestContext(deps.logger));
  app.use(
    problemMiddleware<RequestState>({ logger: deps.logger, surface: 'receiver', unmatchedIsNotFound: true }),
  );
  const routeDeps = { ...deps, metrics };
  for (const provider of Object.values(PROVIDER_RUNTIMES)) {
    if ('webhook' in provider) app.use(provider.webhook(routeDeps).routes());
  }
  app.use(ops.routes());
  if (deps.controlRouter) {
    app.use(deps.controlRouter.routes());
    app.use(deps.controlRouter.allowedMethods({ throw: true }));
  }
  return app;
}
