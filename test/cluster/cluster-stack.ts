// twinflow as it runs in production, against a real Temporal cluster (test/support/cluster.ts): several worker
// and receiver processes (`node --import tsx services/*/main.ts`, from test/support/chaos-processes.ts) on one
// task queue, the Twin emulator in this process with the `documented` profile, and Twin set up as in
// chaos-twin.ts — except that every agent has one webhook per receiver, so each event reaches every receiver
// and a receiver that dies leaves the others to take the deliveries (and their concurrent signals to one
// tracker are part of the test).
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { ControlDeps } from '../../services/control/pipelines.js';
import { createPipelineRegistry } from '../../services/pipelines/registry.js';
import {
  readSecretsFile,
  withWebhookEntry,
  writeSecretsFile,
  type SecretsFile,
} from '../../services/shared/secrets-file.js';
import { createLogger } from '../../services/shared/logger.js';
import { freePort } from '../../services/shared/processes.js';
import { WEBHOOK_EVENTS } from '../../providers/twin/vocabulary/run-status.js';
import { createEmulatorApp } from '../../providers/twin/emulator/server.js';
import { chaosPipeline } from '../support/chaos-pipelines.js';
import { readLogs, type LogText } from '../support/chaos-evidence.js';
import { RECEIVER_MAIN, startService, WORKER_MAIN, type ServiceProcess } from '../support/chaos-processes.js';
import { setUpChaosTwin, type ChaosTwin } from '../support/chaos-twin.js';
import type { TemporalCluster } from '../support/cluster.js';
import { uniqueTaskQueue } from '../support/temporal.js';

export interface ClusterStackOptions {
  cluster: TemporalCluster;
  prefix: string;
  pipelines: number;
  runDurationMs: number;
  workers: number;
  receivers: number;
  /** Worker environment over the defaults below (TWIN_API_TIMEOUT_MS, AGENT_CONCURRENCY_DEFAULT, …). */
  workerEnv?: Record<string, string>;
}

export interface ClusterStack {
  client: Client;
  controlDeps: ControlDeps;
  twin: ChaosTwin;
  workers: ServiceProcess[];
  receivers: ServiceProcess[];
  receiverUrls: string[];
  taskQueue: string;
  /** Every signing secret Twin handed out (one per agent and receiver). */
  signingSecrets: string[];
  /** How the emulator answered the public API (`/v1/…`), by status: the 429s and 500s it injected among them. */
  apiAnswers: Record<number, number>;
  /** Stops every process, removes the stack's files, returns what each part logged; later calls wait for the first. */
  close(): Promise<LogText[]>;
}

/** Workers bundle the workflow code at start; two at once on two busy cores take a while. */
const WORKER_READY_TIMEOUT_MS = 240_000;

export async function startClusterStack(options: ClusterStackOptions): Promise<ClusterStack> {
  const { cluster } = options;
  const dir = await mkdtemp(path.join(tmpdir(), `${options.prefix}-`));
  const connection = await Connection.connect({ address: cluster.address });
  const client = new Client({ connection, namespace: cluster.namespace });
  const taskQueue = uniqueTaskQueue(options.prefix);
  const started: ServiceProcess[] = [];
  const emulatorLog = path.join(dir, 'emulator.log');
  const emulatorStream = createWriteStream(emulatorLog);
  const emulator = await startCountingEmulator(createLogger('twin-emulator', 'info', emulatorStream));
  const stop = async () => {
    for (const service of started) await service.stop();
    await emulator.close();
    await new Promise<void>((resolve) => emulatorStream.end(resolve));
    await connection.close();
  };
  try {
    const receiverPorts = await Promise.all(Array.from({ length: options.receivers }, () => freePort()));
    const receiverUrls = receiverPorts.map((port) => `http://127.0.0.1:${port}`);
    const hookUrl = (url: string) => `${url}/webhooks/twin`;
    const secretsFile = path.join(dir, 'secrets', 'webhook-secrets.json');
    const twin = await setUpChaosTwin({
      emulatorUrl: emulator.url,
      webhookUrl: hookUrl(receiverUrls[0] as string),
      secretsFile,
      pipelines: options.pipelines,
      runDurationMs: options.runDurationMs,
      prefix: options.prefix,
    });
    // A webhook per agent for every further receiver, its secret in the same file (each receiver reads all).
    let file: SecretsFile = await readSecretsFile(secretsFile);
    for (const url of receiverUrls.slice(1)) {
      for (const agentId of [...twin.secretOfAgent.keys()]) {
        const hook = await twin.twin.createWebhook(agentId, {
          url: hookUrl(url),
          events: [...WEBHOOK_EVENTS],
        });
        file = withWebhookEntry(file, {
          webhook_id: hook.webhook_id,
          agent_id: agentId,
          url: hookUrl(url),
          signing_secret: hook.signing_secret,
          created_at: hook.created_at ?? new Date().toISOString(),
        });
      }
    }
    await writeSecretsFile(secretsFile, file);

    const common = {
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: cluster.namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'info',
    };
    const receivers: ServiceProcess[] = [];
    for (const [index, port] of receiverPorts.entries()) {
      const receiver = await startService({
        name: `receiver-${index + 1}`,
        script: RECEIVER_MAIN,
        logFile: path.join(dir, `receiver-${index + 1}.log`),
        readyMessage: 'receiver listening',
        env: {
          ...common,
          RECEIVER_HOST: '127.0.0.1',
          RECEIVER_PORT: String(port),
          WEBHOOK_SECRETS_FILE: secretsFile,
        },
      });
      started.push(receiver);
      receivers.push(receiver);
    }
    const workerEnv = async () => ({
      ...common,
      TWIN_API_BASE_URL: emulator.url,
      TWIN_API_KEY: twin.apiKey,
      WORKER_METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: String(await freePort()),
      RUN_RECONCILE_AFTER_SECONDS: '2',
      TWIN_API_RATE_LIMIT_PER_SECOND: '1000',
      TWIN_POLL_RATE_LIMIT_PER_SECOND: '200',
      ...options.workerEnv,
    });
    // One after the other: each bundles the workflow code at start, which takes both cores for a while.
    const workers: ServiceProcess[] = [];
    for (let index = 0; index < options.workers; index++) {
      const worker = await startService({
        name: `worker-${index + 1}`,
        script: WORKER_MAIN,
        logFile: path.join(dir, `worker-${index + 1}.log`),
        readyMessage: 'workers running',
        readyTimeoutMs: WORKER_READY_TIMEOUT_MS,
        env: await workerEnv(),
      });
      started.push(worker);
      workers.push(worker);
    }

    const controlDeps: ControlDeps = { client, registry: createPipelineRegistry([chaosPipeline]), taskQueue };
    const logFiles = [emulatorLog, ...started.map((s) => s.logFile)];
    let closing: Promise<LogText[]> | undefined;
    const shutdown = async (): Promise<LogText[]> => {
      await stop();
      const logs = await readLogs(logFiles);
      await rm(dir, { recursive: true, force: true });
      return logs;
    };
    return {
      client,
      controlDeps,
      twin,
      workers,
      receivers,
      receiverUrls,
      taskQueue,
      signingSecrets: file.webhooks.map((w) => w.signing_secret),
      apiAnswers: emulator.apiAnswers,
      close: () => (closing ??= shutdown()),
    };
  } catch (error) {
    await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The emulator as startEmulator() runs it, on a server of our own that counts every public API answer by status:
 * the workers are other processes, so their Twin calls cannot be counted on their side.
 */
async function startCountingEmulator(logger: ReturnType<typeof createLogger>) {
  const { app, core } = await createEmulatorApp({ profile: 'documented', logger });
  const apiAnswers: Record<number, number> = {};
  const server = createServer(app.callback());
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/v1/')) return;
    res.once('close', () => (apiAnswers[res.statusCode] = (apiAnswers[res.statusCode] ?? 0) + 1));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiAnswers,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await core.shutdown();
    },
  };
}

/** When each Twin run was in progress, by agent: `[started, finished)` in ms, unfinished runs until `now`. */
export interface RunInterval {
  agentId: string;
  startedAt: number;
  finishedAt: number;
}

/** The most runs of one agent in progress at the same instant, per agent (ends sort before starts at a tie). */
export function maxConcurrentByAgent(runs: readonly RunInterval[]): Map<string, number> {
  const byAgent = new Map<string, Array<[number, 1 | -1]>>();
  for (const run of runs) {
    const events = byAgent.get(run.agentId) ?? [];
    events.push([run.startedAt, 1], [run.finishedAt, -1]);
    byAgent.set(run.agentId, events);
  }
  const max = new Map<string, number>();
  for (const [agentId, events] of byAgent) {
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let current = 0;
    let peak = 0;
    for (const [, delta] of events) {
      current += delta;
      peak = Math.max(peak, current);
    }
    max.set(agentId, peak);
  }
  return max;
}
