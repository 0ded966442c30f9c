// The Twin client against a real HTTP peer on 127.0.0.1 that answers canned responses: what goes over the wire
// (headers, paths, bodies), what comes back (typed, validated) and how every kind of failure surfaces.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createTwinClient, listAllRuns, type TwinClient } from '../../services/twin-api/client.js';
import { TwinApiError } from '../../services/twin-api/errors.js';

const API_KEY = 'tw_live_test_secret_0123456789';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send headers and this much body, then never finish. */
  stallAfter?: string;
  /** Never answer at all. */
  hold?: boolean;
}

let server: Server;
let baseUrl: string;
let client: TwinClient;
let reply: (request: Seen) => Reply;
let seen: Seen[];
let arrived: () => void;
const heldResponses: ServerResponse[] = [];

function answer(status: number, body?: unknown, headers?: Record<string, string>): void {
  reply = () => ({ status, body, headers });
}

function nextArrival(): Promise<void> {
  return new Promise((resolve) => (arrived = resolve));
}

function send(res: ServerResponse, r: Reply): void {
  if (r.hold) return void heldResponses.push(res);
  const text = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const type = typeof r.body === 'string' ? 'text/plain' : 'application/json';
  res.writeHead(r.status, { 'content-type': type, ...r.headers });
  if (r.stallAfter === undefined) return void res.end(text);
  res.write(r.stallAfter);
  heldResponses.push(res);
}

async function failure(promise: Promise<unknown>): Promise<TwinApiError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(TwinApiError);
  return error as TwinApiError;
}

const last = (): Seen => seen.at(-1) ?? expect.unreachable('no request reached the server');
const run = (runId: string, extra: Record<string, unknown> = {}) => ({
  run_id: runId,
  agent_id: 'a1',
  status: 'finished',
  started_at: '2026-02-20T14:30:00Z',
  ...extra,
});

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    };
    seen.push(request);
    send(res, reply(request));
    arrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = createTwinClient({ baseUrl, apiKey: API_KEY, timeoutMs: 5_000 });
});

afterAll(async () => {
  for (const res of heldResponses) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  arrived = () => undefined;
  answer(200, {});
});

describe('requests', () => {
  it('carry the API key in x-api-key and ask for JSON', async () => {
    answer(200, { user_id: 'user_123' });
    await client.me();
    expect(last().headers['x-api-key']).toBe(API_KEY);
    expect(last().headers.accept).toBe('application/json');
  });

  it('send no body and no content-type on GET', async () => {
    answer(200, { user_id: 'user_123' });
    await client.me();
    expect(last()).toMatchObject({ method: 'GET', url: '/v1/me', body: '' });
    expect(last().headers['content-type']).toBeUndefined();
  });

  it('send JSON bodies with a JSON content-type', async () => {
    answer(201, { run: run('r1', { status: 'in_progress' }) });
    await client.startRun('a1', { run_mode: 'run', user_message: 'go' });
    expect(last()).toMatchObject({ method: 'POST', url: '/v1/agents/a1/runs' });
    expect(last().headers['content-type']).toBe('application/json');
    expect(JSON.parse(last().body)).toEqual({ run_mode: 'run', user_message: 'go' });
  });

  it('percent-encode every path segment', async () => {
    await client.cancelRun('a/b c', 'r?1#x');
    expect(last().url).toBe('/v1/agents/a%2Fb%20c/runs/r%3F1%23x/cancel');
  });

  it('refuse IDs that URL normalisation would turn into another endpoint, without calling Twin', async () => {
    for (const id of ['', '.', '..']) {
      expect(await failure(client.getAgent(id))).toMatchObject({
        status: 0,
        code: 'INVALID_ARGUMENT',
        retryable: false,
      });
    }
    expect(seen).toHaveLength(0);
  });

  it('put API key management under /api/public/v1/access-api-keys', async () => {
    answer(200, { revoked: true });
    await client.revokeApiKey('key 1');
    expect(last()).toMatchObject({ method: 'DELETE', url: '/api/public/v1/access-api-keys/key%201' });
  });

  it('put only the filters given in the query string', async () => {
    answer(200, { runs: [], total_runs: '0', page: 2, page_size: 10 });
    await client.listRuns('a1', { page: 2, page_size: 10, filter_run_id: 'r1', filter_status: undefined });
    expect(last().url).toBe('/v1/agents/a1/runs?page=2&page_size=10&filter_run_id=r1');
  });

  it('send an empty object as the body of a cancel without reason', async () => {
    answer(200, { error: '' });
    await client.cancelRun('a1', 'r1');
    expect(last().body).toBe('{}');
  });

  it('keep a path prefix of the base URL and ignore its trailing slash', async () => {
    const prefixed = createTwinClient({ baseUrl: `${baseUrl}/twin/`, apiKey: API_KEY, timeoutMs: 5_000 });
    answer(200, { schedules: [] });
    await prefixed.listSchedules();
    expect(last().url).toBe('/twin/v1/schedules');
  });

  it('refuse an invalid body before calling Twin', async () => {
    const error = await failure(client.createWebhook('a1', { url: 'https://example.com/hook', events: [] }));
    expect(error).toMatchObject({ status: 0, code: 'INVALID_ARGUMENT', retryable: false });
    expect(seen).toHaveLength(0);
  });
});

describe('schedules', () => {
  it('refuse an invalid cron with INVALID_CRON, without calling Twin', async () => {
    const error = await failure(client.setSchedule('a1', '0 0 25 * * * *'));
    expect(error).toMatchObject({
      status: 0,
      code: 'INVALID_CRON',
      retryable: false,
      detail: 'hour: 25 is outside 0-23',
    });
    expect(seen).toHaveLength(0);
  });

  it('PUT a valid cron as {cron}', async () => {
    answer(200, { success: true });
    expect(await client.setSchedule('a1', '0 0 9 * * * *')).toEqual({ success: true });
    expect(last()).toMatchObject({
      method: 'PUT',
      url: '/v1/agents/a1/schedule',
      body: '{"cron":"0 0 9 * * * *"}',
    });
  });

  it('read a missing schedule as null', async () => {
    answer(200, { schedule: null });
    expect(await client.getSchedule('a1')).toEqual({ schedule: null });
  });
});

describe('responses', () => {
  it('expose total_runs, a string on the wire, as a number too', async () => {
    answer(200, { runs: [run('r1')], total_runs: '42', page: 1, page_size: 10 });
    const page = await client.listRuns('a1');
    expect(page).toMatchObject({ total_runs: '42', total_runs_count: 42 });
  });

  it('let fields the contract does not name pass through', async () => {
    answer(200, {
      runs: [run('r1', { outcome: 'success', credits_consumed: 7 })],
      total_runs: '1',
      page: 1,
      page_size: 10,
    });
    const [first] = (await client.listRuns('a1')).runs;
    expect(first).toMatchObject({ outcome: 'success', credits_consumed: 7 });
  });

  it('lift the kind out of each run event', async () => {
    answer(200, {
      events: [
        { index: 1, event: { started: {} } },
        { index: 2, event: { message: { text: 'hi' } } },
      ],
    });
    const { events } = await client.listRunEvents('a1', 'r1', { after_index: 0, limit: 50 });
    expect(events.map((e) => e.kind)).toEqual(['started', 'message']);
    expect(last().url).toBe('/v1/agents/a1/runs/r1/events?after_index=0&limit=50');
  });

  it('return the signing secret of a new webhook', async () => {
    const hook = {
      webhook_id: 'w1',
      url: 'https://example.com/hook',
      events: ['run.completed'],
      status: 'active',
    };
    answer(201, { ...hook, signing_secret: 'whsec_abc' });
    const created = await client.createWebhook('a1', { url: hook.url, events: ['run.completed'] });
    expect(created.signing_secret).toBe('whsec_abc');
  });

  it('read a legacy create-agent answer (ID only) as an agent', async () => {
    answer(200, { agent_id: 'a9' });
    expect(await client.createAgent({ workspace_id: 'ws1' })).toEqual({ agent: { agent_id: 'a9' } });
  });

  it('resolve a 204 to undefined', async () => {
    answer(204);
    await expect(client.deleteAgent('a1')).resolves.toBeUndefined();
    expect(last()).toMatchObject({ method: 'DELETE', url: '/v1/agents/a1' });
  });

  it('turn a body that breaks the contract into MALFORMED_RESPONSE', async () => {
    answer(200, { runs: [{ agent_id: 'a1' }], total_runs: '1', page: 1, page_size: 10 });
    const error = await failure(client.listRuns('a1'));
    expect(error).toMatchObject({ status: 200, code: 'MALFORMED_RESPONSE', retryable: false });
    expect(error.detail).toContain('runs.0.run_id');
  });

  it('turn a body that is not JSON into MALFORMED_RESPONSE', async () => {
    answer(200, '<html>maintenance</html>');
    expect(await failure(client.me())).toMatchObject({
      code: 'MALFORMED_RESPONSE',
      detail: 'body is not JSON',
    });
  });

  it('turn an empty body where one is expected into MALFORMED_RESPONSE', async () => {
    answer(204);
    expect((await failure(client.me())).code).toBe('MALFORMED_RESPONSE');
  });
});

describe('error answers', () => {
  it('read problem+json', async () => {
    const problem = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'agent a1 not found' };
    answer(404, problem, { 'content-type': 'application/problem+json' });
    const error = await failure(client.getAgent('a1'));
    expect(error).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      detail: 'agent a1 not found',
      retryable: false,
    });
    expect(error).toMatchObject({ method: 'GET', path: '/v1/agents/a1' });
  });

  it('read the legacy error shape', async () => {
    answer(400, { error: { code: 'FAILED_PRECONDITION', message: 'agent is not deployed' } });
    const error = await failure(client.setSchedule('a1', '0 0 9 * * * *'));
    expect(error).toMatchObject({
      status: 400,
      code: 'FAILED_PRECONDITION',
      detail: 'agent is not deployed',
    });
  });

  it('make a 429 retryable after Retry-After seconds, given in milliseconds', async () => {
    answer(429, { title: 'Too Many Requests', status: 429, detail: 'slow down' }, { 'retry-after': '2' });
    const error = await failure(client.listAgents());
    expect(error).toMatchObject({
      status: 429,
      code: 'RESOURCE_EXHAUSTED',
      retryable: true,
      retryAfterMs: 2000,
    });
  });

  it('make a 503 with an HTML body retryable', async () => {
    answer(503, '<html>upstream down</html>');
    expect(await failure(client.listWorkspaces())).toMatchObject({ status: 503, retryable: true });
  });

  it('do not follow redirects, so the key never travels to another origin', async () => {
    answer(302, undefined, { location: 'http://127.0.0.1:1/steal' });
    expect(await failure(client.me())).toMatchObject({ status: 302, retryable: false });
  });

  it('never contain the API key, even when the server echoes it', async () => {
    answer(401, { title: 'Unauthorized', status: 401, detail: `key ${API_KEY} is revoked` });
    const error = await failure(client.me());
    expect(error.detail).toBe('key [redacted] is revoked');
    expect(inspect(error, { depth: 5 })).not.toContain(API_KEY);
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(API_KEY);
  });
});

describe('failures without an answer', () => {
  it('time out when no answer comes', async () => {
    const impatient = createTwinClient({ baseUrl, apiKey: API_KEY, timeoutMs: 100 });
    reply = () => ({ status: 200, hold: true });
    expect(await failure(impatient.me())).toMatchObject({ status: 0, code: 'TIMEOUT', retryable: true });
  });

  it('time out when the body stops half way', async () => {
    const impatient = createTwinClient({ baseUrl, apiKey: API_KEY, timeoutMs: 100 });
    reply = () => ({ status: 200, stallAfter: '{"user_id":' });
    expect(await failure(impatient.me())).toMatchObject({ status: 0, code: 'TIMEOUT', retryable: true });
  });

  it("reject with the caller's own reason when the caller aborts", async () => {
    reply = () => ({ status: 200, hold: true });
    const received = nextArrival();
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    const pending = client.me({ signal: controller.signal });
    await received;
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('report a refused connection as a retryable NETWORK error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = createTwinClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: API_KEY,
      timeoutMs: 5_000,
    });
    const error = await failure(unreachable.me());
    expect(error).toMatchObject({ status: 0, code: 'NETWORK', retryable: true });
    expect(error.detail).toContain('ECONNREFUSED');
  });
});

describe('listAllRuns', () => {
  it('pages until the total is reached, skipping runs that shifted onto a later page', async () => {
    const pages: Record<string, string[]> = { '1': ['r5', 'r4'], '2': ['r4', 'r3'], '3': ['r2'] };
    reply = (request) => {
      const page = new URL(request.url, baseUrl).searchParams.get('page') ?? '';
      const runs = (pages[page] ?? []).map((id) => run(id));
      return { status: 200, body: { runs, total_runs: '5', page: Number(page), page_size: 2 } };
    };
    const ids: string[] = [];
    for await (const r of listAllRuns(client, 'a1', { page_size: 2, filter_status: 'finished' }))
      ids.push(r.run_id);
    expect(ids).toEqual(['r5', 'r4', 'r3', 'r2']);
    expect(seen.map((s) => s.url)).toEqual([
      '/v1/agents/a1/runs?page_size=2&filter_status=finished&page=1',
      '/v1/agents/a1/runs?page_size=2&filter_status=finished&page=2',
      '/v1/agents/a1/runs?page_size=2&filter_status=finished&page=3',
    ]);
  });
});

describe('construction', () => {
  it('refuses a base URL that is not http(s), without echoing the key', () => {
    const build = () => createTwinClient({ baseUrl: 'ftp://twin', apiKey: API_KEY, timeoutMs: 1000 });
    expect(build).toThrow(/baseUrl/);
    expect(build).not.toThrow(API_KEY);
  });
});
