// How the client fails: error answers as ManagedAgentsApiError, retries of idempotent calls only, and writes
// that act in the world never repeated after an ambiguous failure.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ManagedAgentsApiError,
  ManagedAgentsClient,
  UnconfirmedWriteError,
} from '../../../providers/managed-agents/index.js';
import { startSession, userInput, useManagedAgents } from './fixture.js';

const suite = useManagedAgents();

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A real HTTP server that answers every request with `status`, `type` and `body`, like a proxy in between. */
async function answering(status: number, type: string, body: string) {
  const server = createServer((_, res) => res.writeHead(status, { 'content-type': type }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new ManagedAgentsClient({
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: 'k',
    retry: { maxAttempts: 1 },
  });
  return { client, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the call should have failed'),
    (err: unknown) => err,
  );
}

describe('managed-agents client: errors', () => {
  it('turns an error answer into a ManagedAgentsApiError with status, code, message and request ID', async () => {
    const err = await rejection(suite.client.getSession('sess_missing'));
    expect(err).toBeInstanceOf(ManagedAgentsApiError);
    expect(err).toMatchObject({
      status: 404,
      code: 'not_found',
      message: expect.stringContaining('session sess_missing not found'),
      requestId: expect.stringMatching(/^req_/),
      retryable: false,
      mayHavePerformed: false,
    });
  });

  it('answers a wrong key with 401 and never shows the key', async () => {
    const wrongKey = 'ma_wrong_key_1234567890';
    const err = await rejection(suite.clientWith({ apiKey: wrongKey }).listAgents());
    expect(err).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(JSON.stringify(err) + String(err)).not.toContain(wrongKey);
  });

  it('retries an idempotent read through 503s', async () => {
    const { session } = await startSession(suite, [{}]);
    suite.emulator.injectApiFault({
      method: 'GET',
      path: `^/v1/sessions/${session.id}$`,
      status: 503,
      count: 2,
    });
    expect((await suite.client.getSession(session.id)).id).toBe(session.id);
  });

  it('stops retrying after maxAttempts and surfaces the last 5xx', async () => {
    const { session } = await startSession(suite, [{}]);
    suite.emulator.injectApiFault({
      method: 'GET',
      path: `^/v1/sessions/${session.id}$`,
      status: 503,
      count: 3,
    });
    const client = suite.clientWith({ retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5 } });
    expect(await rejection(client.getSession(session.id))).toMatchObject({ status: 503, retryable: true });
    expect((await client.getSession(session.id)).id).toBe(session.id);
  });

  it('does not retry a session creation answered 500 after it was performed, and says so', async () => {
    const agent = suite.emulator.createAgent({ name: 'ambiguous' });
    suite.emulator.injectApiFault({
      method: 'POST',
      path: '^/v1/sessions$',
      status: 500,
      afterPerforming: true,
    });
    const err = await rejection(suite.client.createSession({ agent_id: agent.id, input: userInput('once') }));
    expect(err).toBeInstanceOf(UnconfirmedWriteError);
    expect(err).toMatchObject({ operation: 'createSession', cause: { status: 500 } });
    expect(suite.emulator.sessionsOf(agent.id)).toHaveLength(1);
    const listed = await suite.client.listSessions({ agent_id: agent.id });
    expect(listed.data).toHaveLength(1);
  });

  it('retries a session creation refused with 429, creating exactly one session', async () => {
    const agent = suite.emulator.createAgent({ name: 'rate limited' });
    suite.emulator.injectApiFault({
      method: 'POST',
      path: '^/v1/sessions$',
      status: 429,
      retryAfterSeconds: 0,
    });
    const session = await suite.client.createSession({ agent_id: agent.id, input: userInput('once') });
    expect(suite.emulator.sessionsOf(agent.id).map((s) => s.meta.id)).toEqual([session.id]);
  });

  it('does not retry a turn answered 502 after it was performed; the log holds it once', async () => {
    const { session } = await startSession(suite, [{ end: 'idle', intervalMs: 0 }, { end: 'running' }]);
    for (let tries = 0; tries < 200 && suite.emulator.session(session.id).meta.status !== 'idle'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    suite.emulator.injectApiFault({ method: 'POST', path: '/turns$', status: 502, afterPerforming: true });
    const err = await rejection(suite.client.sendTurn(session.id, { input: userInput('the turn') }));
    expect(err).toMatchObject({ name: 'UnconfirmedWriteError', operation: 'sendTurn' });
    const turns = suite.emulator
      .session(session.id)
      .events.filter((e) => e.type === 'message' && e.data['content'] === 'the turn');
    expect(turns).toHaveLength(1);
  });

  it('reports a refused connection as NETWORK with status 0, known not to have been performed', async () => {
    const client = new ManagedAgentsClient({
      baseUrl: await closedPortUrl(),
      apiKey: 'k',
      retry: { maxAttempts: 1 },
    });
    expect(await rejection(client.createSession({ agent_id: 'a', input: userInput('x') }))).toMatchObject({
      name: 'ManagedAgentsApiError',
      status: 0,
      code: 'NETWORK',
      mayHavePerformed: false,
    });
  });

  it('reads a problem+json error body too', async () => {
    const problem = JSON.stringify({
      title: 'Not Found',
      status: 404,
      detail: 'no such agent',
      code: 'agent_missing',
    });
    const server = await answering(404, 'application/problem+json', problem);
    try {
      expect(await rejection(server.client.getAgent('a'))).toMatchObject({
        code: 'agent_missing',
        status: 404,
      });
    } finally {
      await server.close();
    }
  });

  it('keeps a proxy’s non-JSON error answer readable, classified by its status', async () => {
    const server = await answering(502, 'text/html', '<html>Bad gateway</html>');
    try {
      expect(await rejection(server.client.getAgent('a'))).toMatchObject({
        status: 502,
        code: 'bad_gateway',
        message: expect.stringContaining('<html>Bad gateway</html>'),
        retryable: true,
      });
    } finally {
      await server.close();
    }
  });

  it('refuses options without an API key, naming the problem', () => {
    expect(() => new ManagedAgentsClient({ baseUrl: suite.emulator.url, apiKey: ' ' })).toThrow(
      /apiKey is missing/,
    );
  });
});
