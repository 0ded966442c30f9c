// twinflow wired in one process for the reliability tests, every part real: the emulator on 127.0.0.1:0, the
// receiver listening on 127.0.0.1:0 with the signing secrets Twin handed out (through the secrets file), the
// production worker factory on a private task queue of the shared dev server, and the control functions. Every
// part logs at debug level to a file, and close() hands back all of it, so the secrets audit reads every line.
import { createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { ControlDeps } from '../../services/control/pipelines.js';
import { createControlRouter } from '../../services/control/router.js';
import { createPipelineRegistry } from '../../services/pipelines/registry.js';
import { createReceiverApp } from '../../services/receiver/app.js';
import { createTemporalHandoff } from '../../services/receiver/handoff.js';
import { SigningSecrets } from '../../services/receiver/secrets.js';
import { loadConfig, type Config } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import { createTwinClient } from '../../providers/twin/client/client.js';
import type { RunBehaviourInput } from '../../providers/twin/emulator/control-client.js';
import type { Profile } from '../../providers/twin/emulator/profile.js';
import { startEmulator } from '../../providers/twin/emulator/server.js';
import { createWorkers, type TwinflowWorkers } from '../../services/worker/worker.js';
import { chaosPipeline } from './chaos-pipelines.js';
import { readLogs, type LogText } from './chaos-evidence.js';
import { addChaosAgent, setUpChaosTwin, type ChaosTwin } from './chaos-twin.js';
import { listenOnEphemeralPort, type Listening } from './receiver.js';
import { connectTemporal, uniqueTaskQueue, type TemporalTestContext } from './temporal.js';

export interface ChaosStackOptions {
  prefix: string;
  pipelines: number;
  runDurationMs: number;
  /** Keep the emulator's state in a file, so restartEmulator() brings the same Twin back on the same port. */
  persistEmulatorState?: boolean;
  /** Extra worker configuration (RUN_RECONCILE_AFTER_SECONDS, TWIN_API_TIMEOUT_MS, …). */
  workerEnv?: Record<string, string>;
  /** Mounts the control API on the receiver, as production does, behind this bearer token. */
  controlToken?: string;
  /** Which Twin the emulator plays; `documented` (only what Twin's documents promise) unless asked otherwise. */
  profile?: Profile;
}

/** What the worker's Twin client saw on the wire: calls by kind, answers by status, calls that got no answer. */
export interface ApiCallCounts {
  byRequest: Record<string, number>;
  byStatus: Record<number, number>;
  noAnswer: number;
  /** Calls by kind that got no answer (timed out, reset). */
  noAnswerByRequest: Record<string, number>;
  /** Run IDs of every start Twin answered 201 to: a run Twin started that is not here lost its answer. */
  answeredStarts: Set<string>;
}

export const START_REQUEST = 'POST /v1/agents/:id/runs';

export interface ChaosStack {
  temporal: TemporalTestContext;
  config: Config;
  controlDeps: ControlDeps;
  receiverUrl: string;
  twin: ChaosTwin;
  apiCalls: ApiCallCounts;
  /** A further agent following `script`, with its webhook registered and its secret live in the receiver. */
  addAgent(name: string, script: RunBehaviourInput[]): Promise<{ agentId: string; signingSecret: string }>;
  /** Stops the emulator (its state file is flushed) and starts it again on the same port. */
  restartEmulator(downForMs: number): Promise<void>;
  /** Stops everything, removes the stack's files, returns what each part logged; later calls wait for the first. */
  close(): Promise<LogText[]>;
}

/** Generous rate limits: the server-side caps are tested elsewhere; here they would only slow the load. */
const WORKER_DEFAULTS = {
  LOG_LEVEL: 'debug',
  RUN_RECONCILE_AFTER_SECONDS: '1',
  AGENT_CONCURRENCY_DEFAULT: '8',
  TWIN_API_RATE_LIMIT_PER_SECOND: '1000',
  TWIN_POLL_RATE_LIMIT_PER_SECOND: '200',
  TWIN_API_TIMEOUT_MS: '5000',
};

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const dir = await mkdtemp(path.join(tmpdir(), `${options.prefix}-`));
  const streams: WriteStream[] = [];
  const logFiles: string[] = [];
  const fileLogger = (name: string) => {
    const file = path.join(dir, `${name}.log`);
    const stream = createWriteStream(file);
    streams.push(stream);
    logFiles.push(file);
    return createLogger(name, 'debug', stream);
  };

  const temporal = await connectTemporal();
  const emulatorLogger = fileLogger('emulator');
  const stateFile = options.persistEmulatorState ? path.join(dir, 'emulator-state.json') : undefined;
  const profile = options.profile ?? 'documented';
  let emulator = await startEmulator({ port: 0, profile, stateFile, logger: emulatorLogger });

  const receiverLogger = fileLogger('receiver');
  const secretsFile = path.join(dir, 'secrets', 'webhook-secrets.json');
  const secrets = await SigningSecrets.load({
    envSecrets: [],
    filePath: secretsFile,
    logger: receiverLogger,
  });
  const config = loadConfig({
    ...WORKER_DEFAULTS,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue(options.prefix),
    TWIN_API_BASE_URL: emulator.url,
    ...options.workerEnv,
  });
  const handoff = createTemporalHandoff({ client: temporal.client, taskQueue: config.TEMPORAL_TASK_QUEUE });
  const controlDeps: ControlDeps = {
    client: temporal.client,
    registry: createPipelineRegistry([chaosPipeline]),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
  };
  const controlRouter = options.controlToken
    ? createControlRouter({ ...controlDeps, token: options.controlToken, logger: receiverLogger })
    : undefined;
  const app = createReceiverApp({ config, secrets, handoff, logger: receiverLogger, controlRouter });
  const receiver: Listening = await listenOnEphemeralPort(app.callback());

  const twin = await setUpChaosTwin({
    emulatorUrl: emulator.url,
    webhookUrl: `${receiver.url}/webhooks/twin`,
    secretsFile,
    pipelines: options.pipelines,
    runDurationMs: options.runDurationMs,
    prefix: options.prefix,
  });
  if (!(await secrets.reload())) throw new Error('the receiver refused the secrets file the test wrote');

  const apiCalls: ApiCallCounts = {
    byRequest: {},
    byStatus: {},
    noAnswer: 0,
    noAnswerByRequest: {},
    answeredStarts: new Set(),
  };
  const workers: TwinflowWorkers = await createWorkers({
    config: { ...config, TWIN_API_KEY: twin.apiKey },
    connection: temporal.nativeConnection,
    clients: {
      twin: createTwinClient({
        baseUrl: emulator.url,
        apiKey: twin.apiKey,
        timeoutMs: config.TWIN_API_TIMEOUT_MS,
        fetch: countingFetch(apiCalls),
      }),
    },
    logger: fileLogger('worker'),
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  const running = workers.run();

  let closing: Promise<LogText[]> | undefined;
  const shutdown = async (): Promise<LogText[]> => {
    workers.shutdown();
    await running;
    await emulator.close();
    secrets.close();
    await receiver.close();
    await temporal.close();
    await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(resolve))));
    const logs = await readLogs(logFiles);
    await keepLogsForDebugging(logFiles);
    await rm(dir, { recursive: true, force: true });
    return logs;
  };

  return {
    temporal,
    config,
    controlDeps,
    receiverUrl: receiver.url,
    twin,
    apiCalls,
    async addAgent(name, script) {
      const added = await addChaosAgent(twin, {
        agentId: `${options.prefix}-${name}`,
        script,
        webhookUrl: `${receiver.url}/webhooks/twin`,
        secretsFile,
      });
      if (!(await secrets.reload())) throw new Error('the receiver refused the secrets file the test wrote');
      return added;
    },
    async restartEmulator(downForMs) {
      const { port } = emulator;
      await emulator.close();
      await new Promise((resolve) => setTimeout(resolve, downForMs));
      emulator = await startEmulator({ port, profile, stateFile, logger: emulatorLogger });
    },
    close: () => (closing ??= shutdown()),
  };
}

/** With CHAOS_KEEP_LOGS_DIR set, every part's log is copied there before the stack's files are removed. */
export async function keepLogsForDebugging(files: readonly string[]): Promise<void> {
  const keep = process.env.CHAOS_KEEP_LOGS_DIR;
  if (!keep) return;
  await mkdir(keep, { recursive: true });
  await Promise.all(files.map((file) => copyFile(file, path.join(keep, path.basename(file)))));
}

/** Passes every call through untouched and counts how it was answered. */
function countingFetch(counts: ApiCallCounts): typeof fetch {
  return async (input, init) => {
    const key = requestKind(String(input), init?.method ?? 'GET');
    counts.byRequest[key] = (counts.byRequest[key] ?? 0) + 1;
    let response: Response;
    try {
      response = await fetch(input, init);
      counts.byStatus[response.status] = (counts.byStatus[response.status] ?? 0) + 1;
    } catch (error) {
      counts.noAnswer++;
      counts.noAnswerByRequest[key] = (counts.noAnswerByRequest[key] ?? 0) + 1;
      throw error;
    }
    if (key === START_REQUEST && response.status === 201) {
      // The body may still be cut off (a reset after the headers): only a start whose run ID arrived counts.
      response
        .clone()
        .json()
        .then((body: { run?: { run_id?: unknown } }) => {
          if (typeof body.run?.run_id === 'string') counts.answeredStarts.add(body.run.run_id);
        })
        .catch(() => undefined);
    }
    return response;
  };
}

/** `POST /v1/agents/:id/runs`, `GET /v1/agents/:id/runs (poll)`: calls grouped by what they do. */
function requestKind(url: string, method: string): string {
  const { pathname, searchParams } = new URL(url);
  const route = pathname.replace(/\/(agents|runs|webhooks)\/[^/]+/g, '/$1/:id');
  return `${method} ${route}${searchParams.has('filter_run_id') ? ' (poll)' : ''}`;
}
