// Contract of the Twin client with the emulator for webhooks: registration through the client, and what a
// delivery looks like on the wire to a real HTTP receiver. The signature is checked by an HMAC computed here,
// independently of the emulator's signing code, over the exact bytes that arrived.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateWebhookBody, CreatedWebhook } from '../../providers/twin/vocabulary/schemas.js';
import { webhookPayloadSchema } from '../../providers/twin/vocabulary/webhook-payload.js';
import { failure, startContract, type ContractFixture } from './contract-fixture.js';
import { startReceiver, waitFor, type ReceivedRequest, type WebhookReceiver } from './emulator-fixture.js';

let fx: ContractFixture;
let receiver: WebhookReceiver;
beforeAll(async () => {
  fx = await startContract();
  receiver = await startReceiver();
});
afterAll(async () => {
  await fx.close();
  await receiver.close();
});

const newAgent = async () => (await fx.twin.createAgent()).agent.agent_id;
const hook = (agentId: string): Promise<CreatedWebhook> =>
  fx.twin.createWebhook(agentId, { url: 'http://127.0.0.1:9/unused', events: ['run.completed'] });

describe('registering webhooks', () => {
  it('createWebhook answers an active webhook with its signing secret', async () => {
    const created = await fx.twin.createWebhook(await newAgent(), {
      url: 'https://example.com/hooks/twin',
      events: ['run.completed', 'run.failed'],
    });
    expect(created).toMatchObject({
      url: 'https://example.com/hooks/twin',
      events: ['run.completed', 'run.failed'],
      status: 'active',
      signing_secret: expect.stringMatching(/^whsec_/),
    });
  });

  it('getWebhook answers the webhook without its signing secret', async () => {
    const agentId = await newAgent();
    const { signing_secret: _secret, ...created } = await hook(agentId);
    const fetched = await fx.twin.getWebhook(agentId, created.webhook_id);
    expect(fetched).toEqual(created);
  });

  it('listWebhooks lists the agent’s webhooks without signing secrets', async () => {
    const agentId = await newAgent();
    const created = await hook(agentId);
    const { webhooks } = await fx.twin.listWebhooks(agentId);
    expect(webhooks.map((w) => w.webhook_id)).toEqual([created.webhook_id]);
    expect(webhooks[0]).not.toHaveProperty('signing_secret');
  });

  it('updateWebhook changes only the fields given', async () => {
    const agentId = await newAgent();
    const created = await hook(agentId);
    const updated = await fx.twin.updateWebhook(agentId, created.webhook_id, { status: 'disabled' });
    expect(updated).toMatchObject({ status: 'disabled', url: created.url, events: created.events });
  });

  it('deleteWebhook resolves to undefined and the webhook is gone (404 NOT_FOUND)', async () => {
    const agentId = await newAgent();
    const created = await hook(agentId);
    expect(await fx.twin.deleteWebhook(agentId, created.webhook_id)).toBeUndefined();
    const error = await failure(fx.twin.getWebhook(agentId, created.webhook_id));
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('an event type Twin does not document is refused by the client before sending', async () => {
    const agentId = await newAgent();
    const events = ['run.exploded'] as unknown as CreateWebhookBody['events'];
    const error = await failure(fx.twin.createWebhook(agentId, { url: 'https://example.com/h', events }));
    expect(error).toMatchObject({ status: 0, code: 'INVALID_ARGUMENT' });
    expect((await fx.twin.listWebhooks(agentId)).webhooks).toEqual([]);
  });
});

describe('a delivery of run.completed to a real receiver', () => {
  let secret: string;
  let runId: string;
  let delivery: ReceivedRequest;
  beforeAll(async () => {
    const { agent_id: agentId } = await fx.control.createAgent({ script: [{ durationMs: 20 }] });
    const created = await fx.twin.createWebhook(agentId, { url: receiver.url, events: ['run.completed'] });
    secret = created.signing_secret;
    runId = (await fx.twin.startRun(agentId)).run.run_id;
    delivery = await waitFor(() => receiver.requests.find((r) => r.json?.data?.run_id === runId));
  });

  it('has X-Cobb-Signature = sha256=<hex HMAC-SHA256(signing_secret, raw body)>', () => {
    const expected = `sha256=${createHmac('sha256', secret).update(delivery.raw).digest('hex')}`;
    expect(delivery.headers['x-cobb-signature']).toBe(expected);
  });

  it('has X-Cobb-Event equal to the body’s event', () => {
    expect(delivery.headers['x-cobb-event']).toBe(delivery.json.event);
    expect(delivery.json.event).toBe('run.completed');
  });

  it('is a JSON body the receiver’s payload schema accepts, with outcome and finished_at', () => {
    expect(delivery.headers['content-type']).toContain('application/json');
    const payload = webhookPayloadSchema.parse(JSON.parse(delivery.raw.toString('utf8')));
    expect(payload.data).toMatchObject({
      run_id: runId,
      status: 'completed',
      outcome: 'success',
      finished_at: expect.any(String),
    });
  });
});
