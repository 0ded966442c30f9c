// Sends `escalation.created` the way the seed describes ("a POST request to your webhook URL ... whenever
// shouldEscalate is true"): the seed's flat JSON body, signed `Twin-Signature: sha256=<hex>` over its exact bytes by
// the same signer the verifier is tested against. Several URLs may be configured (the seed has one per account;
// tests want a good and a failing receiver side by side). Retries on non-2xx, network errors and timeouts, with
// exponential backoff, are our assumption (A13): the seed documents none. Sending never delays an API answer.
import type { Logger } from 'pino';
import { z } from 'zod';
import { Timers } from '../../../services/shared/timers.js';
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

export class WebhookSender {
  private config: WebhookConfig | undefined;
  private log: DeliveryLogEntry[] = [];
  private seq = 0;
  private readonly timers = new Timers();
  private abort = new AbortController();

  constructor(
    private readonly faults: FaultBook,
    private readonly logger: Logger,
  ) {}

  /** Undefined stops sending. */
  configure(config: WebhookConfigInput | undefined): void {
    this.config = config === undefined ? undefined : webhookConfigSchema.parse(config);
  }

  send(event: TwinAiWebhookEventType, fields: Record<string, unknown>): void {
    const config = this.config;
    if (!config) return;
    const body = JSON.stringify({ event, ...fields, timestamp: nowIso() });
    const plan = this.faults.webhookPlan();
    if (plan.drop) {
      this.record(
        { event, url: '', body, duplicated: false },
        { attempt: 0, delivered: false, dropped: true },
      );
      return;
    }
    for (const url of config.urls) {
      void this.attempt(config, { event, url, body, duplicated: false }, 1);
      if (plan.duplicate) void this.attempt(config, { event, url, body, duplicated: true }, 1);
    }
  }

  deliveries(): DeliveryLogEntry[] {
    return [...this.log];
  }

  /** Abandons every pending and in-flight delivery. */
  stop(clearLog: boolean): void {
    this.abort.abort();
    this.abort = new AbortController();
    this.timers.clear();
    if (clearLog) this.log = [];
  }

  private async attempt(config: WebhookConfig, job: Job, attempt: number): Promise<void> {
    const cancelled = this.abort.signal;
    try {
      const res = await fetch(job.url, {
        method: 'POST',
        body: job.body,
        redirect: 'manual',
        signal: AbortSignal.any([cancelled, AbortSignal.timeout(config.timeoutMs)]),
        headers: {
          'content-type': 'application/json',
          [TWIN_AI_SIGNATURE_HEADER]: signTwinAiWebhook(Buffer.from(job.body, 'utf8'), config.secret),
        },
      });
      await res.body?.cancel();
      const delivered = res.status >= 200 && res.status < 300;
      this.record(job, { attempt, delivered, httpStatus: res.status, dropped: false });
      if (!delivered) this.retryLater(config, job, attempt);
    } catch (err) {
      if (cancelled.aborted) return;
      this.record(job, { attempt, delivered: false, error: (err as Error).message, dropped: false });
      this.retryLater(config, job, attempt);
    }
  }

  private retryLater(config: WebhookConfig, job: Job, attempt: number): void {
    if (attempt >= config.attempts) {
      this.logger.warn({ event: job.event, url: job.url }, 'Twin.ai emulator webhook delivery gave up');
      return;
    }
    this.timers.later(
      () => void this.attempt(config, job, attempt + 1),
      config.baseDelayMs * 2 ** (attempt - 1),
    );
  }

  private record(
    job: Job,
    result: Pick<DeliveryLogEntry, 'attempt' | 'delivered' | 'dropped' | 'httpStatus' | 'error'>,
  ): void {
    this.log.push({ seq: ++this.seq, at: nowIso(), ...job, ...result });
  }
}
