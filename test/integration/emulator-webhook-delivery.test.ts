import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENTS, type WebhookEventType } from '../../providers/twin/vocabulary/run-status.js';
import { webhookPayloadSchema } from '../../providers/twin/vocabulary/webhook-payload.js';
import type { RunBehaviourInput } from '../../providers/twin/emulator/control-client.js';
import {
  startFixture,
  startReceiver,
  waitFor,
  type EmulatorFixture,
  type ReceivedRequest,
  type WebhookReceiver,
} from './emulator-fixture.js';

let fx: EmulatorFixture;
const receivers: WebhookReceiver[] = [];
beforeAll(async () => {
  fx = await startFixture();
});
afterEach(() => fx.control.setFaults({}));
afterAll(async () => {
  await fx.close();
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

interface Hooked {
  agentId: string;
  webhookId: string;
  secret: string;
}

async function hookedAgent(
  url: string,
  script: RunBehaviourInput[],
  events: readonly WebhookEventType[] = WEBHOOK_EVENTS,
): Promise<Hooked> {
  const { agent_id: agentId } = await fx.control.createAgent({ script });
  const hook = await fx.api('POST', `/v1/agents/${agentId}/webhooks`, { url, events });
  return { agentId, webhookId: hook.body.webhook_id, secret: hook.body.signing_secret };
}

async function startRun(agentId: string): Promise<string> {
  return (await fx.startRun(agentId)).body.run.run_id;
}

const expectedSignature = (secret: string, raw: Buffer) =>
  `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

const eventsOf = (r: WebhookReceiver) => r.requests.map((q) => q.json.event as string);

function received(r: WebhookReceiver, event: WebhookEventType, count = 1): Promise<ReceivedRequest[]> {
  return waitFor(() => {
    const hits = r.requests.filter((q) => q.json.event === event);
    return hits.length >= count ? hits : undefined;
  });
}

describe('Twin emulator: webhook delivery', () => {
  it('POSTs run.started and run.completed, signed with the webhook secret over the raw body', async () => {
    const r = await receiver();
    const { agentId, secret } = await hookedAgent(r.url, [{ durationMs: 10, outcome: 'success' }]);
    const runId = await startRun(agentId);
    const [completed] = await received(r, 'run.completed');
    const [started] = await received(r, 'run.started');

    for (const req of [started, completed]) {
      expect(req?.headers['content-type']).toBe('application/json');
      expect(req?.headers['x-cobb-event']).toBe(req?.json.event);
      expect(req?.headers['x-cobb-signature']).toBe(expectedSignature(secret, req?.raw as Buffer));
      expect(webhookPayloadSchema.safeParse(req?.json).success).toBe(true);
    }
    expect(started?.json.data).toEqual({ run_id: runId, agent_id: agentId, status: 'in_progress' });
    expect(completed?.json.data).toEqual({
      run_id: runId,
      agent_id: agentId,
      status: 'completed',
      outcome: 'success',
      finished_at: expect.any(String),
    });
  });

  it('sends run.failed with status "error" and finished_at, without an outcome', async () => {
    const r = await receiver();
    const { agentId } = await hookedAgent(r.url, [{ durationMs: 10, result: 'failed' }], ['run.failed']);
    await startRun(agentId);
    const [failed] = await received(r, 'run.failed');
    expect(failed?.json.data).toEqual({
      run_id: expect.any(String),
      agent_id: agentId,
      status: 'error',
      finished_at: expect.any(String),
    });
  });

  it('sends run.paused and run.stopped for a paused then cancelled run', async () => {
    const r = await receiver();
    const { agentId } = await hookedAgent(r.url, [{ result: 'never' }], ['run.paused', 'run.stopped']);
    const runId = await startRun(agentId);
    await fx.control.moveRun(runId, 'pause');
    const [paused] = await received(r, 'run.paused');
    await fx.api('POST', `/v1/agents/${agentId}/runs/${runId}/cancel`, {});
    const [stopped] = await received(r, 'run.stopped');
    expect(paused?.json.data).toEqual({ run_id: runId, agent_id: agentId, status: 'paused' });
    expect(stopped?.json.data).toEqual({
      run_id: runId,
      agent_id: agentId,
      status: 'stopped',
      finished_at: expect.any(String),
    });
  });

  it('sends only the events a webhook subscribed to', async () => {
    const r = await receiver();
    const { agentId } = await hookedAgent(r.url, [{ durationMs: 10 }], ['run.completed']);
    const runId = await startRun(agentId);
    await received(r, 'run.completed');
    expect(eventsOf(r)).toEqual(['run.completed']);
    expect((await fx.control.deliveries({ run_id: runId })).map((d) => d.event)).toEqual(['run.completed']);
  });

  it('sends nothing to a disabled webhook', async () => {
    const active = await receiver();
    const disabled = await receiver();
    const { agentId } = await hookedAgent(active.url, [{ durationMs: 10 }]);
    const off = await fx.api('POST', `/v1/agents/${agentId}/webhooks`, {
      url: disabled.url,
      events: WEBHOOK_EVENTS,
    });
    await fx.api('PATCH', `/v1/agents/${agentId}/webhooks/${off.body.webhook_id}`, { status: 'disabled' });
    await startRun(agentId);
    await received(active, 'run.completed');
    expect(disabled.requests).toHaveLength(0);
    expect(await fx.control.deliveries({ webhook_id: off.body.webhook_id })).toEqual([]);
  });

  it('retries a delivery the receiver answered with 500, with the same signed body', async () => {
    const r = await receiver();
    r.respondWith((n) => (n === 0 ? 500 : 200));
    const { agentId, webhookId } = await hookedAgent(r.url, [{ durationMs: 10 }], ['run.completed']);
    await startRun(agentId);
    const [first, second] = await received(r, 'run.completed', 2);
    expect(second?.raw.equals(first?.raw as Buffer)).toBe(true);
    expect(second?.headers['x-cobb-signature']).toBe(first?.headers['x-cobb-signature']);
    const log = await fx.control.deliveries({ webhook_id: webhookId });
    expect(log.map((d) => [d.attempt, d.http_status, d.delivered])).toEqual([
      [1, 500, false],
      [2, 200, true],
    ]);
  });

  it('retries after a network error and logs the error', async () => {
    const gone = await startReceiver();
    await gone.close();
    const { agentId, webhookId } = await hookedAgent(gone.url, [{ durationMs: 5 }], ['run.completed']);
    await startRun(agentId);
    const log = await waitFor(async () => {
      const entries = await fx.control.deliveries({ webhook_id: webhookId });
      return entries.length === 3 ? entries : undefined;
    });
    expect(log.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(log.every((d) => !d.delivered && typeof d.error === 'string')).toBe(true);
  });
});

describe('Twin emulator: webhook faults (seeded)', () => {
  it('drops deliveries at dropRate 1 and logs them as dropped', async () => {
    await fx.control.setFaults({ seed: 7, webhooks: { dropRate: 1 } });
    const r = await receiver();
    const { agentId } = await hookedAgent(r.url, [{ durationMs: 5 }]);
    const runId = await startRun(agentId);
    const log = await waitFor(async () => {
      const entries = await fx.control.deliveries({ run_id: runId });
      return entries.length === 2 ? entries : undefined;
    });
    expect(log.every((d) => d.dropped && d.attempt === 0)).toBe(true);
    expect(r.requests).toHaveLength(0);
  });

  it('delivers every event twice, byte for byte, at duplicateRate 1', async () => {
    await fx.control.setFaults({ seed: 7, webhooks: { duplicateRate: 1 } });
    const r = await receiver();
    const { agentId } = await hookedAgent(r.url, [{ durationMs: 5 }], ['run.completed']);
    const runId = await startRun(agentId);
    const [a, b] = await received(r, 'run.completed', 2);
    expect(a?.raw.equals(b?.raw as Buffer)).toBe(true);
    const log = await fx.control.deliveries({ run_id: runId });
    expect(log.map((d) => d.duplicated).sort()).toEqual([false, true]);
  });

  it('holds each delivery for at least the minimum delay', async () => {
    await fx.control.setFaults({ seed: 7, webhooks: { delayMs: [150, 200] } });
    const r = await receiver();
    const { agentId } = await hookedAgent(r.url, [{ result: 'never' }], ['run.started']);
    await startRun(agentId);
    const [started] = await received(r, 'run.started');
    const dispatchedAt = Date.parse(started?.json.timestamp);
    expect((started?.receivedAt ?? 0) - dispatchedAt).toBeGreaterThanOrEqual(145);
  });

  it('reorders deliveries within the window: with seed 4, run.completed arrives before run.started', async () => {
    await fx.control.setFaults({ seed: 4, webhooks: { reorder: true, reorderWindowMs: 300 } });
    const r = await receiver();
    const { agentId } = await hookedAgent(r.url, [{ durationMs: 0 }], ['run.started', 'run.completed']);
    await startRun(agentId);
    await received(r, 'run.started');
    await received(r, 'run.completed');
    expect(eventsOf(r)).toEqual(['run.completed', 'run.started']);
  });
});
