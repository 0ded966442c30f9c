// Twin on the provider seam (providers/provider.ts): the client from TWIN_API_* settings; the main queue, where the
// workflows run beside the activities that start, cancel and read Twin runs under TWIN_API_RATE_LIMIT_PER_SECOND;
// the poll queue, whose reconciliation reads have a budget of their own so they never delay a start or a cancel;
// lane permits and liveness checks on the internal queue (no budget: they call no platform); and the webhook route.
import { ConfigError, type Config } from '../../services/shared/config.js';
import { createWebhookRouter } from '../../services/receiver/webhook-route.js';
import { INTERNAL_TASK_QUEUE_SUFFIX } from '../../workflows/internal-queue.js';
import type { Provider, ProviderActivityDeps } from '../provider.js';
import { createLaneActivities } from './activities/lanes.js';
import { createPollActivities } from './activities/poll-run.js';
import { createRunOutputActivities } from './activities/run-output.js';
import { createTwinAdminActivities } from './activities/twin-admin.js';
import { createTwinRunActivities } from './activities/twin-runs.js';
import { createWebhookCoverage } from './activities/webhook-coverage.js';
import { createTwinClient, type TwinClient } from './client/client.js';
import { POLL_TASK_QUEUE_SUFFIX } from './workflows/run-tracker-api.js';

/** Every Twin activity needs the client; the worker refuses to start without TWIN_API_KEY before it gets here. */
function twinOf({ client }: ProviderActivityDeps<TwinClient>): TwinClient {
  if (!client) throw new ConfigError(['TWIN_API_KEY is not set: Twin activities cannot run without it']);
  return client;
}

export const twinProvider = {
  label: 'Twin',
  client: (config: Config) =>
    config.TWIN_API_KEY
      ? createTwinClient({
          baseUrl: config.TWIN_API_BASE_URL,
          apiKey: config.TWIN_API_KEY,
          timeoutMs: config.TWIN_API_TIMEOUT_MS,
        })
      : undefined,
  queues: {
    main: {
      suffix: '',
      activities: (deps: ProviderActivityDeps<TwinClient>) => {
        const twin = twinOf(deps);
        return {
          ...createTwinRunActivities({
            twin,
            temporal: deps.temporal,
            taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
            reconcileAfterMs: deps.config.RUN_RECONCILE_AFTER_SECONDS * 1000,
            webhooks: createWebhookCoverage(twin, deps.logger),
          }),
          ...createTwinAdminActivities({ twin }),
          ...createRunOutputActivities({ twin }),
          // Trackers scheduled polls on the main queue before the poll queue existed; they still find them.
          ...createPollActivities({ twin }),
        };
      },
      ratePerSecond: (config: Config) => config.TWIN_API_RATE_LIMIT_PER_SECOND,
    },
    poll: {
      suffix: POLL_TASK_QUEUE_SUFFIX,
      activities: (deps: ProviderActivityDeps<TwinClient>) => createPollActivities({ twin: twinOf(deps) }),
      ratePerSecond: (config: Config) => config.TWIN_POLL_RATE_LIMIT_PER_SECOND,
    },
    internal: {
      suffix: INTERNAL_TASK_QUEUE_SUFFIX,
      activities: ({ config, temporal }: ProviderActivityDeps<TwinClient>) =>
        createLaneActivities({
          temporal,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          laneLimit: config.AGENT_CONCURRENCY_DEFAULT,
          laneHolderCheckIntervalMs: config.AGENT_LANE_HOLDER_CHECK_SECONDS * 1000,
        }),
    },
  },
  webhook: ({ config, secrets, handoff, metrics }) =>
    createWebhookRouter({ settings: config, secrets, handoff, metrics }),
} satisfies Provider<TwinClient>;
