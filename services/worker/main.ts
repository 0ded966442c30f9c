// The worker process: `npm run worker`. Reads the configuration once, refuses to start without a Twin API key
// (every activity needs it), exposes Temporal's metrics for Prometheus, and stops cleanly on SIGINT/SIGTERM:
// the SDK lets in-flight tasks finish before the process exits.
import { NativeConnection, Runtime } from '@temporalio/worker';
import { warnWhenPipelinesChange } from '../pipelines/source-watch.js';
import { configDefaults } from '../project/config.js';
import { loadProject, projectSources } from '../project/load.js';
import { ConfigError, loadConfig } from '../shared/config.js';
import { exitCodeOf } from '../pipelines/startup-errors.js';
import { createLogger } from '../shared/logger.js';
import { clientsFromConfig } from '../../providers/registry.js';
import { temporalLogger } from './temporal-logger.js';
import { createWorkers } from './worker.js';
import { workflowsEntry } from './workflow-bundle.js';

async function main(): Promise<void> {
  // Before anything connects: a broken definition is reported once, not after every reconnect.
  const project = await loadProject();
  const config = loadConfig({ ...configDefaults(project.config), ...process.env });
  const logger = createLogger('worker', config.LOG_LEVEL);
  const stopWatching = warnWhenPipelinesChange(logger, projectSources(project));
  if (!config.TWIN_API_KEY) {
    throw new ConfigError([
      'TWIN_API_KEY is not set: the worker calls Twin on behalf of every workflow and cannot start without it',
    ]);
  }
  Runtime.install({
    logger: temporalLogger(logger),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      metrics: { prometheus: { bindAddress: `${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}` } },
    },
  });
  const clients = clientsFromConfig(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    // The same pipelines the CLI and the control API register, so a Twin run's end triggers what they list.
    const workers = await createWorkers({
      config,
      connection,
      clients,
      logger,
      pipelines: project.registry,
      workflowsPath: await workflowsEntry(project.workflowsPath, project.dir),
    });
    logger.info(
      { metrics: `${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}` },
      'prometheus metrics exposed',
    );
    await workers.run();
  } finally {
    stopWatching();
    await connection.close();
  }
}

// Awaited, so that `twinflow worker`, which imports this module, lasts as long as the worker does.
await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(exitCodeOf(error));
});
