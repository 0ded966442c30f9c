// The testing kit's environment: everything a project's pipelines need, all real and all private to one test
// suite. The Twin emulator plays the documented Twin in-process on a loopback port; Temporal is a dev server
// or the time-skipping test server of the environment's own; twinflow's production workers run the project's
// registry and code-first workflows on a task queue of their own; and twinflow's receiver takes the emulator's
// signed webhooks, because under the documented contract only run.completed tells a run's outcome.
import path from 'node:path';
import { Client } from '@temporalio/client';
import { GracefulShutdownPeriodExpiredError } from '@temporalio/worker';
import { startPipeline, type ControlDeps } from '../control/pipelines.js';
import { configDefaults } from '../project/config.js';
import { loadProject, type Project } from '../project/load.js';
import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { createTwinClient } from '../../providers/twin/client/client.js';
import {
  EmulatorControl,
  EmulatorControlError,
  type EmulatorRunView,
  type RunBehaviourInput,
} from '../../providers/twin/emulator/control-client.js';
import { startEmulator } from '../../providers/twin/emulator/server.js';
import { createWorkers } from '../worker/worker.js';
import { bundleWorkflows } from '../worker/workflow-bundle.js';
import type { PipelineState } from '../../workflows/pipeline-api.js';
import { pipelineHandle, type TestPipelineHandle } from './pipeline-handle.js';
import { startTestReceiver } from './receiver.js';
import { startDevTemporal, startTimeSkippingTemporal, uniqueTaskQueue } from './temporal.js';

/** What one Twin run of a scripted agent does: `{ output }`, `{ result: 'failed', reason }`, `{ outcome: 'fail' }`, … */
export type AgentBehaviour = RunBehaviourInput;

/** A Twin run as the emulator saw it: its agent, message, status, outcome and timestamps. */
export type TwinRunRecord = EmulatorRunView;

export interface TestEnvironmentOptions {
  /** The project's twinflow.config.ts; default: the one in process.cwd() (or the file TWINFLOW_CONFIG names). */
  config?: string;
  /** The time-skipping test server instead of a dev server: timers of days fire in real seconds. Default false. */
  timeSkipping?: boolean;
  /** What the config's function form reads (`defineConfig(({ env }) => …)`); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface TestAgentOptions {
  /**
   * The agent's ID, for a pipeline that names its agent literally. An ID already created in this environment
   * gets the new script instead, so each test may script the same agent its own way.
   */
  id?: string;
}

export interface StartOptions {
  /** The run's idempotency key (its workflow ID is `pipeline/<name>/<key>`); default a fresh UUID. */
  key?: string;
}

/** A running environment; see {@link createTestEnvironment}. */
export interface TestEnvironment {
  /** The loaded project: config file, folder, config and pipeline registry. */
  project: Project;
  /** A Temporal client; on a time-skipping environment it skips time while a workflow's result is awaited. */
  client: Client;
  /** The task queue this environment's workers poll. */
  taskQueue: string;
  /** The emulated Twin API's base URL. */
  twinBaseUrl: string;
  timeSkipping: boolean;
  /**
   * A deployed emulator agent whose runs follow `script`, one behaviour per run and the last repeating
   * (default: every run completes successfully), with a webhook at this environment's receiver. Returns its ID.
   */
  agent(script?: AgentBehaviour[], options?: TestAgentOptions): Promise<string>;
  /**
   * Starts the project's pipeline `name` through the control layer (the input is checked by the pipeline's
   * schema, as `twinflow run` checks it) and returns a handle for approvals, state and the result.
   */
  startPipeline(name: string, input?: unknown, options?: StartOptions): Promise<TestPipelineHandle>;
  /**
   * Starts the pipeline and waits for its end. Returns the final state, also for a failed pipeline: assert on
   * `state.status`, `state.failedStep` and each step's `status`, `output` and `outcome`.
   */
  runPipeline(name: string, input?: unknown, options?: StartOptions): Promise<PipelineState>;
  /** Every Twin run the emulator saw for the agent, oldest first. */
  runsOf(agentId: string): Promise<TwinRunRecord[]>;
  /** Stops the workers, the receiver, the emulator and Temporal. Call it in afterAll. */
  close(): Promise<void>;
}

/**
 * Starts a private twinflow for the project's pipelines: the Twin emulator, a Temporal (dev server, or the
 * time-skipping server), twinflow's workers and receiver. Takes 10–30 s (bundling the workflows dominates): start
 * it once per test file, in `beforeAll` with a timeout to match, and close it in `afterAll`.
 */
export async function createTestEnvironment(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
  const project = await loadProject({
    file: options.config === undefined ? undefined : path.resolve(options.config),
    env: options.env,
  });
  const bundle = bundleOnce(project.workflowsPath);
  // Stopped in reverse order if a later part fails to start, so a failed beforeAll leaves nothing running.
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    const temporal = await (options.timeSkipping ? startTimeSkippingTemporal : startDevTemporal)();
    closers.push(() => temporal.close());
    // Quick redelivery: a delivery refused while the receiver's hand-off is busy should not cost a test seconds.
    const emulator = await startEmulator({
      port: 0,
      profile: 'documented',
      webhookRetry: { baseDelayMs: 100 },
    });
    closers.push(() => emulator.close());
    const emulatorControl = new EmulatorControl(emulator.url);
    const { api_key: apiKey } = await emulatorControl.createApiKey();
    // Never process.env: a CI job's TWIN_API_KEY or TEMPORAL_ADDRESS must not point a test at real systems.
    const config = loadConfig({
      ...configDefaults(project.config),
      LOG_LEVEL: 'silent',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('twinflow-test'),
      TWIN_API_BASE_URL: emulator.url,
      TWIN_API_KEY: apiKey,
      // A test's close should not wait for a tracker's poll to finish.
      WORKER_SHUTDOWN_GRACE_SECONDS: '0',
    });
    const twin = createTwinClient({ baseUrl: emulator.url, apiKey, timeoutMs: config.TWIN_API_TIMEOUT_MS });
    // twinflow's own processes get a plain client, as in production: only the test's awaits may skip time.
    const serviceClient = new Client({
      connection: temporal.connection,
      namespace: config.TEMPORAL_NAMESPACE,
    });
    const receiver = await startTestReceiver(serviceClient, config);
    closers.push(() => receiver.close());

    const workers = await createWorkers({
      config,
      connection: temporal.nativeConnection,
      clients: { twin },
      logger: createLogger('test-worker', 'silent'),
      pipelines: project.registry,
      workflowBundle: { code: await bundle },
    });
    const running = workers.run().then(
      () => undefined,
      (error: unknown) => error,
    );
    closers.push(async () => {
      workers.shutdown();
      const error = await running;
      // A time-skipping server may skip past a running activity's timeout and forget it while the SDK still
      // waits for it (temporalio/sdk-java#2246); the worker's force time ends that wait with this error.
      if (error && !(temporal.timeSkipping && error instanceof GracefulShutdownPeriodExpiredError))
        throw error;
    });

    const control: ControlDeps = {
      client: temporal.client,
      registry: project.registry,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
    };
    const agents = new Set<string>();
    const start = async (name: string, input: unknown, { key }: StartOptions = {}) => {
      const started = await startPipeline(control, { name, input, idempotencyKey: key });
      return pipelineHandle(control, { name, key: started.key }, started.workflowId);
    };

    return {
      project,
      client: temporal.client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      twinBaseUrl: emulator.url,
      timeSkipping: options.timeSkipping === true,
      agent: (script = [{}], { id } = {}) =>
        explainScriptErrors(async () => {
          if (id !== undefined && agents.has(id)) {
            await emulatorControl.setScript(id, script);
            return id;
          }
          const { agent_id: agentId } = await emulatorControl.createAgent({ script, agent_id: id });
          agents.add(agentId);
          await receiver.register(twin, agentId);
          return agentId;
        }),
      startPipeline: start,
      runPipeline: async (name, input, startOptions) => (await start(name, input, startOptions)).result(),
      runsOf: (agentId) => emulatorControl.runs(agentId),
      close: closeAll,
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

/** The emulator refuses a script it cannot play with a 400 or 422 naming the field; say it is the script. */
async function explainScriptErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof EmulatorControlError && (error.status === 400 || error.status === 422)) {
      throw new Error(`the agent's script is not valid: ${error.body}`, { cause: error });
    }
    throw error;
  }
}

const bundles = new Map<string, Promise<string>>();

/** Webpack takes most of an environment's start: a process with several environments bundles each project once. */
function bundleOnce(projectWorkflows: string | undefined): Promise<string> {
  const key = projectWorkflows ?? '';
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflows(projectWorkflows);
    bundles.set(key, bundle);
    bundle.catch(() => bundles.delete(key));
  }
  return bundle;
}
