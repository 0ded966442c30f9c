// Builds twinflow's three workers on one connection. The main task queue runs every workflow and the activities
// that start, cancel and inspect Twin runs, under a server-side activities/s cap that holds across every worker
// process. Reconciliation polls get a queue and a budget of their own, so a flood of polls can never delay a
// start or a cancel, and so do managed-agent sessions, so one platform's limits never slow another. Activities
// receive the clients here; nothing secret travels through a workflow.
import { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { PipelineRegistry } from '../pipelines/registry.js';
import type { Config } from '../shared/config.js';
import type { TwinClient } from '../twin-api/client.js';
import type { ManagedAgentsClient } from '../../providers/managed-agents/index.js';
import { createManagedSessionActivities } from '../../activities/managed-sessions.js';
import { MANAGED_AGENTS_TASK_QUEUE_SUFFIX } from '../../workflows/managed-session-api.js';
import { createPollActivities } from '../../activities/poll-run.js';
import { createRunOutputActivities } from '../../activities/run-output.js';
import { createWebhookCoverage } from '../../activities/webhook-coverage.js';
import { createTriggerActivities } from '../../activities/triggers.js';
import { createTwinAdminActivities } from '../../activities/twin-admin.js';
import { createLaneActivities } from '../../activities/lanes.js';
import { createTwinRunActivities } from '../../activities/twin-runs.js';
import { POLL_TASK_QUEUE_SUFFIX } from '../../workflows/run-tracker-api.js';
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
};

export interface TwinflowWorkers {
  main: Worker;
  poll: Worker;
  sessions: Worker;
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

export interface ActivityDeps {
  config: Config;
  twin: TwinClient;
  temporal: Client;
  pipelines?: PipelineRegistry;
  logger?: Logger;
  managedAgents?: ManagedAgentsClient;
}

/** The activities of each queue, keyed by queue role; exported so tests can decorate one and keep the rest. */
export function createWorkerActivities({
  config,
  twin,
  temporal,
  pipelines,
  logger,
  managedAgents,
}: ActivityDeps) {
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const poll = createPollActivities({ twin });
  return {
    main: {
      ...createTwinRunActivities({
        twin,
        temporal,
        taskQueue,
        reconcileAfterMs: config.RUN_RECONCILE_AFTER_SECONDS * 1000,
        webhooks: createWebhookCoverage(twin, logger),
      }),
      ...createLaneActivities({
        temporal,
        taskQueue,
        laneLimit: config.AGENT_CONCURRENCY_DEFAULT,
        laneHolderCheckIntervalMs: config.AGENT_LANE_HOLDER_CHECK_SECONDS * 1000,
      }),
      ...createTwinAdminActivities({ twin }),
      ...createRunOutputActivities({ twin }),
      ...createTriggerActivities(pipelines && { registry: pipelines, temporal, taskQueue, logger }),
      ...poll,
    },
    poll,
    sessions: createManagedSessionActivities({ client: managedAgents }),
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
  const main = await Worker.create({
    connection,
    namespace,
    ...stopping,
    taskQueue,
    ...workflowSource,
    activities: activities.main,
    maxTaskQueueActivitiesPerSecond: config.TWIN_API_RATE_LIMIT_PER_SECOND,
  });
  const poll = await Worker.create({
    connection,
    namespace,
    ...stopping,
    taskQueue: pollTaskQueue(taskQueue),
    activities: activities.poll,
    maxTaskQueueActivitiesPerSecond: config.TWIN_POLL_RATE_LIMIT_PER_SECOND,
  });
  const sessions = await Worker.create({
    connection,
    namespace,
    ...stopping,
    taskQueue: managedAgentsTaskQueue(taskQueue),
    activities: activities.sessions,
    maxTaskQueueActivitiesPerSecond: config.MANAGED_AGENTS_RATE_LIMIT_PER_SECOND,
    maxHeartbeatThrottleInterval: SESSION_HEARTBEAT_THROTTLE,
  });
  const all = [main, poll, sessions];

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
  return { main, poll, sessions, run, shutdown };
}
