// twinflow's real webhook receiver on a loopback port, for test environments. Under the documented Twin contract
// only the run.completed webhook tells a run's outcome, so a test of a pipeline needs the receiver as much as
// it needs the worker. Signing secrets are held in memory, each bound to its agent as the CLI's secrets file
// binds them: a delivery signed for one agent may not speak of another.
import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { createReceiverApp } from '../receiver/app.js';
import { createTemporalHandoff } from '../receiver/handoff.js';
import { createTemporalProviderHandoff } from '../receiver/provider-handoff.js';
import type { SigningKey } from '../receiver/secrets.js';
import { WEBHOOK_PATH } from '../receiver/webhook-route.js';
import type { Config } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import type { TwinClient } from '../../providers/twin/client/client.js';
import { WEBHOOK_EVENTS } from '../../providers/twin/vocabulary/run-status.js';

/** A running receiver: where Twin should deliver, and how to give it an agent's signing secret. */
export interface TestReceiver {
  /** The receiver's webhook route on 127.0.0.1. */
  url: string;
  /**
   * What `twinflow webhooks register` does: registers a webhook for every run event of the agent through the
   * Twin API, and keeps the signing secret Twin returns only once.
   */
  register(twin: TwinClient, agentId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the receiver with a real Temporal hand-off on `config.TEMPORAL_TASK_QUEUE`. `client` should be a plain
 * client, as in production: a time-skipping environment's own client would skip time on the receiver's calls.
 */
export async function startTestReceiver(client: Client, config: Config): Promise<TestReceiver> {
  const keys: SigningKey[] = [];
  const app = createReceiverApp({
    config,
    secrets: { keys: () => keys },
    // As services/receiver/main.ts: a tracker this delivery creates polls after the configured silence.
    handoff: createTemporalHandoff({
      client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      reconcileAfterMs: config.RUN_RECONCILE_AFTER_SECONDS * 1000,
    }),
    // The Twin.ai and Twig routes too, with config's TWIN_AI_WEBHOOK_SECRETS and TWIG_WEBHOOK_SECRETS.
    providerHandoff: createTemporalProviderHandoff({ client, taskQueue: config.TEMPORAL_TASK_QUEUE }),
    logger: createLogger('test-receiver', 'silent'),
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
  return {
    url,
    async register(twin, agentId) {
      const hook = await twin.createWebhook(agentId, { url, events: [...WEBHOOK_EVENTS] });
      keys.push({ key: createSecretKey(Buffer.from(hook.signing_secret, 'utf8')), agentId });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
