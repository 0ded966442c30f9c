// The whole of twinflow as separate processes, the way it is deployed: a Temporal dev server (headless, in
// memory) or a server the caller started (the cluster), the Twin emulator, the receiver
// (services/receiver/main.ts) and one or more workers (createWorkers), plus a client in the bench process that
// starts pipelines. Agents are created with instant scripts and each gets a webhook to the receiver, whose
// signing secrets the receiver is started with.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../services/shared/config.js';
import { freePort } from '../../services/shared/processes.js';
import {
  startTemporalDevServer,
  type RunningDevServer,
} from '../../services/dev-stack/temporal-dev-server.js';
import { createTwinClient } from '../../providers/twin/client/client.js';
import { WEBHOOK_EVENTS } from '../../providers/twin/vocabulary/run-status.js';
import { EmulatorControl, type RunBehaviourInput } from '../../providers/twin/emulator/control-client.js';
import type { BenchContext } from './benchmark.js';
import { mapLimit } from '../../services/shared/map-limit.js';
import type { TemporalCluster } from '../../scripts/cluster.js';
import {
  cpuSecondsOf,
  peakRssOf,
  startNodeProcess,
  stopAll,
  treeCpuSecondsOf,
  waitForHttp,
  type NodeProcess,
} from './processes.js';

/** A Temporal server the stack runs against instead of a dev server of its own; the caller stops it. */
export interface TemporalTarget {
  address: string;
  namespace: string;
  /** CPU seconds used so far by each process that serves it ("temporal", "postgres", …). */
  cpuSeconds(): Promise<Record<string, number | undefined>>;
  /** VmHWM of the Temporal server process. */
  peakRssBytes(): Promise<number | undefined>;
}

/** A cluster from scripts/cluster.ts as a stack's server: its CPU is the server process's and PostgreSQL's. */
export function clusterTarget(cluster: TemporalCluster): TemporalTarget {
  return {
    address: cluster.address,
    namespace: cluster.namespace,
    cpuSeconds: async () => ({
      temporal: await cpuSecondsOf(await cluster.serverPid()),
      postgres: await treeCpuSecondsOf(await cluster.postgresPid()),
    }),
    peakRssBytes: async () => peakRssOf(await cluster.serverPid()),
  };
}

/** The worker settings a benchmark may change; anything unset keeps the project default. */
export type WorkerSettings = Partial<
  Record<
    'AGENT_CONCURRENCY_DEFAULT' | 'TWIN_API_RATE_LIMIT_PER_SECOND' | 'TWIN_POLL_RATE_LIMIT_PER_SECOND',
    number
  >
>;

/**
 * The project's Twin API budgets (20 activities/s on the main queue, 5 polls/s) exist to protect the real
 * Twin; the emulator needs no protection, and at those budgets a benchmark would measure them instead of
 * twinflow. Benchmarks that measure speed raise them and say so.
 */
export const UNLIMITED_TWIN_BUDGET: WorkerSettings = {
  TWIN_API_RATE_LIMIT_PER_SECOND: 10_000,
  TWIN_POLL_RATE_LIMIT_PER_SECOND: 10_000,
};

export interface StackOptions {
  agents: number;
  worker?: WorkerSettings;
  /** Worker processes on the one task queue; default 1. */
  workers?: number;
  /** Default: a dev server of the stack's own. */
  temporal?: TemporalTarget;
}

export interface BenchStack {
  client: Client;
  taskQueue: string;
  agentIds: string[];
  control: EmulatorControl;
  worker: NodeProcess;
  receiver: NodeProcess;
  emulator: NodeProcess;
  /** Every worker process; `worker` is the first. */
  workers: NodeProcess[];
  /** CPU seconds used so far by each process serving Temporal: "temporal" for the dev server. */
  serverCpuSeconds(): Promise<Record<string, number | undefined>>;
  /** VmHWM of the Temporal server process. */
  serverPeakRssBytes(): Promise<number | undefined>;
  /** The effective configuration the worker runs with (for the notes). */
  workerEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Every agent's runs complete at once: what is measured is twinflow, not the agent. */
const INSTANT_RUN: RunBehaviourInput = { durationMs: 0, result: 'completed', outcome: 'success' };
const SETUP_CONCURRENCY = 20;

export async function startStack(ctx: BenchContext, options: StackOptions): Promise<BenchStack> {
  const stoppable: { stop(): Promise<void> }[] = [];
  let connection: Connection | undefined;
  try {
    const temporal = options.temporal ?? (await startDevServer(stoppable));
    const common = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_TASK_QUEUE: 'twinflow-bench',
      LOG_LEVEL: 'warn',
    };
    const profile = { cpuProfileDir: ctx.cpuProfileDir };

    const emulatorPort = await freePort();
    const emulator = await startNodeProcess({
      name: 'emulator',
      entry: 'providers/twin/emulator/main.ts',
      // Only what Twin's documents promise (run objects without outcome or user_message; outcomes by webhook):
      // the figures are for the Twin that exists.
      env: {
        ...common,
        EMULATOR_HOST: '127.0.0.1',
        EMULATOR_PORT: String(emulatorPort),
        EMULATOR_PROFILE: 'documented',
      },
      ...profile,
    });
    stoppable.push(emulator);
    const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
    await waitForHttp(`${emulatorUrl}/_emulator/health`, 'the emulator');

    const control = new EmulatorControl(emulatorUrl);
    const { api_key: apiKey } = await control.createApiKey({ name: 'bench' });
    const twin = createTwinClient({ baseUrl: emulatorUrl, apiKey, timeoutMs: 10_000 });
    const receiverPort = await freePort();
    const receiverUrl = `http://127.0.0.1:${receiverPort}`;
    const agentIds = Array.from(
      { length: options.agents },
      (_, i) => `agent_bench_${i}_${randomUUID().slice(0, 6)}`,
    );
    const secrets = await mapLimit(agentIds, SETUP_CONCURRENCY, async (agentId) => {
      await control.createAgent({ agent_id: agentId, script: [INSTANT_RUN] });
      const hook = await twin.createWebhook(agentId, {
        url: `${receiverUrl}/webhooks/twin`,
        events: [...WEBHOOK_EVENTS],
      });
      return hook.signing_secret;
    });

    const receiver = await startNodeProcess({
      name: 'receiver',
      entry: 'services/receiver/main.ts',
      env: {
        ...common,
        LOG_LEVEL: 'info',
        RECEIVER_HOST: '127.0.0.1',
        RECEIVER_PORT: String(receiverPort),
        WEBHOOK_SIGNING_SECRETS: secrets.join(','),
        WEBHOOK_SECRETS_FILE: path.join(ctx.tempDir, `no-secrets-file-${receiverPort}.json`),
      },
      ...profile,
    });
    stoppable.push(receiver);
    await waitForHttp(`${receiverUrl}/readyz`, 'the receiver');

    const workerEnv: Record<string, string> = {
      ...common,
      TWIN_API_BASE_URL: emulatorUrl,
      TWIN_API_KEY: apiKey,
      BENCH_WORKFLOW_BUNDLE: await ctx.workflowBundle(),
      ...Object.fromEntries(Object.entries(options.worker ?? {}).map(([key, value]) => [key, String(value)])),
    };
    const workers: NodeProcess[] = [];
    const count = options.workers ?? 1;
    for (let i = 0; i < count; i++) {
      const worker = await startNodeProcess({
        name: count === 1 ? 'worker' : `worker-${i + 1}`,
        entry: 'bench/processes/worker.ts',
        env: workerEnv,
        ...profile,
      });
      stoppable.push(worker);
      workers.push(worker);
    }
    await Promise.all(workers.map((worker) => worker.message('ready')));

    connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: temporal.namespace });
    const openConnection = connection;
    return {
      client,
      taskQueue: common.TEMPORAL_TASK_QUEUE,
      agentIds,
      control,
      worker: workers[0] as NodeProcess,
      workers,
      receiver,
      emulator,
      workerEnv,
      serverCpuSeconds: () => temporal.cpuSeconds(),
      serverPeakRssBytes: () => temporal.peakRssBytes(),
      async close() {
        await openConnection.close();
        await stopAll(stoppable);
      },
    };
  } catch (error) {
    await connection?.close();
    await stopAll(stoppable);
    throw error;
  }
}

/** A headless in-memory dev server, added to `stoppable` so the stack stops it. */
async function startDevServer(stoppable: { stop(): Promise<void> }[]): Promise<TemporalTarget> {
  const server: RunningDevServer = await startTemporalDevServer({ headless: true });
  stoppable.push(server);
  return {
    address: server.address,
    namespace: 'default',
    cpuSeconds: async () => ({ temporal: await cpuSecondsOf(server.process.pid) }),
    peakRssBytes: () => peakRssOf(server.process.pid),
  };
}

/** The settings a stack's worker ran with that matter for the figures, as one line for the notes. */
export function describeWorkerSettings(stack: BenchStack): string {
  const config = loadConfig(stack.workerEnv);
  const settings = {
    AGENT_CONCURRENCY_DEFAULT: config.AGENT_CONCURRENCY_DEFAULT,
    TWIN_API_RATE_LIMIT_PER_SECOND: config.TWIN_API_RATE_LIMIT_PER_SECOND,
    TWIN_POLL_RATE_LIMIT_PER_SECOND: config.TWIN_POLL_RATE_LIMIT_PER_SECOND,
    RUN_RECONCILE_AFTER_SECONDS: config.RUN_RECONCILE_AFTER_SECONDS,
  };
  return `worker settings: ${Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ')}`;
}
