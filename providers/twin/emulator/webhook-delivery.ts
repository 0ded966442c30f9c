// Pushes run lifecycle events to the agent's webhooks the way Twin documents it: a JSON POST signed with
// `X-Cobb-Signature: sha256=<HMAC-SHA256(signing_secret, raw body)>`, retried with exponential backoff on a
// non-2xx answer, a network error or a timeout. Faults (drop, duplicate, delay, reorder) are applied here so the
// receiver can be tested against everything a real sender does. Sending is always asynchronous: an API answer
// never waits for a delivery.
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { isTerminal, statusOfWebhookEvent, type WebhookEventType } from '../vocabulary/run-status.js';
import type { WebhookPayload } from '../vocabulary/webhook-payload.js';
import type { FaultInjector } from './faults.js';
import type { RunRecord } from './state.js';
import type { Store } from './store.js';
import { webhookStatusWord } from './views.js';
import { Timers } from '../../../services/shared/timers.js';

export interface RetryPolicy {
  /** Total attempts, the first one included. */
  attempts: number;
  baseDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 500, timeoutMs: 10_000 };
const MAX_LOG_ENTRIES = 10_000;

export interface DeliveryLogEntry {
  seq: number;
  at: string;
  webhook_id: string;
  event: WebhookEventType;
  run_id: string;
  /** 0 for a delivery the fault injector dropped before any attempt. */
  attempt: number;
  delivered: boolean;
  http_status?: number;
  error?: string;
  dropped: boolean;
  duplicated: boolean;
}

interface Job {
  webhookId: string;
  event: WebhookEventType;
  runId: string;
  body: string;
  duplicated: boolean;
}

export function buildWebhookPayload(
  run: RunRecord,
  event: WebhookEventType,
  timestamp: string,
): WebhookPayload {
  const status = statusOfWebhookEvent(event);
  const data: WebhookPayload['data'] = {
    run_id: run.run_id,
    agent_id: run.agent_id,
    status: webhookStatusWord(status),
  };
  if (event === 'run.completed' && run.outcome) data.outcome = run.outcome;
  if (isTerminal(status) && run.finished_at) data.finished_at = run.finished_at;
  return { event, timestamp, data };
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export class WebhookDispatcher {
  private log: DeliveryLogEntry[] = [];
  private seq = 0;
  private readonly timers = new Timers();
  private abort = new AbortController();
  private reorderBuffer: Job[] = [];

  constructor(
    private readonly store: Store,
    private readonly faults: FaultInjector,
    private readonly retry: RetryPolicy,
    private readonly logger: Logger,
  ) {}

  dispatch(run: RunRecord, event: WebhookEventType): void {
    const body = JSON.stringify(buildWebhookPayload(run, event, new Date().toISOString()));
    for (const hook of this.store.webhooksOf(run.agent_id)) {
      if (hook.status !== 'active' || !hook.events.includes(event)) continue;
      const job: Job = { webhookId: hook.webhook_id, event, runId: run.run_id, body, duplicated: false };
      const plan = this.faults.webhookPlan();
      if (plan.drop) {
        this.record(job, { attempt: 0, delivered: false, dropped: true });
        continue;
      }
      this.timers.later(() => this.enqueue(job), plan.delayMs);
      if (plan.duplicate) this.timers.later(() => this.enqueue({ ...job, duplicated: true }), plan.delayMs);
    }
  }

  deliveries(): DeliveryLogEntry[] {
    return [...this.log];
  }

  /** Abandons every pending and in-flight delivery (reset and shutdown). */
  cancelAll(clearLog: boolean): void {
    this.abort.abort();
    this.abort = new AbortController();
    this.timers.clear();
    this.reorderBuffer = [];
    if (clearLog) this.log = [];
  }

  private enqueue(job: Job): void {
    const windowMs = this.faults.reorderWindowMs();
    if (windowMs === undefined) {
      void this.attempt(job, 1);
      return;
    }
    if (this.reorderBuffer.length === 0) this.timers.later(() => void this.flushReordered(), windowMs);
    this.reorderBuffer.push(job);
  }

  /** First attempts go out one after another so the shuffled order is the order the receiver sees. */
  private async flushReordered(): Promise<void> {
    const batch = this.faults.shuffle(this.reorderBuffer);
    this.reorderBuffer = [];
    const { signal } = this.abort;
    for (const job of batch) {
      if (signal.aborted) return;
      await this.attempt(job, 1);
    }
  }

  private async attempt(job: Job, attempt: number): Promise<void> {
    const hook = this.store.webhooks.get(job.webhookId);
    if (!hook || hook.status !== 'active') return;
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.retry.timeoutMs)]);
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        body: job.body,
        redirect: 'manual',
        signal,
        headers: {
          'Content-Type': 'application/json',
          'X-Cobb-Signature': signBody(hook.signing_secret, job.body),
          'X-Cobb-Event': job.event,
        },
      });
      await res.body?.cancel();
      const delivered = res.status >= 200 && res.status < 300;
      this.record(job, { attempt, delivered, http_status: res.status, dropped: false });
      if (!delivered) this.retryLater(job, attempt);
    } catch (err) {
      if (this.abortedBy(signal)) return;
      this.record(job, { attempt, delivered: false, error: errorText(err), dropped: false });
      this.retryLater(job, attempt);
    }
  }

  private abortedBy(signal: AbortSignal): boolean {
    return (
      signal.aborted && !(signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError')
    );
  }

  private retryLater(job: Job, attempt: number): void {
    if (attempt >= this.retry.attempts) {
      this.logger.warn(
        { webhookId: job.webhookId, event: job.event, runId: job.runId },
        'webhook delivery gave up',
      );
      return;
    }
    const delay = this.retry.baseDelayMs * 2 ** (attempt - 1);
    this.timers.later(() => void this.attempt(job, attempt + 1), delay);
  }

  private record(
    job: Job,
    result: Omit<DeliveryLogEntry, 'seq' | 'at' | 'webhook_id' | 'event' | 'run_id' | 'duplicated'>,
  ): void {
    this.log.push({
      seq: ++this.seq,
      at: new Date().toISOString(),
      webhook_id: job.webhookId,
      event: job.event,
      run_id: job.runId,
      duplicated: job.duplicated,
      ...result,
    });
    if (this.log.length > MAX_LOG_ENTRIES) this.log.splice(0, this.log.length - MAX_LOG_ENTRIES);
  }
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.name}: ${err.message}${cause}`;
}
