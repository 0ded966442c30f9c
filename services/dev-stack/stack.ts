// The local stack as one supervised group: Temporal dev server, then (without TWIN_API_KEY) the Twin emulator
// and its seed, (without MANAGED_AGENTS_API_KEY) the managed-agent emulator, then the receiver and the worker. Order matters: the worker needs the API key the seed
// creates, and the receiver should have the webhook secrets before the first delivery. Stopping goes in
// reverse, Temporal last, so nothing loses its server while it still finishes work.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startTemporalDevServer } from './temporal-dev-server.js';
import { roleAgentEnv } from '../project/config.js';
import { httpOk, waitUntil, workerPolling } from './readiness.js';
import { configuredPlatform, managedAgentsEmulator, type ManagedAgentsPlatform } from './managed-agents.js';
import { providerEmulators, type ProviderEmulator } from './provider-emulators.js';
import { seedEmulator, type SeedResult } from './seed.js';
import type { StackSettings } from './settings.js';
import type { StackLog } from './stack-log.js';
import { ensureControlToken, writeStackState, type ControlToken } from './stack-state.js';
import {
  nodeService,
  supervise,
  type NodeServiceSpec,
  type SupervisedService,
  type Supervision,
} from './supervisor.js';

export interface RunningStack {
  settings: StackSettings;
  controlToken: ControlToken;
  seed?: SeedResult;
  /** The platform behind session steps: the stack's emulator, the user's own, or none. */
  managedAgents?: ManagedAgentsPlatform;
  /** The Twin.ai and Twig emulators this start runs (platforms without a key of the user's own). */
  providers: ProviderEmulator[];
  /** Stops every process, in reverse start order. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface StackOptions {
  settings: StackSettings;
  log: StackLog;
  /** Set when a stop was requested while starting: the start gives up at the next step. */
  aborted?: () => boolean;
}

export async function startStack({ settings, log, aborted }: StackOptions): Promise<RunningStack> {
  await mkdir(settings.dataDir, { recursive: true });
  const controlToken = await ensureControlToken(settings.dataDir, settings.config.CONTROL_API_TOKEN);
  const started: Supervision[] = [];
  let stopped: Promise<void> | undefined;
  const shuttingDown = () => stopped !== undefined || aborted?.() === true;
  const stop = () => (stopped ??= stopAll(started, log));
  const checkAborted = () => {
    if (shuttingDown()) throw new Error('start-up interrupted');
  };
  const superviseHere = (service: SupervisedService, sources?: string[]) =>
    supervise(service, { log, shuttingDown, sources });
  try {
    started.push(await superviseHere(temporalService(settings, log, shuttingDown)));
    checkAborted();
    let seed: SeedResult | undefined;
    if (settings.emulator) {
      started.push(
        await superviseHere(
          nodeService(serviceSpec(settings, 'emulator', 'providers/twin/emulator', emulatorEnv(settings))),
        ),
      );
      await waitUntil(() => httpOk(`${settings.emulator?.url}/_emulator/health`), {
        what: 'the emulator',
        log,
        aborted: shuttingDown,
      });
      seed = await seedEmulator({ settings, log });
    }
    checkAborted();
    let managedAgents = configuredPlatform(settings);
    if (settings.managedAgentsEmulator) {
      const emulator = managedAgentsEmulator(settings, baseEnv(settings));
      started.push(await superviseHere(emulator.service));
      await emulator.ready(log, shuttingDown);
      managedAgents = emulator.platform;
    }
    const providers = providerEmulators(settings, baseEnv(settings));
    for (const provider of providers) {
      started.push(await superviseHere(provider.service));
      await provider.ready(log, shuttingDown);
    }
    checkAborted();
    // Written before the services start, so the seeded API key is reused even if this start fails later.
    await writeStackState(settings.dataDir, {
      emulator: seed ? { url: seed.emulatorUrl, apiKey: seed.apiKey } : undefined,
      demoAgents: [...(seed?.agents ?? []), ...(managedAgents?.agents ?? [])].map(({ role, agentId }) => ({
        role,
        agentId,
      })),
      temporalAddress: settings.temporal.address,
      webUiUrl: settings.temporal.uiUrl,
      receiverUrl: settings.receiver.url,
    });
    const twin = seed ? { baseUrl: seed.emulatorUrl, apiKey: seed.apiKey } : twinFromConfig(settings);
    const env = {
      ...serviceEnv(settings, controlToken.token, twin),
      ...(managedAgents && {
        MANAGED_AGENTS_BASE_URL: managedAgents.baseUrl,
        MANAGED_AGENTS_API_KEY: managedAgents.apiKey,
      }),
      ...Object.assign({}, ...providers.map((p) => p.env)),
      ...roleAgentEnv([...(seed?.agents ?? []), ...(managedAgents?.agents ?? [])], process.env),
    };
    const receiver = await superviseHere(
      nodeService(serviceSpec(settings, 'receiver', 'services/receiver', env)),
      settings.project.sources,
    );
    started.push(receiver);
    const worker = await superviseHere(
      nodeService(serviceSpec(settings, 'worker', 'services/worker', env)),
      settings.project.sources,
    );
    started.push(worker);
    await waitUntil(() => httpOk(`${settings.receiver.url}/readyz`), {
      what: 'the receiver',
      log,
      aborted: shuttingDown,
    });
    await waitForWorker(settings, worker, log, shuttingDown);
    return { settings, controlToken, seed, managedAgents, providers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** While the stack stops, the dev server's complaints about its own workers going away are only noise. */
function temporalService(
  settings: StackSettings,
  log: StackLog,
  shuttingDown: () => boolean,
): SupervisedService {
  const { temporal, config } = settings;
  return {
    name: 'temporal',
    launch: async (output) => {
      log.info(`starting the Temporal dev server on ${temporal.address} (state in ${temporal.dbFile})`);
      const server = await startTemporalDevServer({
        port: temporal.port,
        uiPort: temporal.uiPort,
        headless: false,
        dbFilename: temporal.dbFile,
        namespace: config.TEMPORAL_NAMESPACE,
        onOutput: (line) => {
          if (!shuttingDown()) output(line);
        },
      });
      return server.process;
    },
  };
}

/** The worker bundles its workflow code first, which takes a while on a small machine. */
async function waitForWorker(
  settings: StackSettings,
  worker: Supervision,
  log: StackLog,
  aborted?: () => boolean,
): Promise<void> {
  const connection = await Connection.connect({ address: settings.temporal.address });
  try {
    const client = new Client({ connection, namespace: settings.config.TEMPORAL_NAMESPACE });
    await waitUntil(
      async () => {
        const pid = worker.current()?.pid;
        return pid !== undefined && (await workerPolling(client, settings.config.TEMPORAL_TASK_QUEUE, pid));
      },
      { what: 'the worker to poll its task queue', log, aborted, intervalMs: 500 },
    );
  } finally {
    await connection.close();
  }
}

async function stopAll(started: Supervision[], log: StackLog): Promise<void> {
  for (const supervision of [...started].reverse()) {
    log.info(`stopping ${supervision.name}`);
    await supervision.stop();
  }
}

function serviceSpec(
  settings: StackSettings,
  name: string,
  /** The folder of the service's main.ts, from the package root. */
  directory: string,
  env: NodeJS.ProcessEnv,
): NodeServiceSpec {
  return {
    name,
    entry: path.join(settings.packageRoot, directory, 'main.ts'),
    cwd: settings.project.dir,
    env,
  };
}

function twinFromConfig(settings: StackSettings): { baseUrl: string; apiKey: string } {
  const apiKey = settings.config.TWIN_API_KEY;
  if (!apiKey) throw new Error('TWIN_API_KEY is required when the emulator is not started');
  return { baseUrl: settings.config.TWIN_API_BASE_URL, apiKey };
}

/** The process environment plus everything the stack decided, spelled out, so no child guesses a default. */
function baseEnv(settings: StackSettings): NodeJS.ProcessEnv {
  return { ...process.env, LOG_LEVEL: settings.config.LOG_LEVEL, FORCE_COLOR: '0' };
}

function emulatorEnv(settings: StackSettings): NodeJS.ProcessEnv {
  const emulator = settings.emulator;
  if (!emulator) throw new Error('emulator settings missing');
  return {
    ...baseEnv(settings),
    EMULATOR_HOST: settings.config.EMULATOR_HOST,
    EMULATOR_PORT: String(emulator.port),
    EMULATOR_STATE_FILE: emulator.stateFile,
  };
}

function serviceEnv(
  settings: StackSettings,
  controlToken: string,
  twin: { baseUrl: string; apiKey: string },
): NodeJS.ProcessEnv {
  const { config } = settings;
  return {
    ...baseEnv(settings),
    TWINFLOW_CONFIG: settings.project.file,
    TEMPORAL_ADDRESS: settings.temporal.address,
    TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
    TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
    TWIN_API_BASE_URL: twin.baseUrl,
    TWIN_API_KEY: twin.apiKey,
    CONTROL_API_TOKEN: controlToken,
    RECEIVER_HOST: config.RECEIVER_HOST,
    RECEIVER_PORT: String(config.RECEIVER_PORT),
    WEBHOOK_SECRETS_FILE: settings.secretsFile,
    WORKER_METRICS_PORT: String(config.WORKER_METRICS_PORT),
  };
}
