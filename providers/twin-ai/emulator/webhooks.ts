// Sends `escalation.created` the way the seed describes ("a POST request to your webhook URL ... whenever
// shouldEscalate is true"): the seed's flat JSON body, signed `Twin-Signature: sha256=<hex>` over its exact bytes by
// the same signer the verifier is tested against. Several URLs may be configured (the seed has one per account;
// tests want a good and a failing receiver side by side). Retries on non-2xx, network errors and timeouts, with
// exponential backoff, are our assumption (A13): the seed documents none. Sending never delays an API answer.
import type { Logger } from 'pino';
import { z } from 'zod';
import { WebhookOutbox } from '../../shared/emulator/webhook-outbox.js';
import { signTwinAiWebhook, TWIN_AI_SIGNATURE_HEADER, type TwinAiWebhookEventType } from '../webhook.js';
import type { FaultBook } from './faults.js';
import { nowIso } from './http.js';

export const webhookConfigSchema = z.strictObject({
  urls: z.array(z.url({ protocol: /^https?$/ })).min(1),
  secret: z.string().min(1),
  attempts: z.number().int().min(1).max(20).default(5),
  baseDelayMs: z.number().int().min(0).default(200),
  timeoutMs: z.number().int().positive().default(5_000),
});
export type WebhookConfigInput = z.input<typeof webhookConfigSchema>;
type WebhookConfig = z.output<typeof webhookConfigSchema>;

export interface DeliveryLogEntry {
  seq: number;
  at: string;
  event: TwinAiWebhookEventType;
  /** Empty for an event the fault book dropped before any attempt. */
  url: string;
  /** 0 for a dropped event. */
  attempt: number;
  delivered: boolean;
  httpStatus?: number;
  error?: string;
  dropped: boolean;
  duplicated: boolean;
  /** The exact body sent, so tests can check what was signed. */
  body: string;
}

type Job = Pick<DeliveryLogEntry, 'event' | 'url' | 'body' | 'duplicated'>;

export class WebhookSender extends WebhookOutbox<WebhookConfig, DeliveryLogEntry, WebhookConfigInput> {
  constructor(faults: FaultBook, logger: Logger) {
    super(webhookConfigSchema, faults, logger);
  }

  send(event: TwinAiWebhookEventType, fields: Record<string, unknown>): void {
    const config = this.config;
    if (!config) return;
    const body = JSON.stringify({ event, ...fields, timestamp: nowIso() });
    const plan = this.faults.webhookPlan();
    if (plan.drop) {
      this.record({ event, url: '', body, duplicated: false, attempt: 0, delivered: false, dropped: true });
      return;
    }
    for (const url of config.urls) {
      this.sendJob(config, { event, url, body, duplicated: false });
      if (plan.duplicate) this.sendJob(config, { event, url, body, duplicated: true });
    }
  }

  private sendJob(config: WebhookConfig, job: Job): void {
    this.deliver(config, {
      url: job.url,
      body: job.body,
      headers: {
        [TWIN_AI_SIGNATURE_HEADER]: signTwinAiWebhook(Buffer.from(job.body, 'utf8'), config.secret),
      },
      onAttempt: (report) => this.record({ ...job, ...report, dropped: false }),
      onGiveUp: () =>
        this.logger.warn({ event: job.event, url: job.url }, 'Twin.ai emulator webhook delivery gave up'),
    });
  }
}
