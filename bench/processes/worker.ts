// twinflow's workers for the benchmarks: the production factory (createWorkers) with the production
// activities, configured from the environment like services/worker/main.ts, but loading a workflow bundle
// built once per bench run instead of running webpack in every benchmark. Announces readiness over IPC and
// shuts down cleanly on SIGTERM (so `--cpu-prof` can write its profile).
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import { createTwinClient } from '../../providers/twin/client/client.js';
import { temporalLogger } from '../../services/worker/temporal-logger.js';
import { createWorkers } from '../../services/worker/worker.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const codePath = process.env.BENCH_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('BENCH_WORKFLOW_BUNDLE is not set');
  if (!config.TWIN_API_KEY) throw new Error('TWIN_API_KEY is not set');
  const logger = createLogger('worker', config.LOG_LEVEL);
  Runtime.install({ logger: temporalLogger(logger), shutdownSignals: [] });
  const twin = createTwinClient({
    baseUrl: config.TWIN_API_BASE_URL,
    apiKey: config.TWIN_API_KEY,
    timeoutMs: config.TWIN_API_TIMEOUT_MS,
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workers = await createWorkers({
    config,
    connection,
    clients: { twin },
    logger,
    workflowBundle: { codePath },
  });
  const running = workers.run();
  process.once('SIGTERM', () => {
    workers.shutdown();
    running
      .finally(() => connection.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
  process.send?.({ type: 'ready' });
  await running;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
