// Starts a local Twin.ai over real HTTP: every endpoint of seed 003 behind the gate Twin applies (Bearer key,
// per-key minute limit), the seed's `{error}` shape, scripted answers, escalations announced by signed webhooks,
// the monthly answer limit, faults, and a truth view. Binds to 127.0.0.1 by default; port 0 picks a free port.
// Each call is its own instance with its own state.
import { Router } from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { createLogger } from '../../../services/shared/logger.js';
import { serveEmulator } from '../../shared/emulator/serve.js';
import type { AnswerRule, AnswerScript } from './answers.js';
import { createControl, type TwinAiEmulatorControl } from './control.js';
import { createCore } from './core.js';
import { errorMiddleware, type EmulatorState } from './http.js';
import { registerEscalationRoutes } from './routes/escalations.js';
import { registerKbRoutes } from './routes/kb.js';
import { registerTwinRoutes } from './routes/twin.js';
import type { WebhookConfigInput } from './webhooks.js';

export interface TwinAiEmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Answers per month before 402; default 500, the plan the seed's 402 message names. */
  monthlyAnswerLimit?: number;
  /** Confidence below this escalates; default 0.6. */
  escalationThreshold?: number;
  /** Requests per key per minute; default 60, the seed's example header. */
  rateLimitPerMinute?: number;
  script?: AnswerScript;
  rules?: AnswerRule[];
  webhooks?: WebhookConfigInput;
  logger?: Logger;
}

/** A running emulator: its base URL (give it to TwinAiClient as baseUrl) and its control operations. */
export interface RunningTwinAiEmulator extends TwinAiEmulatorControl {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startTwinAiEmulator(
  options: TwinAiEmulatorOptions = {},
): Promise<RunningTwinAiEmulator> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createLogger('twin-ai-emulator', 'silent');
  const core = createCore(
    {
      monthlyAnswerLimit: options.monthlyAnswerLimit ?? 500,
      escalationThreshold: options.escalationThreshold ?? 0.6,
      rateLimitPerMinute: options.rateLimitPerMinute ?? 60,
    },
    logger,
  );
  const control = createControl(core);
  if (options.script) control.setScript(options.script);
  if (options.rules) control.setRules(options.rules);
  if (options.webhooks) control.setWebhooks(options.webhooks);

  const api = new Router<EmulatorState>();
  for (const register of [registerTwinRoutes, registerKbRoutes, registerEscalationRoutes])
    register(api, core);
  const app = new Koa<EmulatorState>();
  app.use(errorMiddleware(logger));
  app.use(api.routes()).use(api.allowedMethods({ throw: true }));

  const served = await serveEmulator(app, host, options.port ?? 0, () => core.shutdown());
  return { ...control, ...served };
}
