// Everything a runAgent or lane test needs, all real: the emulator on an ephemeral port with an API key, the
// Twin client pointed at it, and twinflow's own workers (both task queues) on a task queue of the test file's
// own. No webhooks: trackers settle by polling, which is the path that must always work.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import { createTwinClient, type TwinClient } from '../../services/twin-api/client.js';
import {
  EmulatorControl,
  type EmulatorRunView,
  type RunBehaviourInput,
} from '../../services/twin-emulator/control-client.js';
import { startEmulator, type RunningEmulator } from '../../services/twin-emulator/server.js';
import { createWorkerActivities, createWorkers, pollTaskQueue } from '../../services/worker/worker.js';
import { agentRunWorkflow, type AgentRunWorkflowInput } from '../../workflows/run-agent.js';
import { createTestWorker, connectTemporal, uniqueTaskQueue, type TemporalTestContext } from './temporal.js';

export interface TwinflowStack {
  temporal: TemporalTestContext;
  client: Client;
  emulator: RunningEmulator;
  control: EmulatorControl;
  apiKey: string;
  twin: TwinClient;
  config: Config;
  /** A fresh deployed agent whose runs follow `script` (the last entry repeats). */
  newAgent(script: RunBehaviourInput[]): Promise<string>;
  /** Starts `agentRunWorkflow` on the stack's task queue. */
  startAgentRun(input: AgentRunWorkflowInput): Promise<WorkflowHandle<typeof agentRunWorkflow>>;
  runsOf(agentId: string): Promise<EmulatorRunView[]>;
  close(): Promise<void>;
}

export type ActivityDecorator = (
  activities: ReturnType<typeof createWorkerActivities>,
  stack: Omit<TwinflowStack, 'close'>,
) => ReturnType<typeof createWorkerActivities>;

export interface StackOptions {
  /** Extra environment for loadConfig (the task queue is always the stack's own). */
  env?: Record<string, string>;
  /**
   * Replaces the production worker factory with test workers whose activities are the production ones as
   * changed by `decorate`: for tests that must make an event happen at an exact moment.
   */
  decorate?: ActivityDecorator;
  /** Where workflows run; default: the test run's shared dev server. */
  temporal?: () => Promise<TemporalTestContext>;
}

export async function startTwinflowStack(options: StackOptions = {}): Promise<TwinflowStack> {
  const temporal = await (options.temporal ?? connectTemporal)();
  const emulator = await startEmulator({ port: 0 });
  const control = new EmulatorControl(emulator.url);
  const { api_key: apiKey } = await control.createApiKey();
  const twin = createTwinClient({ baseUrl: emulator.url, apiKey, timeoutMs: 10_000 });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('twinflow'),
    TWIN_API_BASE_URL: emulator.url,
    RUN_RECONCILE_AFTER_SECONDS: '1',
    ...options.env,
  });
  // The context's own client: a time-skipping server's client skips time while a result is awaited.
  const client = temporal.client;

  const stack: Omit<TwinflowStack, 'close'> = {
    temporal,
    client,
    emulator,
    control,
    apiKey,
    twin,
    config,
    newAgent: async (script) =>
      (await control.createAgent({ agent_id: `agent_${randomUUID().slice(0, 8)}`, script })).agent_id,
    startAgentRun: (input) =>
      client.workflow.start(agentRunWorkflow, {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: `agent-run-test/${randomUUID()}`,
        args: [input],
      }),
    runsOf: (agentId) => control.runs(agentId),
  };

  const workers = options.decorate
    ? await decoratedWorkers(stack, options.decorate)
    : await productionWorkers(stack);
  const running = Promise.all(workers.map((worker) => worker.run()));
  return {
    ...stack,
    async close() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await emulator.close();
      await temporal.close();
    },
  };
}

async function productionWorkers(stack: Omit<TwinflowStack, 'close'>): Promise<Worker[]> {
  const { main, poll } = await createWorkers({
    config: stack.config,
    connection: stack.temporal.nativeConnection,
    twin: stack.twin,
    logger: createLogger('test-worker', 'silent'),
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  return [main, poll];
}

async function decoratedWorkers(
  stack: Omit<TwinflowStack, 'close'>,
  decorate: ActivityDecorator,
): Promise<Worker[]> {
  const activities = decorate(
    createWorkerActivities({ config: stack.config, twin: stack.twin, temporal: stack.client }),
    stack,
  );
  const taskQueue = stack.config.TEMPORAL_TASK_QUEUE;
  return [
    await createTestWorker(stack.temporal, { taskQueue, activities: activities.main }),
    await createTestWorker(stack.temporal, {
      taskQueue: pollTaskQueue(taskQueue),
      activities: activities.poll,
    }),
  ];
}

export async function historyEvents(client: Client, workflowId: string) {
  return (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** Polls until `check` gives a value; fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
