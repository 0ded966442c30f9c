// Everything a runAgent or lane test needs, all real: the emulator on an ephemeral port with an API key (playing
// the documented Twin unless asked otherwise), the Twin client pointed at it, twinflow's own workers (both task
// queues) on a task queue of the test file's own, and twinflow's webhook receiver on a loopback port. Every new
// agent gets a webhook registered through the Twin API, as `twinflow webhooks register` does, because under the
// documented contract only the run.completed webhook tells a run's outcome. `webhooks: false` (or a polling-only
// agent) leaves trackers to settle by polling alone, the path that must always work, though it cannot learn
// outcomes.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { GracefulShutdownPeriodExpiredError, type Worker } from '@temporalio/worker';
import { loadConfig, type Config } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import { createTwinClient, type TwinClient } from '../../providers/twin/client/client.js';
import { startTestReceiver } from '../../services/testing/receiver.js';
import {
  EmulatorControl,
  type EmulatorRunView,
  type RunBehaviourInput,
} from '../../providers/twin/emulator/control-client.js';
import type { Profile } from '../../providers/twin/emulator/profile.js';
import { startEmulator, type RunningEmulator } from '../../providers/twin/emulator/server.js';
import { createWorkers, planQueues } from '../../services/worker/worker.js';
import type { ProviderClients } from '../../providers/registry.js';
import type { twinProvider } from '../../providers/twin/provider.js';
import { ManagedAgentsClient } from '../../providers/managed-agents/index.js';
import {
  startManagedAgentsEmulator,
  type ManagedAgentsEmulator,
} from '../../providers/managed-agents/emulator/server.js';
import { TwinAiClient } from '../../providers/twin-ai/index.js';
import { startTwinAiEmulator, type RunningTwinAiEmulator } from '../../providers/twin-ai/emulator/server.js';
import { TwigClient } from '../../providers/twig/index.js';
import { startTwigEmulator, type RunningTwigEmulator } from '../../providers/twig/emulator/server.js';
import { agentRunWorkflow } from '../../providers/twin/workflows/agent-run.js';
import { type AgentRunWorkflowInput } from '../../providers/twin/workflows/agent-run-api.js';
import { createTestWorker, connectTemporal, uniqueTaskQueue, type TemporalTestContext } from './temporal.js';

export interface TwinflowStack {
  temporal: TemporalTestContext;
  /** The test's client: on a time-skipping server it skips time while a result is awaited. */
  client: Client;
  /**
   * The client twinflow's own processes use (decorated activities, the receiver): a plain one on the same
   * connection, as in production, so that nothing but the test itself lets a time-skipping server skip time.
   */
  serviceClient: Client;
  emulator: RunningEmulator;
  control: EmulatorControl;
  apiKey: string;
  twin: TwinClient;
  config: Config;
  /** Which Twin the emulator plays. */
  profile: Profile;
  /** Where Twin delivers webhooks (the receiver's webhook route); undefined in a polling-only stack. */
  webhookUrl?: string;
  /**
   * A fresh deployed agent whose runs follow `script` (the last entry repeats); its ID is Twin's, opaque. It has a
   * webhook for every run event unless the stack is polling-only or `webhook: false` asks for polling alone.
   */
  newAgent(script: RunBehaviourInput[], options?: NewAgentOptions): Promise<string>;
  /** Starts `agentRunWorkflow` on the stack's task queue. */
  startAgentRun(input: AgentRunWorkflowInput): Promise<WorkflowHandle<typeof agentRunWorkflow>>;
  runsOf(agentId: string): Promise<EmulatorRunView[]>;
  /** The managed-agent platform emulator, when the stack was asked for one (`managedAgents: true`). */
  managedAgents?: ManagedAgentsEmulator;
  managedAgentsClient?: ManagedAgentsClient;
  /** The Twin.ai emulator, when the stack was asked for one (`twinAi: true`). */
  twinAi?: RunningTwinAiEmulator;
  twinAiClient?: TwinAiClient;
  /** The Twig emulator, when the stack was asked for one (`twig: true`). */
  twig?: RunningTwigEmulator;
  twigClient?: TwigClient;
  close(): Promise<void>;
}

/** Each queue's activities by role; the main queue's typed, since tests replace its Twin calls. */
export type QueueActivities = Record<string, Record<string, unknown>> & {
  main: ReturnType<(typeof twinProvider)['queues']['main']['activities']> & Record<string, unknown>;
};

export type ActivityDecorator = (
  activities: QueueActivities,
  stack: Omit<TwinflowStack, 'close'>,
) => QueueActivities;

export interface NewAgentOptions {
  /** Register a webhook for the agent; default: whether the stack runs the receiver. */
  webhook?: boolean;
  /**
   * The agent's ID, for a test whose pipeline definition must name the agent before it exists (a trigger);
   * otherwise the emulator picks one, as Twin does.
   */
  agentId?: string;
}

export interface StackOptions {
  /** Which Twin the emulator plays; default `documented` (seed 001 only: no summary or outcome on run objects). */
  profile?: Profile;
  /**
   * Run the receiver and register a webhook for every new agent; default true. False keeps a polling-only
   * stack, for tests that prove polling alone settles runs.
   */
  webhooks?: boolean;
  /** Extra environment for loadConfig (the task queue is always the stack's own). */
  env?: Record<string, string>;
  /**
   * Replaces the production worker factory with test workers whose activities are the production ones as
   * changed by `decorate`: for tests that must make an event happen at an exact moment.
   */
  decorate?: ActivityDecorator;
  /** Where workflows run; default: the test run's shared dev server. */
  temporal?: () => Promise<TemporalTestContext>;
  /** Also start the managed-agent platform emulator and give the workers its client (session steps). */
  managedAgents?: boolean;
  /** Also start the Twin.ai emulator and give the workers a client with a key it issued (`twinai.*` steps). */
  twinAi?: boolean;
  /**
   * Also start the Twig emulator and give the workers a client with a key it issued (`twig.*` steps); the
   * client's per-request timeout is TWIG_TIMEOUT_MS from `env`.
   */
  twig?: boolean;
}

export async function startTwinflowStack(options: StackOptions = {}): Promise<TwinflowStack> {
  const temporal = await (options.temporal ?? connectTemporal)();
  const profile = options.profile ?? 'documented';
  // Quick redelivery: a delivery refused while the receiver's hand-off is busy should not cost a test seconds.
  const emulator = await startEmulator({ port: 0, profile, webhookRetry: { baseDelayMs: 100 } });
  const control = new EmulatorControl(emulator.url);
  const { api_key: apiKey } = await control.createApiKey();
  const twin = createTwinClient({ baseUrl: emulator.url, apiKey, timeoutMs: 10_000 });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('twinflow'),
    TWIN_API_BASE_URL: emulator.url,
    RUN_RECONCILE_AFTER_SECONDS: '1',
    // As before the grace period existed: a test's close should not wait for a tracker's poll to finish.
    WORKER_SHUTDOWN_GRACE_SECONDS: '0',
    ...options.env,
  });
  // The context's own client: a time-skipping server's client skips time while a result is awaited.
  const client = temporal.client;
  const serviceClient = new Client({ connection: temporal.connection, namespace: client.options.namespace });
  const receiver = options.webhooks === false ? undefined : await startTestReceiver(serviceClient, config);
  const managedAgents = options.managedAgents ? await startManagedAgentsEmulator() : undefined;
  const managedAgentsClient =
    managedAgents && new ManagedAgentsClient({ baseUrl: managedAgents.url, apiKey: managedAgents.apiKey });
  const twinAi = options.twinAi ? await startTwinAiEmulator() : undefined;
  const twinAiClient = twinAi && new TwinAiClient({ baseUrl: twinAi.url, apiKey: twinAi.issueKey() });
  const twig = options.twig ? await startTwigEmulator() : undefined;
  const twigClient =
    twig && new TwigClient({ baseUrl: twig.url, apiKey: twig.issueKey(), timeoutMs: config.TWIG_TIMEOUT_MS });

  const stack: Omit<TwinflowStack, 'close'> = {
    temporal,
    client,
    serviceClient,
    emulator,
    control,
    apiKey,
    twin,
    config,
    profile,
    webhookUrl: receiver?.url,
    newAgent: async (script, { webhook = receiver !== undefined, agentId: wanted } = {}) => {
      const { agent_id: agentId } = await control.createAgent({ script, agent_id: wanted });
      if (webhook) {
        if (!receiver) throw new Error('newAgent: a polling-only stack has no receiver for a webhook');
        await receiver.register(twin, agentId);
      }
      return agentId;
    },
    startAgentRun: (input) =>
      client.workflow.start(agentRunWorkflow, {
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        workflowId: `agent-run-test/${randomUUID()}`,
        args: [input],
      }),
    runsOf: (agentId) => control.runs(agentId),
    managedAgents,
    managedAgentsClient,
    twinAi,
    twinAiClient,
    twig,
    twigClient,
  };

  const workers = options.decorate
    ? await decoratedWorkers(stack, options.decorate)
    : await productionWorkers(stack);
  const running = Promise.all(workers.map((worker) => worker.run()));
  return {
    ...stack,
    async close() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch((error: unknown) => {
        // When a time-skipping server skips past a running activity's timeout, the SDK keeps waiting for an
        // activity the server has forgotten (temporalio/sdk-java#2246); the force time ends that wait.
        if (!(temporal.timeSkipping && error instanceof GracefulShutdownPeriodExpiredError)) throw error;
      });
      await emulator.close();
      await managedAgents?.close();
      await twinAi?.close();
      await twig?.close();
      await receiver?.close();
      await temporal.close();
    },
  };
}

function clientsOf(stack: Omit<TwinflowStack, 'close'>): ProviderClients {
  return {
    twin: stack.twin,
    'managed-agents': stack.managedAgentsClient,
    'twin-ai': stack.twinAiClient,
    twig: stack.twigClient,
  };
}

async function productionWorkers(stack: Omit<TwinflowStack, 'close'>): Promise<Worker[]> {
  const { byRole } = await createWorkers({
    config: stack.config,
    connection: stack.temporal.nativeConnection,
    clients: clientsOf(stack),
    logger: createLogger('test-worker', 'silent'),
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  return [...byRole.values()];
}

async function decoratedWorkers(
  stack: Omit<TwinflowStack, 'close'>,
  decorate: ActivityDecorator,
): Promise<Worker[]> {
  const plans = planQueues({
    config: stack.config,
    clients: clientsOf(stack),
    temporal: stack.serviceClient,
  });
  // The main plan holds Twin's main-queue activities by construction (providers/twin/provider.ts).
  const activities = decorate(
    Object.fromEntries([...plans].map(([role, plan]) => [role, plan.activities])) as QueueActivities,
    stack,
  );
  const taskQueue = stack.config.TEMPORAL_TASK_QUEUE;
  // Each queue's test worker has the options its production worker has beyond queue and activities.
  return Promise.all(
    [...plans].map(([role, plan]) =>
      createTestWorker(stack.temporal, {
        taskQueue: `${taskQueue}${plan.suffix}`,
        activities: activities[role] ?? plan.activities,
        ...(plan.heartbeatThrottle !== undefined && { maxHeartbeatThrottleInterval: plan.heartbeatThrottle }),
      }),
    ),
  );
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
