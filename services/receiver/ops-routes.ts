// Liveness, readiness and metrics. Liveness says only that the process answers; readiness says a delivery
// could be handed to Temporal right now, so a load balancer stops sending webhooks to a receiver that would
// answer 503 to each of them.
import Router from '@koa/router';
import { withTimeout, type EventHandoff } from './handoff.js';
import type { ReceiverMetrics } from './metrics.js';
import { HttpProblem } from '../shared/http-problem.js';

/** Shorter than common probe timeouts, so a slow Temporal reads as "not ready" rather than a hung probe. */
export const READINESS_TIMEOUT_MS = 2_000;

export function createOpsRouter(deps: { handoff: EventHandoff; metrics: ReceiverMetrics }): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await withTimeout(READINESS_TIMEOUT_MS, (signal) => deps.handoff.checkReady(signal));
    } catch (error) {
      throw new HttpProblem(503, 'Temporal is not reachable', 'not_ready', {}, { cause: error });
    }
    ctx.body = { status: 'ready' };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}
