// The worker process: `npm run worker`. Reads the configuration once, refuses to start without a Twin API key
// (every activity needs it), exposes Temporal's metrics for Prometheus, and stops cleanly on SIGINT/SIGTERM:
// the SDK lets in-flight tasks finish before the process exits.
import { NativeConnection, Runtime } from '@temporalio/worker';
import { warnWhenPipelinesChange } from '../pipelines/source-watch.js';
import { configDefaults } from '../project/config.js';
import { loadProject, projectSources } from '../project/load.js';
import { ConfigError, loadConfig, type Config } from '../shared/config.js';
import { exitCodeOf } from '../pipelines/startup-errors.js';
import { createLogger } from '../shared/logger.js';
import { createTwinClient } from '../../providers/twin/client/client.js';
import { ManagedAgentsClient } from '../../providers/managed-agents/index.js';
import { TwinAiClient } from '../../providers/twin-ai/index.js';
import { TwigClient } from '../../providers/twig/index.js';
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
  const twin = createTwinClient({
    baseUrl: config.TWIN_API_BASE_URL,
    apiKey: config.TWIN_API_KEY,
    timeoutMs: config.TWIN_API_TIMEOUT_MS,
  });
  if (config.MANAGED_AGENTS_API_KEY && !config.MANAGED_AGENTS_BASE_URL) {
    throw new ConfigError([
      'MANAGED_AGENTS_API_KEY is set without MANAGED_AGENTS_BASE_URL: the platform has no default address',
    ]);
  }
  const managedAgents =
    config.MANAGED_AGENTS_API_KEY && config.MANAGED_AGENTS_BASE_URL
      ? new ManagedAgentsClient({
          baseUrl: config.MANAGED_AGENTS_BASE_URL,
          apiKey: config.MANAGED_AGENTS_API_KEY,
        })
      : undefined;
  const twinAi = twinAiClient(config);
  const twig = twigClient(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    // The same pipelines the CLI and the control API register, so a Twin run's end triggers what they list.
    const workers = await createWorkers({
      config,
      connection,
      twin,
      managedAgents,
      twinAi,
      twig,
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

/** A provider's client when its key is set; a key or address of the wrong shape is refused like any configuration. */
function providerClient<T>(
  apiKey: string | undefined,
  settings: string,
  build: (key: string) => T,
): T | undefined {
  if (!apiKey) return undefined;
  try {
    return build(apiKey);
  } catch (error) {
    // The client's message names the problem and never shows the key.
    throw new ConfigError([`${settings}: ${(error as Error).message}`]);
  }
}

function twinAiClient(config: Config): TwinAiClient | undefined {
  return providerClient(
    config.TWIN_AI_API_KEY,
    'TWIN_AI_API_KEY / TWIN_AI_BASE_URL',
    (apiKey) => new TwinAiClient({ apiKey, baseUrl: config.TWIN_AI_BASE_URL }),
  );
}

/** Without TWIG_BASE_URL, the client's own default (https://api.twig.so). */
function twigClient(config: Config): TwigClient | undefined {
  return providerClient(
    config.TWIG_API_KEY,
    'TWIG_API_KEY / TWIG_BASE_URL',
    (apiKey) => new TwigClient({ apiKey, baseUrl: config.TWIG_BASE_URL, timeoutMs: config.TWIG_TIMEOUT_MS }),
  );
}

// Awaited, so that `twinflow worker`, which imports this module, lasts as long as the worker does.
await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(exitCodeOf(error));
});
