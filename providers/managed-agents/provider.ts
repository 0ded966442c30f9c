// The managed-agent platform on the provider seam (providers/provider.ts): the client from MANAGED_AGENTS_*
// settings and one task queue under MANAGED_AGENTS_RATE_LIMIT_PER_SECOND. A follower's heartbeat is where a worker
// taking over resumes and what status readers show, so its throttle bounds both. Its emulator needs the project's
// session agents, so the local stack starts it itself (services/dev-stack/managed-agents.ts).
import { ConfigError, type Config } from '../../services/shared/config.js';
import { clientWhenKeyed, type Provider, type ProviderActivityDeps } from '../provider.js';
import { createManagedSessionActivities } from './activities/managed-sessions.js';
import { ManagedAgentsClient } from './index.js';
import { MANAGED_AGENTS_TASK_QUEUE_SUFFIX, type SessionProgress } from './workflows/managed-session-api.js';

export const managedAgentsProvider = {
  label: 'managed agents',
  client: (config: Config) => {
    if (config.MANAGED_AGENTS_API_KEY && !config.MANAGED_AGENTS_BASE_URL) {
      throw new ConfigError([
        'MANAGED_AGENTS_API_KEY is set without MANAGED_AGENTS_BASE_URL: the platform has no default address',
      ]);
    }
    return clientWhenKeyed(
      config.MANAGED_AGENTS_API_KEY,
      'MANAGED_AGENTS_API_KEY / MANAGED_AGENTS_BASE_URL',
      (apiKey) => new ManagedAgentsClient({ baseUrl: config.MANAGED_AGENTS_BASE_URL ?? '', apiKey }),
    );
  },
  queues: {
    sessions: {
      suffix: MANAGED_AGENTS_TASK_QUEUE_SUFFIX,
      activities: ({ client }: ProviderActivityDeps<ManagedAgentsClient>) =>
        createManagedSessionActivities({ client }),
      ratePerSecond: (config: Config) => config.MANAGED_AGENTS_RATE_LIMIT_PER_SECOND,
      heartbeatThrottle: '1 second',
    },
  },
  progress: {
    followManagedSession(step, heartbeat) {
      const live = heartbeat as Partial<SessionProgress> | undefined;
      if (!live?.sessionId || live.sessionId !== step.sessionId) return undefined;
      return { ...step, latestEvents: live.latest, eventCount: live.eventCount, sessionStatus: live.status };
    },
  },
} satisfies Provider<ManagedAgentsClient>;
