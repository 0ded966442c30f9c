// twinflow as separate processes, for faults that only a real process can suffer: a private Temporal dev
// server persisted to SQLite (so it can be stopped and started again on the same port), the emulator, and the
// worker and receiver as `tsx …/main.ts` children. Everything listens on 127.0.0.1; ports are picked once and
// kept across restarts, because Twin's webhooks and the workers point at them.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { ControlDeps } from '../../services/control/pipelines.js';
import { createPipelineRegistry } from '../../services/pipelines/registry.js';
import { createLogger } from '../../services/shared/logger.js';
import { freePort } from '../../services/shared/processes.js';
import {
  startTemporalDevServer,
  type RunningDevServer,
} from '../../services/dev-stack/temporal-dev-server.js';
import { startEmulator } from '../../providers/twin/emulator/server.js';
import { chaosPipeline } from './chaos-pipelines.js';
import { readLogs, type LogText } from './chaos-evidence.js';
import { RECEIVER_MAIN, startService, WORKER_MAIN, type ServiceProcess } from './chaos-processes.js';
import { keepLogsForDebugging } from './chaos-stack.js';
import { setUpChaosTwin, type ChaosTwin } from './chaos-twin.js';
import { uniqueTaskQueue } from './temporal.js';

export interface ProcessStackOptions {
  prefix: string;
  pipelines: number;
  runDurationMs: number;
  /** Extra worker environment (TWIN_API_TIMEOUT_MS, …), over the defaults below. */
  workerEnv?: Record<string, string>;
}

/** The trackers' silence window of the worker process, in seconds. */
export const PROCESS_RECONCILE_AFTER_SECONDS = 2;

export interface ProcessStack {
  client: Client;
  controlDeps: ControlDeps;
  twin: ChaosTwin;
  worker: ServiceProcess;
  receiver: ServiceProcess;
  receiverUrl: string;
  taskQueue: string;
  /** SIGTERM to the dev server; its SQLite file keeps every workflow. */
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  /** Stops every process, removes the stack's files, returns what each part logged; later calls wait for the first. */
  close(): Promise<LogText[]>;
}

export async function startProcessStack(options: ProcessStackOptions): Promise<ProcessStack> {
  const dir = await mkdtemp(path.join(tmpdir(), `${options.prefix}-`));
  // SQLite on this VM's disk is ~8x slower than on tmpfs (every commit is an fsync); persistence across a
  // server restart is the same either way.
  const dbDir = await mkdtemp(
    path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `${options.prefix}-temporal-`),
  );
  const temporalPort = await freePort();
  const devServer = () =>
    startTemporalDevServer({
      port: temporalPort,
      headless: true,
      dbFilename: path.join(dbDir, 'temporal.db'),
    });
  let server: RunningDevServer | undefined = await devServer();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = uniqueTaskQueue(options.prefix);

  const emulatorLog = path.join(dir, 'emulator.log');
  const emulatorStream = createWriteStream(emulatorLog);
  const emulator = await startEmulator({
    port: 0,
    // Only what Twin's documents promise: no user_message or outcome on run objects, outcomes by webhook only.
    profile: 'documented',
    logger: createLogger('twin-emulator', 'debug', emulatorStream),
  });
  const receiverPort = await freePort();
  const receiverUrl = `http://127.0.0.1:${receiverPort}`;
  const secretsFile = path.join(dir, 'secrets', 'webhook-secrets.json');
  const twin = await setUpChaosTwin({
    emulatorUrl: emulator.url,
    webhookUrl: `${receiverUrl}/webhooks/twin`,
    secretsFile,
    pipelines: options.pipelines,
    runDurationMs: options.runDurationMs,
    prefix: options.prefix,
  });

  const common = { TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'debug' };
  const worker = await startService({
    name: 'worker',
    script: WORKER_MAIN,
    logFile: path.join(dir, 'worker.log'),
    readyMessage: 'workers running',
    env: {
      ...common,
      TWIN_API_BASE_URL: emulator.url,
      TWIN_API_KEY: twin.apiKey,
      WORKER_METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: String(await freePort()),
      RUN_RECONCILE_AFTER_SECONDS: String(PROCESS_RECONCILE_AFTER_SECONDS),
      AGENT_CONCURRENCY_DEFAULT: '8',
      TWIN_API_RATE_LIMIT_PER_SECOND: '1000',
      TWIN_POLL_RATE_LIMIT_PER_SECOND: '200',
      ...options.workerEnv,
    },
  });
  const receiver = await startService({
    name: 'receiver',
    script: RECEIVER_MAIN,
    logFile: path.join(dir, 'receiver.log'),
    readyMessage: 'receiver listening',
    env: {
      ...common,
      RECEIVER_HOST: '127.0.0.1',
      RECEIVER_PORT: String(receiverPort),
      WEBHOOK_SECRETS_FILE: secretsFile,
    },
  });

  const controlDeps: ControlDeps = { client, registry: createPipelineRegistry([chaosPipeline]), taskQueue };
  let closing: Promise<LogText[]> | undefined;
  const shutdown = async (): Promise<LogText[]> => {
    await worker.stop();
    await receiver.stop();
    await emulator.close();
    await new Promise<void>((resolve) => emulatorStream.end(resolve));
    await connection.close();
    await server?.stop();
    const logs = await readLogs([emulatorLog, worker.logFile, receiver.logFile]);
    await keepLogsForDebugging([emulatorLog, worker.logFile, receiver.logFile]);
    await rm(dir, { recursive: true, force: true });
    await rm(dbDir, { recursive: true, force: true });
    return logs;
  };
  return {
    client,
    controlDeps,
    twin,
    worker,
    receiver,
    receiverUrl,
    taskQueue,
    async stopTemporal() {
      await server?.stop();
      server = undefined;
    },
    async startTemporal() {
      server = await devServer();
    },
    close: () => (closing ??= shutdown()),
  };
}
