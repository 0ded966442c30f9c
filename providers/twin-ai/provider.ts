// Twin.ai on the provider seam (providers/provider.ts): the client from TWIN_AI_* settings, one task queue under
// TWIN_AI_RATE_LIMIT_PER_SECOND, the signed webhook route `POST /webhooks/twin-ai`, and the emulator the local
// stack runs when no key is set.
import { randomBytes } from 'node:crypto';
import type { Config } from '../../services/shared/config.js';
import { eventKeyOf, providerWebhookRouter } from '../../services/receiver/provider-routes.js';
import { clientWhenKeyed, type Provider, type ProviderActivityDeps } from '../provider.js';
import { createTwinAiActivities } from './activities/twin-ai.js';
import { TwinAiClient, verifyTwinAiWebhook } from './index.js';
import { TWIN_AI_TASK_QUEUE_SUFFIX } from './workflows/twin-ai-api.js';

/** What the demo's Twin.ai answers: policy questions about refunds are unsure and escalate to a person. */
const DEMO_RULES = [
  {
    match: 'refund',
    answer: {
      response: 'Refunds after 30 days need a manager: the policy allows them only for defective items.',
      confidence: 0.42,
      escalateReason: 'Refund outside the 30-day window',
      sources: ['Refund policy'],
    },
  },
  {
    match: 'policy',
    answer: {
      response: 'Yes, the policy allows this answer.',
      confidence: 0.93,
      sources: ['Support policy'],
    },
  },
];

export const TWIN_AI_WEBHOOK_PATH = '/webhooks/twin-ai';

export const twinAiProvider = {
  label: 'Twin.ai',
  client: (config: Config) =>
    clientWhenKeyed(
      config.TWIN_AI_API_KEY,
      'TWIN_AI_API_KEY / TWIN_AI_BASE_URL',
      (apiKey) => new TwinAiClient({ apiKey, baseUrl: config.TWIN_AI_BASE_URL }),
    ),
  queues: {
    twinAi: {
      suffix: TWIN_AI_TASK_QUEUE_SUFFIX,
      activities: ({ client }: ProviderActivityDeps<TwinAiClient>) => createTwinAiActivities({ client }),
      ratePerSecond: (config: Config) => config.TWIN_AI_RATE_LIMIT_PER_SECOND,
    },
  },
  webhook: (deps) =>
    providerWebhookRouter(deps, {
      provider: 'twin-ai',
      path: TWIN_AI_WEBHOOK_PATH,
      header: 'Twin-Signature',
      secrets: (config) => config.TWIN_AI_WEBHOOK_SECRETS,
      verify(body, headers, secrets, maxBytes) {
        const event = verifyTwinAiWebhook(body, headers, secrets, { maxBytes });
        // Twin.ai documents no delivery ID; the escalation's own ID is the event's (docs/twin-ai-contract.md A13).
        return { event: event.event, payload: event, eventKey: eventKeyOf(event.escalationId, body) };
      },
    }),
  emulator: {
    label: 'Twin.ai emulator',
    entry: 'providers/twin-ai/emulator/main.ts',
    keyVariable: 'TWIN_AI_API_KEY',
    baseUrlVariable: 'TWIN_AI_BASE_URL',
    secretsVariable: 'TWIN_AI_WEBHOOK_SECRETS',
    port: (config) => config.TWIN_AI_EMULATOR_PORT,
    portVariable: 'TWIN_AI_EMULATOR_PORT',
    webhookUrlVariable: 'TWIN_AI_EMULATOR_WEBHOOK_URL',
    newKey: () => `twin_live_sk_${randomBytes(16).toString('hex')}`,
    webhookPath: TWIN_AI_WEBHOOK_PATH,
    readyPath: '/v1/kb',
    extraEnv: { TWIN_AI_EMULATOR_RULES: JSON.stringify(DEMO_RULES) },
  },
} satisfies Provider<TwinAiClient>;
