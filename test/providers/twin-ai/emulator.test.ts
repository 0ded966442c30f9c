// The emulator as a stand-in for Twin.ai: escalating answers open escalations and announce them as signed webhooks
// to every configured URL, with retries; webhook faults drop or duplicate; the answer script decides per question;
// the truth view counts what Twin really did. Deliveries are verified with the product's own verifier, as a
// receiver would.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TwinAiClient } from '../../../providers/twin-ai/client.js';
import {
  startTwinAiEmulator,
  type RunningTwinAiEmulator,
} from '../../../providers/twin-ai/emulator/server.js';
import { verifyTwinAiWebhook } from '../../../providers/twin-ai/webhook.js';
import { clientFor, settle, startReceiver, type Receiver } from './support.js';

const SECRET = 'whsec_emulated';
let emulator: RunningTwinAiEmulator;
let receiver: Receiver;
let second: Receiver;
let client: TwinAiClient;

beforeAll(async () => {
  emulator = await startTwinAiEmulator({ port: 0 });
  receiver = await startReceiver();
  second = await startReceiver();
});
beforeEach(() => {
  emulator.reset();
  receiver.received.length = 0;
  second.received.length = 0;
  emulator.setWebhooks({ urls: [receiver.url], secret: SECRET, baseDelayMs: 20 });
  emulator.setRules([
    { match: 'approve', answer: { response: 'Escalating.', confidence: 0.2, escalateReason: 'Needs AK' } },
    { match: 'hello', answer: { response: 'Hi!', confidence: 0.95 } },
  ]);
  client = clientFor(emulator);
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
  await second.close();
});

describe('escalation webhooks', () => {
  it('delivers escalation.created, signed, with the seed’s fields', async () => {
    await client.ask({ message: 'Can you approve the contract?', askedBy: 'Jordan M.' });
    const [delivery] = await receiver.accepted(1);
    const event = verifyTwinAiWebhook(delivery?.body ?? Buffer.alloc(0), delivery?.headers ?? {}, SECRET);
    const [escalation] = emulator.truth().escalations;
    expect(event).toMatchObject({
      event: 'escalation.created',
      escalationId: escalation?.id,
      question: 'Can you approve the contract?',
      askedBy: 'Jordan M.',
      confidence: 0.2,
      reason: 'Needs AK',
      timestamp: expect.any(String),
    });
  });

  it('sends nothing for an answer that does not escalate', async () => {
    await client.ask({ message: 'hello' });
    await settle();
    expect(receiver.received).toHaveLength(0);
  });

  it('escalates by the threshold when the script does not say', async () => {
    emulator.setScript(() => ({ response: 'unsure', confidence: 0.4 }));
    emulator.setEscalationThreshold(0.5);
    expect((await client.ask({ message: 'q' })).shouldEscalate).toBe(true);
    await receiver.accepted(1);
  });

  it('delivers to every configured URL', async () => {
    emulator.setWebhooks({ urls: [receiver.url, second.url], secret: SECRET });
    await client.ask({ message: 'approve' });
    await Promise.all([receiver.accepted(1), second.accepted(1)]);
  });

  it('retries a receiver that fails, with the same signed bytes', async () => {
    receiver.answerNext(500, 503);
    await client.ask({ message: 'approve' });
    await receiver.accepted(1);
    expect(receiver.received.map((r) => r.status)).toEqual([500, 503, 204]);
    expect(new Set(receiver.received.map((r) => r.body.toString())).size).toBe(1);
  });

  it('gives up after the configured attempts', async () => {
    emulator.setWebhooks({ urls: [receiver.url], secret: SECRET, attempts: 2, baseDelayMs: 10 });
    receiver.answerNext(500, 500, 500);
    await client.ask({ message: 'approve' });
    await settle(200);
    expect(receiver.received).toHaveLength(2);
  });

  it('drops the next delivery when told to, and logs it', async () => {
    emulator.setFaults({ webhooks: { drop: 1 } });
    await client.ask({ message: 'approve' });
    await settle();
    expect(receiver.received).toHaveLength(0);
    expect(emulator.truth().deliveries).toMatchObject([{ dropped: true, attempt: 0 }]);
  });

  it('duplicates the next delivery when told to', async () => {
    emulator.setFaults({ webhooks: { duplicate: 1 } });
    await client.ask({ message: 'approve' });
    const [a, b] = await receiver.accepted(2);
    expect(a?.body.equals(b?.body ?? Buffer.alloc(0))).toBe(true);
  });
});

describe('answer script', () => {
  it('the script wins over the rules, and falls through when it returns undefined', async () => {
    emulator.setScript((question) =>
      question.startsWith('scripted') ? { response: 'from script', confidence: 0.9 } : undefined,
    );
    expect((await client.ask({ message: 'scripted approve' })).response).toBe('from script');
    expect((await client.ask({ message: 'approve' })).response).toBe('Escalating.');
  });

  it('sees the context and askedBy of the ask', async () => {
    const seen: unknown[] = [];
    emulator.setScript((_q, ask) => {
      seen.push(ask);
      return { response: 'ok', confidence: 1 };
    });
    await client.ask({ message: 'q', context: 'thread', askedBy: 'Sam' });
    expect(seen).toEqual([{ message: 'q', context: 'thread', askedBy: 'Sam' }]);
  });

  it('answers late when told to', async () => {
    emulator.setScript(() => ({ response: 'slow', confidence: 1, delayMs: 200 }));
    const started = Date.now();
    await client.ask({ message: 'q' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe('truth view', () => {
  it('counts asks performed, escalations and documents', async () => {
    await client.createDoc({ title: 'Policy', content: 'text' });
    await client.ask({ message: 'hello' });
    await client.ask({ message: 'approve' });
    expect(emulator.truth()).toMatchObject({
      asksExecuted: 2,
      answersUsed: 2,
      escalations: [{ question: 'approve', status: 'open' }],
      documents: [{ title: 'Policy', source: 'api' }],
    });
  });

  it('counts an ask a hang-up hid from the client', async () => {
    emulator.setFaults({ api: [{ endpoint: 'ask', hangUp: true, when: 'after' }] });
    await expect(client.ask({ message: 'approve' })).rejects.toThrow();
    expect(emulator.truth()).toMatchObject({ asksExecuted: 1, escalations: [{ question: 'approve' }] });
    expect(emulator.requests('ask')).toMatchObject([{ status: 0 }]);
  });

  it('forgets everything on reset, keys included', async () => {
    await client.ask({ message: 'approve' });
    emulator.reset();
    expect(emulator.truth()).toMatchObject({ asksExecuted: 0, escalations: [], documents: [] });
    await expect(client.getStats()).rejects.toMatchObject({ status: 401 });
  });
});

describe('the gate', () => {
  it('sends the seed’s rate-limit headers on every answer', async () => {
    emulator.setRateLimit(5);
    const res = await fetch(`${emulator.url}/v1/stats`, {
      headers: { authorization: `Bearer ${emulator.issueKey()}` },
    });
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('answers an unknown route 404 in the seed’s error shape', async () => {
    const res = await fetch(`${emulator.url}/v1/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it('refuses a resolve with any status but "resolved"', async () => {
    await client.ask({ message: 'approve' });
    const [escalation] = emulator.truth().escalations;
    const res = await fetch(`${emulator.url}/v1/escalations/${escalation?.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${emulator.issueKey()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'open' }),
    });
    expect(res.status).toBe(400);
  });
});
