// How failures reach callers: Twig's error body becomes one TwigApiError with status, code, message, details and
// request_id kept; bad input is refused before sending, naming the field; the key is validated at construction
// and never appears in an error. Answers that are not Twig's (a proxy page, a 2xx breaking the contract) come from
// a bare HTTP peer, since the emulator never sends them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thrown } from '../../../providers/shared/testing/failures.js';
import { startHttpPeer, type HttpPeer } from '../../../providers/shared/testing/http-peer.js';
import { TwigClient } from '../../../providers/twig/client.js';
import { startTwigEmulator, type RunningTwigEmulator } from '../../../providers/twig/emulator/server.js';
import { clientFor, twigFailure } from './support.js';

let emulator: RunningTwigEmulator;

beforeAll(async () => {
  emulator = await startTwigEmulator({ port: 0 });
});
afterAll(() => emulator.close());

describe("Twig's error body", () => {
  it('keeps status, code, message, details and request_id', async () => {
    const error = await twigFailure(clientFor(emulator).getAgent('agent_missing'));
    expect(error).toMatchObject({
      status: 404,
      code: 'not_found',
      serverMessage: 'Agent not found',
      details: { agent_id: 'agent_missing' },
      retryable: false,
      attempts: 1,
    });
    expect(error.requestId).toMatch(/^req_/);
    expect(error.message).toContain(`request_id=${error.requestId}`);
    expect(error.cause).toBeUndefined();
  });

  it('answers an unknown key 401 unauthorized', async () => {
    const client = new TwigClient({ apiKey: 'twigsk_test_unknown', baseUrl: emulator.url });
    expect(await twigFailure(client.listAgents())).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('answers a key without the endpoint’s scope 403 forbidden, naming the scope', async () => {
    const client = clientFor(emulator, { apiKey: emulator.issueKey({ scopes: ['read'] }) });
    const error = await twigFailure(client.query({ agent_id: 'agent_x', query: 'hi' }));
    expect(error).toMatchObject({
      status: 403,
      code: 'forbidden',
      serverMessage: 'API key lacks Execute scope',
    });
  });

  it('never shows the API key in an error', async () => {
    const apiKey = 'twigsk_live_notissuedbytheemulator';
    const error = await twigFailure(new TwigClient({ apiKey, baseUrl: emulator.url }).listAgents());
    expect(`${error.message} ${JSON.stringify(error)} ${String(error.stack)}`).not.toContain(apiKey);
  });
});

describe('input refused before sending', () => {
  it('names a misspelt field and sends nothing', async () => {
    const before = emulator.requests().length;
    const error = await twigFailure(
      clientFor(emulator).query({ agentId: 'agent_1', query: 'hi' } as unknown as {
        agent_id: string;
        query: string;
      }),
    );
    expect(error).toMatchObject({ status: 0, code: 'request_rejected', attempts: 0 });
    expect(error.message).toMatch(/agent_id/);
    expect(emulator.requests().length).toBe(before);
  });

  it('refuses streaming, which the seed does not document', async () => {
    const error = await twigFailure(
      clientFor(emulator).query({ agent_id: 'agent_1', query: 'hi', stream: true as false }),
    );
    expect(error.message).toMatch(/stream/);
  });

  it('requires analytics dates as YYYY-MM-DD', async () => {
    const error = await twigFailure(
      clientFor(emulator).getAnalytics({ start_date: '15/01/2024', end_date: '2024-01-31' }),
    );
    expect(error.message).toMatch(/start_date: must be a date as YYYY-MM-DD/);
  });

  it('refuses an empty ID instead of calling another endpoint', async () => {
    expect((await twigFailure(clientFor(emulator).getAgent(''))).code).toBe('request_rejected');
  });
});

describe('client options', () => {
  it.each([
    ['', 'apiKey is missing'],
    ['sk_live_abc', 'must start with twigsk_live_ or twigsk_test_'],
    ['twigsk_prod_abc', 'must start with twigsk_live_ or twigsk_test_'],
    [' twigsk_live_abc', 'leading or trailing whitespace'],
    ['twigsk_live_ab c', 'may contain only'],
  ])('refuses the key %j with a clear error that does not echo it', (apiKey, problem) => {
    const error = thrown(() => new TwigClient({ apiKey }), TypeError);
    expect(error.message).toContain(problem);
    if (apiKey.length > 3) expect(error.message).not.toContain(apiKey.trim());
  });

  it('knows a test key from a live one', () => {
    expect(new TwigClient({ apiKey: 'twigsk_live_abc123' }).keyMode).toBe('live');
    expect(new TwigClient({ apiKey: 'twigsk_test_abc123' }).keyMode).toBe('test');
  });

  it('refuses plain HTTP to anything but a loopback address', () => {
    expect(() => new TwigClient({ apiKey: 'twigsk_live_abc', baseUrl: 'http://api.twig.so' })).toThrow(
      /must be https/,
    );
    expect(() => new TwigClient({ apiKey: 'twigsk_test_abc', baseUrl: 'http://127.0.0.1:1' })).not.toThrow();
  });
});

describe('answers that are not Twig’s', () => {
  let peer: HttpPeer;
  let reply: { status: number; body: string; type?: string } = { status: 200, body: '{}' };

  beforeAll(async () => {
    peer = await startHttpPeer(() => ({
      status: reply.status,
      headers: { 'content-type': reply.type ?? 'application/json' },
      body: reply.body,
    }));
  });
  afterAll(() => peer.close());

  const client = () =>
    new TwigClient({ apiKey: 'twigsk_test_peer', baseUrl: peer.url, retry: { maxAttempts: 1 } });

  it('codes a proxy page by status, from the seed’s table', async () => {
    reply = { status: 503, body: '<html>down</html>', type: 'text/html' };
    const error = await twigFailure(client().listAgents());
    expect(error).toMatchObject({
      status: 503,
      code: 'service_unavailable',
      requestId: undefined,
      retryable: true,
    });
  });

  it('reports a 2xx missing a required field as malformed, with the ZodError as cause', async () => {
    reply = { status: 200, body: JSON.stringify({ sources: [] }) };
    const error = await twigFailure(client().query({ agent_id: 'agent_1', query: 'q' }));
    expect(error).toMatchObject({ status: 200, code: 'malformed_response' });
    expect(error.message).toMatch(/response/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('leaves a shown but absent field undefined rather than inventing it', async () => {
    reply = { status: 200, body: JSON.stringify({ response: 'ok', extra: 1 }) };
    const answer = await client().query({ agent_id: 'agent_1', query: 'q' });
    expect(answer.sources).toBeUndefined();
    expect(answer.metadata).toBeUndefined();
    expect((answer as Record<string, unknown>).extra).toBe(1);
  });
});
