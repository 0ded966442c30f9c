// The emulator as a sync-and-webhook partner: a sync moves through `processing` with rising progress_pct to
// `active`, then `data_source.synced` arrives signed at the configured URL and passes verifyTwigWebhook. Deliveries
// refused by the receiver are retried; other events (interaction.completed, eval.completed) go out the same way.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TwigClient } from '../../../providers/twig/client.js';
import { startTwigEmulator, type RunningTwigEmulator } from '../../../providers/twig/emulator/server.js';
import { verifyTwigWebhook } from '../../../providers/twig/webhook.js';
import { clientFor, startWebhookSink, type WebhookSink } from './support.js';

const SECRET = 'whsec_emulator_sync';
let emulator: RunningTwigEmulator;
let client: TwigClient;
let sink: WebhookSink;

beforeAll(async () => {
  emulator = await startTwigEmulator({ port: 0 });
});
beforeEach(async () => {
  emulator.reset();
  sink = await startWebhookSink();
  emulator.setWebhook({ url: sink.url, secret: SECRET, baseDelayMs: 50 });
  client = clientFor(emulator);
});
afterEach(() => sink.close());
afterAll(() => emulator.close());

async function pollUntilSettled(id: string) {
  const seen: Array<{ status: string; progress: number | null | undefined }> = [];
  for (let i = 0; i < 100; i++) {
    const status = await client.getDataSourceStatus(id);
    seen.push({ status: status.status, progress: status.progress_pct });
    if (status.status !== 'processing') return seen;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error(`sync of ${id} never settled: ${JSON.stringify(seen.slice(-3))}`);
}

describe('sync progress', () => {
  it('rises through processing to active with progress_pct 100 and the scripted chunk count', async () => {
    emulator.scriptSync({ durationMs: 600, steps: 3, chunks: 90 });
    const source = await client.createDataSource({ type: 'website', name: 'Docs' });
    await client.syncDataSource(source.id);
    const seen = await pollUntilSettled(source.id);
    const progress = seen.filter((s) => s.status === 'processing').map((s) => s.progress ?? 0);
    expect(new Set(progress).size).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(await client.getDataSourceStatus(source.id)).toMatchObject({
      status: 'active',
      progress_pct: 100,
      chunks_indexed: 90,
    });
  });

  it('ends failed when scripted to fail, and says so in the webhook', async () => {
    const source = await client.createDataSource({ type: 'slack', name: 'Channels' });
    emulator.scriptSync({ data_source_id: source.id, durationMs: 100, steps: 1, result: 'failed' });
    await client.syncDataSource(source.id);
    const [delivery] = await sink.accepted(1);
    const event = verifyTwigWebhook(delivery?.body ?? Buffer.alloc(0), delivery?.headers ?? {}, SECRET);
    expect(event).toMatchObject({
      event: 'data_source.synced',
      data: { data_source_id: source.id, status: 'failed' },
    });
    expect((await client.getDataSourceStatus(source.id)).status).toBe('failed');
  });
});

describe('signed webhooks', () => {
  it('delivers data_source.synced that verifyTwigWebhook accepts', async () => {
    emulator.scriptSync({ durationMs: 100, steps: 2 });
    const source = await client.createDataSource({ type: 'website', name: 'Docs' });
    await client.syncDataSource(source.id);
    const [delivery] = await sink.accepted(1);
    expect(delivery?.headers['x-twig-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const event = verifyTwigWebhook(delivery?.body ?? Buffer.alloc(0), delivery?.headers ?? {}, SECRET);
    expect(event).toMatchObject({
      event: 'data_source.synced',
      data: { data_source_id: source.id, status: 'active' },
    });
  });

  it('retries a delivery the receiver refused', async () => {
    sink.failNext(2);
    emulator.emitWebhook('eval.completed', {});
    await sink.accepted(1);
    await vi.waitFor(() =>
      expect(emulator.deliveries().map((d) => [d.attempt, d.delivered])).toEqual([
        [1, false],
        [2, false],
        [3, true],
      ]),
    );
  });

  it('signs with a bare hex digest when configured so, which the verifier also accepts', async () => {
    emulator.setWebhook({ url: sink.url, secret: SECRET, signature: 'bare' });
    const source = await client.createDataSource({ type: 'file', name: 'F' });
    const agent = await client.createAgent({ name: 'A', data_source_ids: [source.id] });
    await client.query({ agent_id: agent.id, query: 'hello' });
    const [delivery] = await sink.accepted(1);
    expect(delivery?.headers['x-twig-signature']).toMatch(/^[0-9a-f]{64}$/);
    const event = verifyTwigWebhook(delivery?.body ?? Buffer.alloc(0), delivery?.headers ?? {}, SECRET);
    expect(event).toMatchObject({ event: 'interaction.completed', data: { agent_id: agent.id } });
  });

  it('a delivery the verifier rejects under another secret', async () => {
    emulator.emitWebhook('agent.updated', { agent_id: 'agent_1' });
    const [delivery] = await sink.accepted(1);
    expect(() =>
      verifyTwigWebhook(delivery?.body ?? Buffer.alloc(0), delivery?.headers ?? {}, 'not_the_secret'),
    ).toThrow(/signature_mismatch/);
  });

  it('drops and duplicates deliveries when told to', async () => {
    emulator.setFaults({ webhooks: { drop: 1, duplicate: 1 } });
    emulator.emitWebhook('eval.completed', { n: 1 });
    emulator.emitWebhook('eval.completed', { n: 2 });
    const accepted = await sink.accepted(2);
    expect(accepted.map((d) => JSON.parse(d.body.toString()).data.n)).toEqual([2, 2]);
    expect(emulator.deliveries().filter((d) => d.dropped)).toHaveLength(1);
  });
});
