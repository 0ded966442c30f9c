// The receiver process: loads configuration and secrets, connects to Temporal lazily (so it starts, and
// reports not-ready, while Temporal is still coming up), listens, re-reads secrets on SIGHUP, and on
// SIGTERM/SIGINT stops accepting, lets in-flight deliveries finish their hand-off, then closes Temporal.
import { createServer, type Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type Router from '@koa/router';
import { loadConfig, type Config } from '../shared/config.js';
import { createControlRouter } from '../control/router.js';
import type { PipelineRegistry } from '../pipelines/registry.js';
import { warnWhenPipelinesChange } from '../pipelines/source-watch.js';
import { configDefaults } from '../project/config.js';
import { loadProject, projectSources } from '../project/load.js';
import { exitCodeOf } from '../pipelines/startup-errors.js';
import { createLogger } from '../shared/logger.js';
import { createReceiverApp } from './app.js';
import { createTemporalHandoff, handoffConnectionOptions, namespaceRetentionSeconds } from './handoff.js';
import { createTemporalProviderHandoff } from './provider-handoff.js';
import { SigningSecrets } from './secrets.js';
import { listen } from '../shared/listen.js';

/** In-flight deliveries get this long after SIGTERM; then remaining sockets are cut. */
const SHUTDOWN_GRACE_MS = 15_000;

async function closeServer(server: Server, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    logger.warn('shutdown grace over; closing remaining connections');
    server.closeAllConnections();
  }, SHUTDOWN_GRACE_MS);
  await closed;
  clearTimeout(timer);
}

/** Best effort: Temporal may not be up yet, and readiness already reports that. */
async function warnIfDedupeWindowShort(
  client: Client,
  toleranceSeconds: number,
  logger: Logger,
): Promise<void> {
  try {
    const retentionSeconds = await namespaceRetentionSeconds(client);
    if (retentionSeconds >= toleranceSeconds) return;
    logger.warn(
      { retentionSeconds, toleranceSeconds, namespace: client.options.namespace },
      'namespace retention is shorter than WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS: a late duplicate of a long-settled run would be recorded again (see docs/webhooks.md)',
    );
  } catch (error) {
    logger.debug({ err: error }, 'could not read the namespace retention');
  }
}

/** The control API is served only when a token is configured: no token, no unauthenticated door. */
function controlRouter(
  config: Config,
  client: Client,
  registry: PipelineRegistry,
  logger: Logger,
): Router | undefined {
  if (!config.CONTROL_API_TOKEN) {
    logger.info('CONTROL_API_TOKEN is not set: the control API (/api) is off');
    return undefined;
  }
  return createControlRouter({
    client,
    registry,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    token: config.CONTROL_API_TOKEN,
    logger,
  });
}

async function main(): Promise<void> {
  const project = await loadProject();
  const config = loadConfig({ ...configDefaults(project.config), ...process.env });
  const logger = createLogger('receiver', config.LOG_LEVEL);
  const secrets = await SigningSecrets.load({
    envSecrets: config.WEBHOOK_SIGNING_SECRETS,
    filePath: config.WEBHOOK_SECRETS_FILE,
    logger,
  });
  secrets.watch();
  const connection = Connection.lazy(
    handoffConnectionOptions(config.TEMPORAL_ADDRESS, config.WEBHOOK_HANDOFF_TIMEOUT_MS),
  );
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const handoff = createTemporalHandoff({
    client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    reconcileAfterMs: config.RUN_RECONCILE_AFTER_SECONDS * 1000,
  });
  const app = createReceiverApp({
    config,
    secrets,
    handoff,
    providerHandoff: createTemporalProviderHandoff({ client, taskQueue: config.TEMPORAL_TASK_QUEUE }),
    logger,
    controlRouter: controlRouter(config, client, project.registry, logger),
  });

  const server = createServer(app.callback());
  const address = await listen(server, config.RECEIVER_PORT, config.RECEIVER_HOST);
  logger.info(
    { url: `http://${address.address}:${address.port}`, taskQueue: config.TEMPORAL_TASK_QUEUE },
    'receiver listening',
  );

  void warnIfDedupeWindowShort(client, config.WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS, logger);
  // Only the control API serves pipelines; a receiver without one cannot run an outdated set.
  const stopWatching = config.CONTROL_API_TOKEN
    ? warnWhenPipelinesChange(logger, projectSources(project))
    : () => {};

  process.on('SIGHUP', () => void secrets.reload());
  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'shutting down: finishing in-flight deliveries');
    await closeServer(server, logger);
    stopWatching();
    secrets.close();
    await connection.close();
    logger.info('receiver stopped');
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

// Awaited, so that `twinflow receiver`, which imports this module, has it listening before it returns.
await main().catch((error: unknown) => {
  // The logger may not exist yet (bad configuration): stderr, message only, never the environment.
  process.stderr.write(
    `receiver failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(exitCodeOf(error));
});
