// Wires one emulator instance together (no module-level state): the store, the fault book, the per-key rate
// limiter, the request log, the answer book, the webhook sender and the plan's monthly answer limit.
import type { Logger } from 'pino';
import { AnswerBook } from './answers.js';
import { createFaultBook } from './faults.js';
import { RateLimiter, type GateDeps, type RequestLogEntry } from './gate.js';
import { Store } from './store.js';
import { WebhookSender } from './webhooks.js';

export interface CoreSettings {
  monthlyAnswerLimit: number;
  escalationThreshold: number;
  rateLimitPerMinute: number;
}

export interface TwinAiEmulatorCore extends GateDeps {
  answers: AnswerBook;
  webhooks: WebhookSender;
  logger: Logger;
  /** Answers per month before 402; the seed's free plan: 500. */
  monthlyAnswerLimit: number;
  /** Forgets state, keys, scripts, faults, deliveries and webhook URLs; settings go back to the start's. */
  reset(): void;
  /** Stops every timer and delivery. */
  shutdown(): void;
}

export function createCore(settings: CoreSettings, logger: Logger): TwinAiEmulatorCore {
  const store = new Store();
  const faults = createFaultBook();
  const limiter = new RateLimiter(settings.rateLimitPerMinute);
  const requests: RequestLogEntry[] = [];
  const answers = new AnswerBook(settings.escalationThreshold);
  const webhooks = new WebhookSender(faults, logger);
  const core: TwinAiEmulatorCore = {
    store,
    faults,
    limiter,
    requests,
    answers,
    webhooks,
    logger,
    monthlyAnswerLimit: settings.monthlyAnswerLimit,
    reset() {
      webhooks.stop(true);
      webhooks.configure(undefined);
      faults.configure({});
      limiter.clear();
      limiter.perMinute = settings.rateLimitPerMinute;
      answers.clear();
      answers.threshold = settings.escalationThreshold;
      store.clear();
      requests.length = 0;
      core.monthlyAnswerLimit = settings.monthlyAnswerLimit;
    },
    shutdown() {
      webhooks.stop(false);
    },
  };
  return core;
}
