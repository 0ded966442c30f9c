// Builds twinflow's workers, one per task queue, on one connection. The main task queue runs every workflow and the activities
// that start, cancel and inspect Twin runs, under a server-side activities/s cap that holds across every worker
// process. Reconciliation polls get a queue and a budget of their own, so a flood of polls can never delay a
// start or a cancel, and so do managed-agent sessions, Twin.ai and Twig calls, so one platform's limits never slow
// another. Activities receive the clients here; nothing secret travels through a workflow.
import { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { PipelineRegistry } from '../pipelines/registry.js';
import type { Config } from '../shared/config.js';
import type { TwinClient } from '../../providers/twin/client/client.js';
import type { ManagedAgentsClient } from '../../providers/managed-agents/index.js';
import { createManagedSessionActivities } from '../../providers/managed-agents/activities/managed-sessions.js';
import { MANAGED_AGENTS_TASK_QUEUE_SUFFIX } from '../../providers/managed-agents/workflows/managed-session-api.js';
import { INTERNAL_TASK_QUEUE_SUFFIX } from '../../workflows/internal-queue.js';
import type { TwinAiClient } from '../../providers/twin-ai/index.js';
import { createTwinAiActivities } from '../../providers/twin-ai/activities/twin-ai.js';
import { TWIN_AI_TASK_QUEUE_SUFFIX } from '../../providers/twin-ai/workflows/twin-ai-api.js';
import type { TwigClient } from '../../providers/twig/index.js';
import { createTwigActivities } from '../../providers/twig/activities/twig.js';
import { TWIG_TASK_QUEUE_SUFFIX } from '../../providers/twig/workflows/twig-api.js';
import { createPollActivities } from '../../providers/twin/activities/poll-run.js';
import { createRunOutputActivities } from '../../providers/twin/activities/run-output.js';
import { createWebhookCoverage } from '../../providers/twin/activities/webhook-coverage.js';
import { createTriggerActivities } from '../../activities/triggers.js';
import { createProviderTriggerActivities } from '../../activities/provider-triggers.js';
import { createTwinAdminActivities } from '../../providers/twin/activities/twin-admin.js';
import { createLaneActivities } from '../../providers/twin/activities/lanes.js';
import { createTwinRunActivities } from '../../providers/twin/activities/twin-runs.js';
import { POLL_TASK_QUEUE_SUFFIX } from '../../providers/twin/workflows/run-tracker-api.js';
import { BUNDLER_OPTIONS } from './workflow-bundle.js';

/** A prebuilt bundle (tests, production images) or the entry to bundle at start (see workflow-bundle.ts). */
export type WorkflowSource =
  | { workflowBundle: NonNullable<WorkerOptions['workflowBundle']>; workflowsPath?: never }
  | { workflowsPath: string; workflowBundle?: never };

export type WorkerDeps = WorkflowSource & {
  config: Config;
  connection: NativeConnection;
  twin: TwinClient;
  logger: Logger;
  /** Pipelines whose triggers are evaluated when a Twin run ends; without a registry, nothing is triggered. */
  pipelines?: PipelineRegistry;
  /** The platform behind `session` steps; without it those steps fail with ManagedAgentsNotConfigured. */
  managedAgents?: ManagedAgentsClient;
  /** The platform behind `twinai.*` steps; without it those steps fail with TwinAiNotConfigured. */
  twinAi?: TwinAiClient;
  /** The platform behind `twig.*` steps; without it those steps fail with TwigNotConfigured. */
  twig?: TwigClient;
};

export interface TwinflowWorkers {
  main: Worker;
  /** twinflow's own bookkeeping (lane permits, liveness checks, triggers), without a rate budget. */
  internal: Worker;
  poll: Worker;
  sessions: Worker;
  twinAi: Worker;
  twig: Worker;
  /** Runs all until shutdown; if one fails, the others are shut down too and the failure is rethrown. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * How long after the grace period a stopping worker gives up waiting for activities that ignore their
 * cancellation; its run() then rejects with GracefulShutdownPeriodExpiredError, so a process always exits and
 * Temporal retries what was abandoned once its timeout passes.
 */
export const WORKER_SHUTDOWN_FORCE_AFTER_MS = 20_000;

export function pollTaskQueue(taskQueue: string): string {
  return `${taskQueue}${POLL_TASK_QUEUE_SUFFIX}`;
}

/**
 * The session worker's heartbeat throttle. A follower's heartbeat is where a worker taking over resumes and what
 * status readers show, so at most this much of a stream is read twice or shown late.
 */
export const SESSION_HEARTBEAT_THROTTLE = '1 second';

export function managedAgentsTaskQueue(taskQueue: string): string {
  return `${taskQueue}${MANAGED_AGENTS_TASK_QUEUE_SUFFIX}`;
}

export function internalTaskQueue(taskQueue: string): string {
  return `${taskQueue}${INTERNAL_TASK_QUEUE_SUFFIX}`;
}

export function twinAiTaskQueue(taskQueue: string): string {
  return `${taskQueue}${TWIN_AI_TASK_QUEUE_SUFFIX}`;
}

export function twigTaskQueue(taskQueue: string): string {
  return `${taskQueue}${TWIG_TASK_QUEUE_SUFFIX}`;
}

/** The Twig worker's heartbeat throttle: a sync's progress_pct reaches status readers this soon. */
export const TWIG_HEARTBEAT_THROTTLE = '1 second';

export interface ActivityDeps {
  config: Config;
  twin: TwinClient;
  temporal: Client;
  pipelines?: PipelineRegistry;
  logger?: Logger;
  managedAgents?: ManagedAgentsClient;
  twinAi?: TwinAiClient;
  twig?: TwigClient;
}

/** The activities of each queue, keyed by queue role; exported so tests can decorate one and keep the rest. */
export function createWorkerActivities({
  config,
  twin,
  temporal,
  pipelines,
  logger,
  managedAgents,
  twinAi,
  twig,
}: ActivityDeps) {
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const poll = createPollActivities({ twin });
  const internal = {
    ...createLaneActivities({
      temporal,
      taskQueue,
      laneLimit: config.AGENT_CONCURRENCY_DEFAULT,
      laneHolderCheckIntervalMs: config.AGENT_LANE_HOLDER_CHECK_SECONDS * 1000,
    }),
    ...createTriggerActivities(pipelines && { registry: pipelines, temporal, taskQueue, logger }),
    ...createProviderTriggerActivities(pipelines && { registry: pipelines, temporal, taskQueue, logger }),
  };
  return {
    main: {
      ...createTwinRunActivities({
        twin,
        temporal,
        taskQueue,
        reconcileAfterMs: config.RUN_RECONCILE_AFTER_SECONDS * 1000,
        webhooks: createWebhookCoverage(twin, logger),
      }),
      ...createTwinAdminActivities({ twin }),
      ...createRunOutputActivities({ twin }),
      ...poll,
      // Workflows that scheduled these on the main queue before the internal queue existed still find them.
      ...internal,
    },
    poll,
    internal,
    sessions: createManagedSessionActivities({ client: managedAgents }),
    twinAi: createTwinAiActivities({ client: twinAi }),
    twig: createTwigActivities({ client: twig }),
  };
}

export async function createWorkers(deps: WorkerDeps): Promise<TwinflowWorkers> {
  const { config, connection, logger } = deps;
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const namespace = config.TEMPORAL_NAMESPACE;
  const temporal = new Client({ connection, namespace });
  const activities = createWorkerActivities({ ...deps, temporal });
  const workflowSource = deps.workflowBundle
    ? { workflowBundle: deps.workflowBundle }
    : { workflowsPath: deps.workflowsPath, bundlerOptions: BUNDLER_OPTIONS };

  const graceMs = config.WORKER_SHUTDOWN_GRACE_SECONDS * 1000;
  const stopping = {
    shutdownGraceTime: graceMs,
    shutdownForceTime: graceMs + WORKER_SHUTDOWN_FORCE_AFTER_MS,
  };
  /** A worker of one queue with its own server-side activities/s budget. */
  const queueWorker = (queue: string, options: Partial<WorkerOptions>, perSecond?: number) =>
    Worker.create({
      connection,
      namespace,
      ...stopping,
      taskQueue: queue,
      ...options,
      maxTaskQueueActivitiesPerSecond: perSecond,
    });
  const main = await queueWorker(
    taskQueue,
    { ...workflowSource, activities: activities.main },
    config.TWIN_API_RATE_LIMIT_PER_SECOND,
  );
  const poll = await queueWorker(
    pollTaskQueue(taskQueue),
    { activities: activities.poll },
    config.TWIN_POLL_RATE_LIMIT_PER_SECOND,
  );
  // No budget: nothing on it calls a platform (workflows/internal-queue.ts).
  const internal = await queueWorker(internalTaskQueue(taskQueue), { activities: activities.internal });
  const sessions = await queueWorker(
    managedAgentsTaskQueue(taskQueue),
    { activities: activities.sessions, maxHeartbeatThrottleInterval: SESSION_HEARTBEAT_THROTTLE },
    config.MANAGED_AGENTS_RATE_LIMIT_PER_SECOND,
  );
  const twinAi = await queueWorker(
    twinAiTaskQueue(taskQueue),
    { activities: activities.twinAi },
    config.TWIN_AI_RATE_LIMIT_PER_SECOND,
  );
  const twig = await queueWorker(
    twigTaskQueue(taskQueue),
    { activities: activities.twig, maxHeartbeatThrottleInterval: TWIG_HEARTBEAT_THROTTLE },
    config.TWIG_RATE_LIMIT_PER_SECOND,
  );
  const all = [main, internal, poll, sessions, twinAi, twig];

  const shutdown = () => {
    for (const worker of all) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  const run = async () => {
    logger.info({ taskQueue, pollTaskQueue: pollTaskQueue(taskQueue), namespace }, 'workers running');
    const results = await Promise.allSettled(all.map((worker) => worker.run().finally(shutdown)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    logger.info('workers stopped');
  };
  return { main, internal, poll, sessions, twinAi, twig, run, shutdown };
}
