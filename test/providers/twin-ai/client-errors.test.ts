// How failures reach callers: the seed's `{error}` body becomes a TwinAiApiError with status, code and message;
// input over the seed's limits is refused before sending, naming field and limit; the monthly answer limit is its
// own non-retryable error carrying the seed's message; answers that are not Twin's (a proxy page, a 2xx breaking
// the contract) come from a bare HTTP peer, since the emulator never sends them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { thrown } from '../../../providers/shared/testing/failures.js';
import { startHttpPeer, type HttpPeer } from '../../../providers/shared/testing/http-peer.js';
import { TwinAiClient } from '../../../providers/twin-ai/client.js';
import { TwinAiAnswerLimitError, TwinAiInputError } from '../../../providers/twin-ai/errors.js';
import {
  startTwinAiEmulator,
  type RunningTwinAiEmulator,
} from '../../../providers/twin-ai/emulator/server.js';
import { clientFor, rejection } from './support.js';

let emulator: RunningTwinAiEmulator;

beforeAll(async () => {
  emulator = await startTwinAiEmulator({ port: 0 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.close());

describe("Twin's error body", () => {
  it('becomes status, code and the message verbatim, without a cause on a first answer', async () => {
    const error = await rejection(clientFor(emulator).getDoc('doc_missing'));
    expect(error).toMatchObject({
      status: 404,
      code: 'not_found',
      serverMessage: 'Document not found.',
      retryable: false,
      attempts: 1,
      method: 'GET',
      path: '/v1/kb/doc_missing',
    });
    expect(error.cause).toBeUndefined();
  });

  it('answers an unknown key 401, sent once', async () => {
    const client = new TwinAiClient({ apiKey: 'twin_live_sk_unknown', baseUrl: emulator.url });
    expect(await rejection(client.getStats())).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(emulator.requests('getStats')).toHaveLength(1);
  });

  it('never shows the API key in an error', async () => {
    const apiKey = 'twin_live_sk_notissuedbytheemulator';
    const error = await rejection(new TwinAiClient({ apiKey, baseUrl: emulator.url }).getStats());
    expect(`${error.message} ${JSON.stringify(error)} ${String(error.stack)}`).not.toContain(apiKey);
  });
});

describe('input limits, checked before sending', () => {
  it.each([
    ['message', { message: 'x'.repeat(2_001) }, 2_000],
    ['context', { message: 'q', context: 'x'.repeat(4_001) }, 4_000],
  ])('refuses a %s over its limit, naming field and limit, and sends nothing', async (field, body, limit) => {
    const error = await rejection(clientFor(emulator).ask(body), TwinAiInputError);
    expect(error).toMatchObject({ field, limit, code: 'invalid_input', status: 0, attempts: 0 });
    expect(error.message).toContain(`at most ${limit}`);
    expect(emulator.requests()).toHaveLength(0);
  });

  it('accepts a message of exactly 2,000 characters', async () => {
    await expect(clientFor(emulator).ask({ message: 'x'.repeat(2_000) })).resolves.toMatchObject({
      response: expect.any(String),
    });
  });

  it('refuses KB content over 50,000 characters', async () => {
    const error = await rejection(
      clientFor(emulator).createDoc({ title: 't', content: 'x'.repeat(50_001) }),
      TwinAiInputError,
    );
    expect(error).toMatchObject({ field: 'content', limit: 50_000 });
  });

  it('refuses a list limit over 200', async () => {
    const error = await rejection(clientFor(emulator).listEscalations({ limit: 201 }), TwinAiInputError);
    expect(error).toMatchObject({ field: 'limit', limit: 200 });
  });

  it('refuses a document type the seed does not list', async () => {
    const error = await rejection(clientFor(emulator).listDocs({ type: 'wiki' as 'note' }), TwinAiInputError);
    expect(error).toMatchObject({ field: 'type', limit: undefined });
  });

  it('refuses an empty message', async () => {
    expect((await rejection(clientFor(emulator).ask({ message: '' }), TwinAiInputError)).field).toBe(
      'message',
    );
  });

  it('refuses an empty ID instead of calling the list endpoint', async () => {
    expect((await rejection(clientFor(emulator).deleteDoc(''), TwinAiInputError)).field).toBe('id');
  });

  it('meets the emulator’s own refusal, in the seed’s words, when the check is bypassed', async () => {
    const res = await fetch(`${emulator.url}/v1/twin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.issueKey()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'x'.repeat(2_001) }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Message too long (max 2000 chars).' });
  });
});

describe('402: the monthly answer limit', () => {
  it('is a TwinAiAnswerLimitError carrying the seed’s message and the counts', async () => {
    emulator.setMonthlyAnswerLimit(500, 500);
    const error = await rejection(clientFor(emulator).ask({ message: 'q' }), TwinAiAnswerLimitError);
    expect(error).toMatchObject({
      status: 402,
      code: 'answer_limit_reached',
      serverMessage: 'Monthly answer limit reached (500/500). Upgrade to Pro for 2,000 answers/month.',
      retryable: false,
      used: 500,
      limit: 500,
    });
  });

  it('is not retried and spends no answer', async () => {
    emulator.setMonthlyAnswerLimit(1, 1);
    await rejection(clientFor(emulator).ask({ message: 'q' }), TwinAiAnswerLimitError);
    expect(emulator.requests('ask')).toHaveLength(1);
    expect(emulator.truth()).toMatchObject({ asksExecuted: 0, answersUsed: 1 });
  });

  it('comes once the limit is used up, not before', async () => {
    emulator.setMonthlyAnswerLimit(2);
    const client = clientFor(emulator);
    await client.ask({ message: 'one' });
    await client.ask({ message: 'two' });
    const error = await rejection(client.ask({ message: 'three' }), TwinAiAnswerLimitError);
    expect(error.serverMessage).toContain('(2/2)');
  });
});

describe('client options', () => {
  it.each([
    ['', 'apiKey is missing'],
    ['sk_live_abc', 'must start with twin_live_'],
    ['twin_test_abc', 'must start with twin_live_'],
    ['Bearer twin_live_abc', 'without "Bearer "'],
    [' twin_live_abc', 'leading or trailing whitespace'],
    ['twin_live_ab c', 'may contain only'],
  ])('refuses the key %j with a clear error that does not echo it', (apiKey, problem) => {
    const error = thrown(() => new TwinAiClient({ apiKey }), TypeError);
    expect(error.message).toContain(problem);
    if (apiKey.length > 3) expect(error.message).not.toContain(apiKey.trim());
  });

  it('accepts the seed’s example key shape and defaults to https://api.twin.ai', () => {
    expect(() => new TwinAiClient({ apiKey: 'twin_live_sk_a8f2c4e1' })).not.toThrow();
  });

  it('refuses plain HTTP to anything but a loopback address', () => {
    expect(() => new TwinAiClient({ apiKey: 'twin_live_sk_a', baseUrl: 'http://api.twin.ai' })).toThrow(
      /must be https/,
    );
  });
});

describe('answers that are not Twin’s', () => {
  let peer: HttpPeer;
  let reply: { status: number; body: string } = { status: 200, body: '' };

  beforeAll(async () => {
    peer = await startHttpPeer(() => ({ status: reply.status, body: reply.body }));
  });
  afterAll(() => peer.close());

  const client = () =>
    new TwinAiClient({ apiKey: 'twin_live_sk_peer', baseUrl: peer.url, retry: { maxAttempts: 1 } });

  it('keeps a snippet of a proxy page that lacks the {error} body', async () => {
    reply = { status: 403, body: '<html>Forbidden by proxy</html>' };
    const error = await rejection(client().getStats());
    expect(error).toMatchObject({ status: 403, code: 'forbidden' });
    expect(error.serverMessage).toContain('Forbidden by proxy');
  });

  it('refuses a 2xx that is not JSON, with the parse error as cause', async () => {
    reply = { status: 200, body: 'ok' };
    const error = await rejection(client().getStats());
    expect(error).toMatchObject({ status: 200, code: 'malformed_response' });
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('never invents a missing shouldEscalate: the answer is malformed', async () => {
    reply = { status: 200, body: JSON.stringify({ response: 'r', confidence: 0.9 }) };
    const error = await rejection(client().ask({ message: 'q' }));
    expect(error.code).toBe('malformed_response');
    expect(error.message).toMatch(/shouldEscalate/);
  });

  it('refuses a confidence outside 0.0–1.0', async () => {
    reply = { status: 200, body: JSON.stringify({ response: 'r', confidence: 92, shouldEscalate: false }) };
    expect((await rejection(client().ask({ message: 'q' }))).message).toMatch(/confidence/);
  });

  it('returns a create answer without a doc as it came, inventing no ID', async () => {
    reply = { status: 201, body: JSON.stringify({ ok: true }) };
    const created = await client().createDoc({ title: 't', content: 'c' });
    expect(created).toEqual({ ok: true });
  });
});
