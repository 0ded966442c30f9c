// Entry point for tests and the dev stack: a local Twin on real HTTP. startEmulator() listens (port 0 picks a
// free port) and returns its URL; createEmulatorApp() gives the Koa app without listening, for embedding.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Logger } from 'pino';
import { createLogger } from '../../../services/shared/logger.js';
import { createApiRouter } from './api-routes.js';
import { createControlRouter } from './control-routes.js';
import { createCore, type EmulatorCore } from './core.js';
import { errorMiddleware } from './problem.js';
import { profileRules, type Profile } from './profile.js';
import { DEFAULT_RETRY, type RetryPolicy } from './webhook-delivery.js';
import { listen } from '../../../services/shared/listen.js';

export interface EmulatorOptions {
  /** Which Twin to play (profile.ts); `documented` unless asked otherwise. */
  profile?: Profile;
  host?: string;
  port?: number;
  /** JSON file holding the whole state; loaded on start, rewritten (debounced, atomically) on change. */
  stateFile?: string;
  /** Answer errors in the seed-000 shape `{error:{code,message}}` instead of problem+json, in either profile. */
  legacyErrors?: boolean;
  logger?: Logger;
  /** Seed of the fault injector's PRNG when PUT /_emulator/faults gives none. */
  seed?: number;
  webhookRetry?: Partial<RetryPolicy>;
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface EmulatorApp {
  app: Koa;
  core: EmulatorCore;
}

export async function createEmulatorApp(options: EmulatorOptions = {}): Promise<EmulatorApp> {
  const profile = profileRules(options.profile, 'EmulatorOptions.profile');
  const logger = options.logger ?? createLogger('twin-emulator', 'silent');
  const core = await createCore({
    profile,
    stateFile: options.stateFile,
    seed: options.seed ?? 1,
    retry: { ...DEFAULT_RETRY, ...options.webhookRetry },
    logger,
  });
  const app = new Koa();
  const control = createControlRouter(core);
  const api = createApiRouter(core);
  app.use(errorMiddleware(logger, { legacy: options.legacyErrors ?? false, profile }));
  app.use(control.routes()).use(control.allowedMethods({ throw: true }));
  app.use(api.routes()).use(api.allowedMethods({ throw: true }));
  return { app, core };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const { app, core } = await createEmulatorApp(options);
  const server = createServer(app.callback());
  let address: AddressInfo;
  try {
    address = await listen(server, options.port ?? 0, host);
  } catch (err) {
    await core.shutdown();
    throw err;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await core.shutdown();
    },
  };
}
