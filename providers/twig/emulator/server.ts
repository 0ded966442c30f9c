// Starts a local Twig over real HTTP: the seed's endpoints behind the same gate Twig applies (key, scope, rate
// limit), the seed's error shape, signed webhooks, and the control API. Binds to 127.0.0.1 by default because the
// control API is unauthenticated; port 0 picks a free port. Each call is its own instance with its own state.
import { Router } from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { createLogger } from '../../../services/shared/logger.js';
import { serveEmulator } from '../../shared/emulator/serve.js';
import type { TwigScope } from '../endpoints.js';
import type { RateLimit } from '../rate-budget.js';
import { createControl, createControlRouter, type TwigEmulatorControl } from './control.js';
import { createCore } from './core.js';
import { errorMiddleware, type EmulatorState } from './errors.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAgentRoutes } from './routes/agents.js';
import { registerDataSourceRoutes } from './routes/data-sources.js';
import { registerInteractionRoutes } from './routes/interactions.js';
import { registerKbRoutes } from './routes/kb.js';
import { registerQueryRoutes } from './routes/query.js';

export interface TwigEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Server-side limits per scope and key; default the seed's table. */
  rateLimits?: Partial<Record<TwigScope, RateLimit>>;
  logger?: Logger;
}

/** A running emulator: its base URL (give it to TwigClient as baseUrl) and its control operations. */
export interface RunningTwigEmulator extends TwigEmulatorControl {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startTwigEmulator(options: TwigEmulatorOptions = {}): Promise<RunningTwigEmulator> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createLogger('twig-emulator', 'silent');
  const core = createCore(options.rateLimits ?? {}, logger);
  const control = createControl(core);
  const api = new Router<EmulatorState>();
  for (const register of [
    registerQueryRoutes,
    registerAgentRoutes,
    registerDataSourceRoutes,
    registerInteractionRoutes,
    registerAdminRoutes,
    registerKbRoutes,
  ]) {
    register(api, core);
  }
  const controlRouter = createControlRouter(control);
  const app = new Koa<EmulatorState>();
  app.use(errorMiddleware(logger));
  app.use(controlRouter.routes()).use(controlRouter.allowedMethods({ throw: true }));
  app.use(api.routes()).use(api.allowedMethods({ throw: true }));

  const served = await serveEmulator(app, host, options.port ?? 0, () => core.shutdown());
  return { ...control, ...served };
}
