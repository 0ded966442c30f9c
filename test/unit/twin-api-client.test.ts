// The Twin client against a real HTTP peer on 127.0.0.1 that answers canned responses: what goes over the wire
// (headers, paths, bodies), what comes back (typed, validated) and how every kind of failure surfaces.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createTwinClient, type TwinClient } from '../../providers/twin/client/client.js';
import { listAllAgents, listAllRuns } from '../../providers/twin/client/paging.js';
import { TwinApiError } from '../../providers/twin/client/errors.js';

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
  /** Drop the connection once the whole request has arrived. */
  reset?: boolean;
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
  if (r.reset) return void res.socket?.destroy();
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

  it('send run_mode "run" when the caller gives none, since the live API refuses a start without it', async () => {
    answer(201, { run: run('r1', { status: 'in_progress' }) });
    await client.startRun('a1');
    expect(JSON.parse(last().body)).toEqual({ run_mode: 'run' });
    await client.startRun('a1', { user_message: 'go', run_mode: undefined });
    expect(JSON.parse(last().body)).toEqual({ run_mode: 'run', user_message: 'go' });
  });

  it('keep a run_mode the caller gives, and refuse words seed 001 does not document', async () => {
    answer(201, { run: run('r1', { status: 'in_progress' }) });
    await client.startRun('a1', { run_mode: 'build' });
    expect(JSON.parse(last().body)).toEqual({ run_mode: 'build' });
    const refused = await failure(client.startRun('a1', { run_mode: 'Run' as 'run' }));
    expect(refused).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false, mayHavePerformed: false });
    expect(seen).toHaveLength(1);
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

  it('read null in the optional run fields as absent, and keep a null finished_at', async () => {
    const nulls = { outcome: null, summary: null, is_finished: null, event_count: null, finished_at: null };
    answer(200, { runs: [run('r1', nulls)], total_runs: '1', page: 1, page_size: 10 });
    const [first] = (await client.listRuns('a1')).runs;
    expect(first).toMatchObject({ outcome: undefined, summary: undefined, is_finished: undefined });
    expect(first?.finished_at).toBeNull();
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

  it('turn an empty 200 into MALFORMED_RESPONSE that may have been performed, never success', async () => {
    answer(200);
    expect(await failure(client.cancelRun('a1', 'r1'))).toMatchObject({
      status: 200,
      code: 'MALFORMED_RESPONSE',
      detail: 'body is empty',
      retryable: false,
      mayHavePerformed: true,
    });
  });

  it('resolve a 200 with an empty body on an endpoint documented as 204', async () => {
    answer(200);
    await expect(client.deleteRun('a1', 'r1')).resolves.toBeUndefined();
  });

  it.each([
    ['deleteRun', () => client.deleteRun('a1', 'r1')],
    ['cancelRun', () => client.cancelRun('a1', 'r1')],
    ['getAgent', () => client.getAgent('a1')],
  ] as const)(
    "turn the gateway's 200 application/grpc, grpc-status 12 answer to %s into UNIMPLEMENTED",
    async (_name, request) => {
      answer(200, undefined, { 'content-type': 'application/grpc', 'grpc-status': '12' });
      expect(await failure(request())).toMatchObject({
        status: 200,
        code: 'UNIMPLEMENTED',
        retryable: false,
        mayHavePerformed: true,
      });
    },
  );
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

  it('read a problem without `type`, as the live API refuses a start without run_mode', async () => {
    const detail = 'run_mode must be explicitly set to Builder, Run, or SubAgent';
    answer(
      400,
      { detail, status: 400, title: 'Bad Request' },
      { 'content-type': 'application/problem+json' },
    );
    expect(await failure(client.startRun('a1'))).toMatchObject({
      status: 400,
      code: 'INVALID_ARGUMENT',
      title: 'Bad Request',
      detail,
      retryable: false,
      mayHavePerformed: false,
    });
  });

  it('make a 422 final, keeping the detail of the server', async () => {
    const detail =
      'Failed to deserialize the JSON body into the target type: user_message: invalid type: map';
    answer(422, { detail, status: 422, title: 'Unprocessable Entity' });
    expect(await failure(client.startRun('a1', { user_message: 'go' }))).toMatchObject({
      status: 422,
      detail,
      retryable: false,
      mayHavePerformed: false,
    });
  });

  it('name the allowed methods of a 405 that has only an Allow header', async () => {
    answer(405, undefined, { allow: 'DELETE' });
    expect(await failure(client.updateWebhook('a1', 'w1', { status: 'disabled' }))).toMatchObject({
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      detail: 'PATCH is not allowed; Allow: DELETE',
      allowedMethods: ['DELETE'],
      retryable: false,
      mayHavePerformed: false,
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
      mayHavePerformed: false,
    });
  });

  it('ignore Retry-After-Ms, which no Twin document promises', async () => {
    answer(429, '', { 'retry-after-ms': '1500' });
    expect(await failure(client.listAgents())).toMatchObject({ retryable: true, retryAfterMs: undefined });
  });

  it('make a 503 with an HTML body retryable', async () => {
    answer(503, '<html>upstream down</html>');
    expect(await failure(client.listWorkspaces())).toMatchObject({
      status: 503,
      retryable: true,
      mayHavePerformed: true,
    });
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
    expect(await failure(impatient.me())).toMatchObject({
      status: 0,
      code: 'TIMEOUT',
      retryable: true,
      mayHavePerformed: true,
    });
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
    expect(error).toMatchObject({ status: 0, code: 'NETWORK', retryable: true, mayHavePerformed: false });
    expect(error.detail).toContain('ECONNREFUSED');
  });

  it('report a connection dropped after the request as a NETWORK error that may have been performed', async () => {
    reply = () => ({ status: 200, reset: true });
    expect(await failure(client.startRun('a1'))).toMatchObject({
      status: 0,
      code: 'NETWORK',
      retryable: true,
      mayHavePerformed: true,
    });
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN'])('know that a %s never reached Twin', async (code) => {
    const failing: typeof fetch = () => Promise.reject(new TypeError('fetch failed', { cause: { code } }));
    const offline = createTwinClient({ baseUrl, apiKey: API_KEY, timeoutMs: 5_000, fetch: failing });
    expect(await failure(offline.startRun('a1'))).toMatchObject({
      code: 'NETWORK',
      retryable: true,
      mayHavePerformed: false,
      detail: `fetch failed (${code})`,
    });
  });
});

describe('listAllRuns', () => {
  const pageOf = (request: Seen) => Number(new URL(request.url, baseUrl).searchParams.get('page'));
  async function allRunIds(filters: { page_size?: number } = {}, maxPages?: number): Promise<string[]> {
    const ids: string[] = [];
    for await (const r of listAllRuns(client, 'a1', filters, { maxPages })) ids.push(r.run_id);
    return ids;
  }

  it('pages until a short page, skipping runs that shifted onto a later page', async () => {
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

  it.each([
    ['absent', {}],
    ['not a number string', { total_runs: 'many' }],
    ['null', { total_runs: null }],
  ])('stops at the empty page when total_runs is %s', async (_case, total) => {
    reply = (request) => {
      const runs = pageOf(request) === 1 ? [run('r2'), run('r1')] : [];
      return { status: 200, body: { runs, page: pageOf(request), page_size: 2, ...total } };
    };
    expect(await allRunIds({ page_size: 2 })).toEqual(['r2', 'r1']);
    expect(seen).toHaveLength(2);
  });

  it('falls back to the page size asked for when the answer names none', async () => {
    reply = (request) => ({
      status: 200,
      body: { runs: pageOf(request) === 1 ? [run('r2'), run('r1')] : [run('r0')] },
    });
    expect(await allRunIds({ page_size: 2 })).toEqual(['r2', 'r1', 'r0']);
    expect(seen).toHaveLength(2);
  });

  it('gives up with TOO_MANY_PAGES when full pages never end', async () => {
    reply = (request) => ({
      status: 200,
      body: { runs: [run(`r${pageOf(request)}`)], total_runs: 'x', page: pageOf(request), page_size: 1 },
    });
    const error = await failure(allRunIds({ page_size: 1 }, 3));
    expect(error).toMatchObject({ code: 'TOO_MANY_PAGES', retryable: false, path: '/v1/agents/a1/runs' });
    expect(seen).toHaveLength(3);
  });
});

describe('listAllAgents', () => {
  const cursorOf = (request: Seen) => new URL(request.url, baseUrl).searchParams.get('cursor');
  async function allAgentIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const a of listAllAgents(client, { limit: 1 })) ids.push(a.agent_id);
    return ids;
  }

  it.each([
    ['absent', {}],
    ['null', { next_cursor: null }],
    ['empty', { next_cursor: '' }],
  ])('follows next_cursor and stops when it is %s', async (_case, end) => {
    reply = (request) =>
      cursorOf(request) === null
        ? { status: 200, body: { agents: [{ agent_id: 'a1' }], next_cursor: 'c1' } }
        : { status: 200, body: { agents: [{ agent_id: 'a2' }], ...end } };
    expect(await allAgentIds()).toEqual(['a1', 'a2']);
    expect(seen.map((s) => s.url)).toEqual(['/v1/agents?limit=1', '/v1/agents?limit=1&cursor=c1']);
  });

  it('refuses to loop when Twin hands back the same cursor twice', async () => {
    reply = () => ({ status: 200, body: { agents: [{ agent_id: 'a1' }], next_cursor: 'same' } });
    expect(await failure(allAgentIds())).toMatchObject({ code: 'PAGING_LOOP', retryable: false });
    expect(seen).toHaveLength(2);
  });
});

describe('UUIDv7 IDs, as real Twin agents and runs have', () => {
  const AGENT = '019cbf0d-76f6-70e1-b106-9150e93b6e0f';
  const RUN = '019cbf0e-1a2b-7c3d-8e4f-5a6b7c8d9e0f';
  const WEBHOOK = '019cbf0f-0000-7000-8000-000000000001';
  const real = { run_id: RUN, agent_id: AGENT, status: 'in_progress', started_at: '2026-03-11T12:00:00Z' };

  it('go into every path unchanged and come back unchanged', async () => {
    const calls: [() => Promise<unknown>, string, object | undefined][] = [
      [() => client.getAgent(AGENT), `/v1/agents/${AGENT}`, { agent: { agent_id: AGENT } }],
      [() => client.startRun(AGENT), `/v1/agents/${AGENT}/runs`, { run: real }],
      [
        () => client.listRuns(AGENT, { filter_run_id: RUN }),
        `/v1/agents/${AGENT}/runs?filter_run_id=${RUN}`,
        { runs: [real], total_runs: '1', page: 1, page_size: 100 },
      ],
      [() => client.cancelRun(AGENT, RUN), `/v1/agents/${AGENT}/runs/${RUN}/cancel`, { error: '' }],
      [() => client.listRunEvents(AGENT, RUN), `/v1/agents/${AGENT}/runs/${RUN}/events`, { events: [] }],
      [() => client.deleteRun(AGENT, RUN), `/v1/agents/${AGENT}/runs/${RUN}`, undefined],
      [
        () => client.getWebhook(AGENT, WEBHOOK),
        `/v1/agents/${AGENT}/webhooks/${WEBHOOK}`,
        { webhook_id: WEBHOOK, agent_id: AGENT, url: 'https://example.com/h', events: [], status: 'active' },
      ],
      [() => client.getSchedule(AGENT), `/v1/agents/${AGENT}/schedule`, { schedule: null }],
    ];
    for (const [request, url, body] of calls) {
      answer(200, body);
      const result = await request();
      expect(last().url).toBe(url);
      if (body !== undefined) expect(result).toMatchObject(body);
    }
  });

  it('page through runs and agents', async () => {
    reply = (request) =>
      new URL(request.url, baseUrl).pathname === '/v1/agents'
        ? { status: 200, body: { agents: [{ agent_id: AGENT }] } }
        : { status: 200, body: { runs: [real], total_runs: '1', page: 1, page_size: 100 } };
    const runs: string[] = [];
    for await (const r of listAllRuns(client, AGENT)) runs.push(`${r.agent_id}/${r.run_id}`);
    const agents: string[] = [];
    for await (const a of listAllAgents(client)) agents.push(a.agent_id);
    expect(runs).toEqual([`${AGENT}/${RUN}`]);
    expect(agents).toEqual([AGENT]);
  });
});

describe('construction', () => {
  it('refuses a base URL that is not http(s), without echoing the key', () => {
    const build = () => createTwinClient({ baseUrl: 'ftp://twin', apiKey: API_KEY, timeoutMs: 1000 });
    expect(build).toThrow(/baseUrl/);
    expect(build).not.toThrow(API_KEY);
  });
});
