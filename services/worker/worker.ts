// Builds twinflow's workers, one per task queue, on one connection. Each provider (providers/registry.ts) names its
// queues and their server-side activities/s budgets, which hold across every worker process: Twin's main queue,
// where every workflow runs beside the calls that start, cancel and inspect Twin runs; its poll queue, so a flood
// of reconciliation polls never delays a start or a cancel; and one queue per other platform, so one platform's
// limits never slow another. The internal queue runs twinflow's own bookkeeping without a budget. Activities
// receive the clients here; nothing secret travels through a workflow.
import { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { PipelineRegistry } from '../pipelines/registry.js';
import type { Config } from '../shared/config.js';
import { PROVIDER_RUNTIMES, type ProviderClients } from '../../providers/registry.js';
import { INTERNAL_TASK_QUEUE_SUFFIX } from '../../workflows/internal-queue.js';
import { createTriggerActivities } from '../../activities/triggers.js';
import { createProviderTriggerActivities } from '../../activities/provider-triggers.js';
import { POLL_TASK_QUEUE_SUFFIX } from '../../providers/twin/workflows/run-tracker-api.js';
import { BUNDLER_OPTIONS } from './workflow-bundle.js';

/** A prebuilt bundle (tests, production images) or the entry to bundle at start (see workflow-bundle.ts). */
export type WorkflowSource =
  | { workflowBundle: NonNullable<WorkerOptions['workflowBundle']>; workflowsPath?: never }
  | { workflowsPath: string; workflowBundle?: never };

export type WorkerDeps = WorkflowSource & {
  config: Config;
  connection: NativeConnection;
  /** Each provider's client; a provider without one fails its steps naming its settings. */
  clients: ProviderClients;
  logger: Logger;
  /** Pipelines whose triggers are evaluated when a Twin run ends; without a registry, nothing is triggered. */
  pipelines?: PipelineRegistry;
};

export interface TwinflowWorkers {
  /** One worker per task queue, by queue role (`main`, `internal`, `poll`, `twig`, ...). */
  byRole: ReadonlyMap<string, Worker>;
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

/** One task queue's worker settings and activities. */
export interface QueuePlan {
  suffix: string;
  activities: Record<string, unknown>;
  ratePerSecond?: number;
  heartbeatThrottle?: Duration;
}

export interface ActivityDeps {
  config: Config;
  clients: ProviderClients;
  temporal: Client;
  pipelines?: PipelineRegistry;
  logger?: Logger;
}

/**
 * Every queue by role, with the activities each provider puts on it; exported so tests can decorate one queue's
 * activities and keep the rest. A role two providers share gets both sets; its suffix and budget must agree.
 */
export function planQueues({
  config,
  clients,
  temporal,
  pipelines,
  logger,
}: ActivityDeps): Map<string, QueuePlan> {
  const plans = new Map<string, QueuePlan>();
  const join = (role: string, plan: QueuePlan) => {
    const known = plans.get(role);
    if (!known) return void plans.set(role, plan);
    const settings = (p: QueuePlan) => [p.suffix, p.ratePerSecond, p.heartbeatThrottle].join();
    if (settings(known) !== settings(plan))
      throw new Error(`queue role "${role}" is declared twice with different settings`);
    known.activities = { ...known.activities, ...plan.activities };
  };
  for (const [name, provider] of Object.entries(PROVIDER_RUNTIMES)) {
    const client = clients[name as keyof ProviderClients];
    for (const [role, queue] of Object.entries(provider.queues)) {
      join(role, {
        suffix: queue.suffix,
        // Each provider's factory takes its own client: the registry keys clients and providers alike.
        activities: (queue.activities as (deps: object) => Record<string, unknown>)({
          client,
          config,
          temporal,
          logger,
        }),
        ratePerSecond: 'ratePerSecond' in queue ? queue.ratePerSecond(config) : undefined,
        heartbeatThrottle: 'heartbeatThrottle' in queue ? queue.heartbeatThrottle : undefined,
      });
    }
  }
  const triggerDeps = pipelines && {
    registry: pipelines,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    logger,
  };
  // No budget: nothing on it calls a platform (workflows/internal-queue.ts).
  join('internal', {
    suffix: INTERNAL_TASK_QUEUE_SUFFIX,
    activities: {
      ...createTriggerActivities(triggerDeps),
      ...createProviderTriggerActivities(triggerDeps),
    },
  });
  const main = plans.get('main');
  if (!main) throw new Error('no provider declares the main queue');
  // Workflows that scheduled internal activities on the main queue before the internal queue existed still find them.
  main.activities = { ...main.activities, ...plans.get('internal')?.activities };
  return plans;
}

export async function createWorkers(deps: WorkerDeps): Promise<TwinflowWorkers> {
  const { config, connection, logger } = deps;
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  const namespace = config.TEMPORAL_NAMESPACE;
  const temporal = new Client({ connection, namespace });
  const plans = planQueues({ ...deps, temporal });
  const workflowSource = deps.workflowBundle
    ? { workflowBundle: deps.workflowBundle }
    : { workflowsPath: deps.workflowsPath, bundlerOptions: BUNDLER_OPTIONS };

  const graceMs = config.WORKER_SHUTDOWN_GRACE_SECONDS * 1000;
  const byRole = new Map<string, Worker>();
  for (const [role, plan] of plans) {
    const worker = await Worker.create({
      connection,
      namespace,
      shutdownGraceTime: graceMs,
      shutdownForceTime: graceMs + WORKER_SHUTDOWN_FORCE_AFTER_MS,
      taskQueue: `${taskQueue}${plan.suffix}`,
      ...(plan.suffix === '' && workflowSource),
      activities: plan.activities,
      maxTaskQueueActivitiesPerSecond: plan.ratePerSecond,
      // The SDK refuses an explicit undefined here: absent means its default.
      ...(plan.heartbeatThrottle !== undefined && { maxHeartbeatThrottleInterval: plan.heartbeatThrottle }),
    });
    byRole.set(role, worker);
  }
  const all = [...byRole.values()];

  const shutdown = () => {
    for (const worker of all) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  const run = async () => {
    logger.info(
      { taskQueues: [...plans.values()].map((p) => `${taskQueue}${p.suffix}`), namespace },
      'workers running',
    );
    const results = await Promise.allSettled(all.map((worker) => worker.run().finally(shutdown)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    logger.info('workers stopped');
  };
  return { byRole, run, shutdown };
}
