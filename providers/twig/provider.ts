// Twig on the provider seam (providers/provider.ts): the client from TWIG_* settings, one task queue under
// TWIG_RATE_LIMIT_PER_SECOND (a sync's progress reaches status readers within the heartbeat throttle), the
// registration of waiting syncs with their data source's watch on the internal queue, the signed webhook route
// `POST /webhooks/twig`, and the emulator the local stack runs when no key is set.
import { randomBytes } from 'node:crypto';
import type { Config } from '../../services/shared/config.js';
import { eventKeyOf, providerWebhookRouter } from '../../services/receiver/provider-routes.js';
import { clientWhenKeyed, type Provider, type ProviderActivityDeps } from '../provider.js';
import { INTERNAL_TASK_QUEUE_SUFFIX } from '../../workflows/internal-queue.js';
import { createTwigWatchActivities } from './activities/data-source-watch.js';
import { createTwigActivities } from './activities/twig.js';
import { TwigClient, verifyTwigWebhook } from './index.js';
import { TWIG_TASK_QUEUE_SUFFIX, type TwigSyncProgress } from './workflows/twig-api.js';

export const TWIG_WEBHOOK_PATH = '/webhooks/twig';

export const twigProvider = {
  label: 'Twig',
  /** Without TWIG_BASE_URL, the client's own default (https://api.twig.so). */
  client: (config: Config) =>
    clientWhenKeyed(
      config.TWIG_API_KEY,
      'TWIG_API_KEY / TWIG_BASE_URL',
      (apiKey) =>
        new TwigClient({ apiKey, baseUrl: config.TWIG_BASE_URL, timeoutMs: config.TWIG_TIMEOUT_MS }),
    ),
  queues: {
    twig: {
      suffix: TWIG_TASK_QUEUE_SUFFIX,
      activities: ({ client }: ProviderActivityDeps<TwigClient>) => createTwigActivities({ client }),
      ratePerSecond: (config: Config) => config.TWIG_RATE_LIMIT_PER_SECOND,
      heartbeatThrottle: '1 second',
    },
    // A waiting sync's registration with its data source's watch calls no platform: no budget.
    internal: {
      suffix: INTERNAL_TASK_QUEUE_SUFFIX,
      activities: ({ temporal }: ProviderActivityDeps<TwigClient>) => createTwigWatchActivities({ temporal }),
    },
  },
  webhook: (deps) =>
    providerWebhookRouter(deps, {
      provider: 'twig',
      path: TWIG_WEBHOOK_PATH,
      header: 'X-Twig-Signature',
      secrets: (config) => config.TWIG_WEBHOOK_SECRETS,
      verify(body, headers, secrets) {
        const event = verifyTwigWebhook(body, headers, secrets);
        // Twig's events carry no ID of their own (a data source syncs many times), but a retry resends the same
        // bytes with the original timestamp (A15), so the body's hash names the event.
        return { event: event.event, payload: event, eventKey: eventKeyOf(undefined, body) };
      },
    }),
  emulator: {
    label: 'Twig emulator',
    entry: 'providers/twig/emulator/main.ts',
    keyVariable: 'TWIG_API_KEY',
    baseUrlVariable: 'TWIG_BASE_URL',
    secretsVariable: 'TWIG_WEBHOOK_SECRETS',
    port: (config) => config.TWIG_EMULATOR_PORT,
    portVariable: 'TWIG_EMULATOR_PORT',
    webhookUrlVariable: 'TWIG_EMULATOR_WEBHOOK_URL',
    newKey: () => `twigsk_test_${randomBytes(16).toString('hex')}`,
    webhookPath: TWIG_WEBHOOK_PATH,
    readyPath: '/api/v1/kb',
  },
  progress: {
    awaitTwigSync(step, heartbeat) {
      const live = heartbeat as Partial<TwigSyncProgress> | undefined;
      if (!live?.stepId || live.stepId !== step.id) return undefined;
      return { ...step, syncProgress: { status: live.status, percent: live.progress_pct } };
    },
  },
} satisfies Provider<TwigClient>;
