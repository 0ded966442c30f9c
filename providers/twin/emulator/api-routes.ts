// The public Twin API surface (seed 001): /v1/… and /api/public/v1/…. Faults are injected before
// authentication, as a rate limiter in front of the real service would; the control API never sees them.
import { Router } from '@koa/router';
import { registerAgentRoutes } from './api/agents.js';
import { registerGatewayRoutes } from './api/gateway.js';
import { registerInstructionRoutes } from './api/instructions.js';
import { registerKeyRoutes } from './api/keys.js';
import { registerRunRoutes } from './api/runs.js';
import { registerScheduleRoutes } from './api/schedules.js';
import { registerWebhookRoutes } from './api/webhooks.js';
import { registerWorkspaceRoutes } from './api/workspaces.js';
import { authMiddleware } from './auth.js';
import type { EmulatorCore } from './core.js';
import type { ApiState } from './http.js';

export function createApiRouter(core: EmulatorCore): Router<ApiState> {
  const router = new Router<ApiState>();
  router.use(core.faults.apiMiddleware(), authMiddleware(core.store));
  for (const register of [
    registerKeyRoutes,
    registerAgentRoutes,
    registerRunRoutes,
    registerWebhookRoutes,
    registerScheduleRoutes,
    registerInstructionRoutes,
    registerWorkspaceRoutes,
    registerGatewayRoutes,
  ]) {
    register(router, core);
  }
  return router;
}
