// The seed's retry rule, observed on the emulator's request log: 429 waits for X-RateLimit-Reset, 500 and 503 are
// retried with backoff up to the bound (a create only after a 429), and 400/401/403/404 (and failures with no answer)
// are sent exactly once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TwigClient } from '../../../providers/twig/client.js';
import { startTwigEmulator, type RunningTwigEmulator } from '../../../providers/twig/emulator/server.js';
import { backoffMs, DEFAULT_TWIG_RETRY, retryDecision } from '../../../providers/twig/retry-policy.js';
import { clientFor, twigFailure } from './support.js';

let emulator: RunningTwigEmulator;

beforeAll(async () => {
  emulator = await startTwigEmulator({ port: 0 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.close());

const sent = () => emulator.requests('listAgents');

describe('429', () => {
  it('waits until X-RateLimit-Reset before retrying, then succeeds', async () => {
    emulator.setFaults({ api: [{ status: 429, endpoint: 'listAgents', resetInSeconds: 2 }] });
    await clientFor(emulator).listAgents();
    const [first, second] = sent();
    const resetMs = (Math.floor((first?.at ?? 0) / 1000) + 2) * 1000;
    expect(sent().map((r) => r.status)).toEqual([429, 200]);
    expect(second?.at).toBeGreaterThanOrEqual(resetMs);
  });

  it('gives up at once when the reset is further away than the client may wait', async () => {
    emulator.setFaults({ api: [{ status: 429, endpoint: 'listAgents', resetInSeconds: 30 }] });
    const error = await twigFailure(
      clientFor(emulator, { retry: { maxRateLimitWaitMs: 1_000 } }).listAgents(),
    );
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryable: true, attempts: 1 });
    expect(error.retryAfterMs).toBeGreaterThan(1_000);
  });
});

describe('500 and 503', () => {
  it.each([500, 503] as const)('retries %i and succeeds when Twig recovers', async (status) => {
    emulator.setFaults({ api: [{ status, times: 2, endpoint: 'listAgents' }] });
    await clientFor(emulator).listAgents();
    expect(sent().map((r) => r.status)).toEqual([status, status, 200]);
  });

  it.each([500, 503] as const)(
    'does not send a create again after %i: Twig may have made the article',
    async (status) => {
      emulator.setFaults({ api: [{ status, times: 1, endpoint: 'createKbArticle' }] });
      const error = await twigFailure(
        clientFor(emulator).createKbArticle({ title: 'once', content: 'a create is sent once' }),
      );
      expect(error).toMatchObject({ status, attempts: 1 });
      expect(emulator.requests('createKbArticle')).toHaveLength(1);
    },
  );

  it('sends a create again after a 429, which Twig refused before performing it', async () => {
    emulator.setFaults({ api: [{ status: 429, endpoint: 'createKbArticle', resetInSeconds: 1 }] });
    await clientFor(emulator).createKbArticle({ title: 'after 429', content: 'sent twice, made once' });
    expect(emulator.requests('createKbArticle').map((r) => r.status)).toEqual([429, 201]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    emulator.setFaults({ api: [{ status: 503, times: 10, endpoint: 'listAgents' }] });
    const error = await twigFailure(clientFor(emulator, { retry: { maxAttempts: 3 } }).listAgents());
    expect(error).toMatchObject({ status: 503, code: 'service_unavailable', attempts: 3, retryable: true });
    expect(error.retryAfterMs).toBe(5 * 60_000);
    expect(sent()).toHaveLength(3);
  });
});

describe('never retried', () => {
  const refused: Array<[number, () => Promise<unknown>, string]> = [
    [400, () => clientFor(emulator).query({ agent_id: 'not-an-agent-id', query: 'q' }), 'query'],
    [
      401,
      () => new TwigClient({ apiKey: 'twigsk_test_nobody', baseUrl: emulator.url }).listAgents(),
      'listAgents',
    ],
    [
      403,
      () => clientFor(emulator, { apiKey: emulator.issueKey({ scopes: ['execute'] }) }).listAgents(),
      'listAgents',
    ],
    [404, () => clientFor(emulator).getAgent('agent_gone'), 'getAgent'],
  ];

  it.each(refused)('%i is sent exactly once', async (status, call, endpoint) => {
    expect((await twigFailure(call())).status).toBe(status);
    expect(emulator.requests(endpoint)).toHaveLength(1);
  });

  it('a timeout is not retried: Twig may have acted on it', async () => {
    emulator.setFaults({ api: [{ endpoint: 'listAgents', delayMs: 400 }] });
    const error = await twigFailure(clientFor(emulator, { timeoutMs: 100 }).listAgents());
    expect(error).toMatchObject({ status: 0, code: 'timeout', attempts: 1 });
    expect(sent()).toHaveLength(1);
  });

  it('a refused connection is a network_error with fetch’s error as cause', async () => {
    const closed = await startTwigEmulator({ port: 0 });
    await closed.close();
    const error = await twigFailure(
      new TwigClient({ apiKey: 'twigsk_test_x', baseUrl: closed.url }).listAgents(),
    );
    expect(error).toMatchObject({ status: 0, code: 'network_error' });
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('retry decisions', () => {
  const at = { nowMs: 1_000_000 };

  it('doubles the backoff per retry up to the cap', () => {
    const policy = { ...DEFAULT_TWIG_RETRY, baseDelayMs: 100, maxDelayMs: 300 };
    expect([1, 2, 3].map((retry) => backoffMs(policy, retry, () => 1))).toEqual([100, 200, 300]);
  });

  it('waits exactly until the reset on a 429', () => {
    expect(
      retryDecision(DEFAULT_TWIG_RETRY, { ...at, status: 429, attempt: 1, resetAtMs: 1_002_000 }),
    ).toEqual({ retry: true, delayMs: 2_000 });
  });

  it('falls back to backoff on a 429 without a usable reset', () => {
    const decision = retryDecision(DEFAULT_TWIG_RETRY, { ...at, status: 429, attempt: 1 }, () => 0);
    expect(decision).toEqual({ retry: true, delayMs: DEFAULT_TWIG_RETRY.baseDelayMs / 2 });
  });

  it.each([400, 401, 403, 404, 409, 502])('does not retry %i', (status) => {
    expect(retryDecision(DEFAULT_TWIG_RETRY, { ...at, status, attempt: 1 }).retry).toBe(false);
  });
});
