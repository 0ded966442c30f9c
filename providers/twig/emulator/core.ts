// Wires one emulator instance together (no module-level state): the store, the fault book, the per-key rate
// limiter, the request log, scripted answers, the sync engine and the webhook sender. A sync that finishes sends
// `data_source.synced` with the data we assume the seed's event carries (A14).
import type { Logger } from 'pino';
import type { TwigScope } from '../endpoints.js';
import { rateLimitsWith, type RateLimit } from '../rate-budget.js';
import { AnswerScripts } from './answers.js';
import { createFaultBook } from './faults.js';
import { RateLimiter, type GateDeps, type RequestLogEntry } from './gate.js';
import { Store } from './store.js';
import { SyncEngine } from './sync.js';
import { WebhookSender } from './webhooks.js';

export interface TwigEmulatorCore extends GateDeps {
  answers: AnswerScripts;
  syncs: SyncEngine;
  webhooks: WebhookSender;
  logger: Logger;
  /** Forgets state, scripts, faults, deliveries and timers; the webhook endpoint too. */
  reset(): void;
  /** Stops every timer and delivery. */
  shutdown(): void;
}

export function createCore(
  rateLimits: Partial<Record<TwigScope, RateLimit>>,
  logger: Logger,
): TwigEmulatorCore {
  const store = new Store();
  const faults = createFaultBook();
  const limiter = new RateLimiter(rateLimitsWith(rateLimits));
  const requests: RequestLogEntry[] = [];
  const webhooks = new WebhookSender(faults, logger);
  const syncs = new SyncEngine((source) =>
    webhooks.send('data_source.synced', {
      data_source_id: source.id,
      status: source.status,
      chunks_indexed: source.chunks_indexed,
    }),
  );
  const answers = new AnswerScripts();
  return {
    store,
    faults,
    limiter,
    requests,
    answers,
    syncs,
    webhooks,
    logger,
    reset() {
      syncs.stop();
      syncs.clearPlans();
      webhooks.stop(true);
      webhooks.configure(undefined);
      faults.configure({});
      limiter.clear();
      answers.clear();
      store.clear();
      requests.length = 0;
    },
    shutdown() {
      syncs.stop();
      webhooks.stop(false);
    },
  };
}
