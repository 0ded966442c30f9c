// The control API under abuse, beyond the happy-path and client-error checks of
// test/integration/control-api.test.ts: every route refuses every kind of missing or wrong credential before
// it does anything; random requests without the token never move a live pipeline and never start one; and
// hostile bodies from a caller who has the token (deep nesting, prototype keys, huge or odd keys) are refused
// as client errors, never answered 5xx.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline } from '../../services/control/pipelines.js';
import { type PipelineState, pipelineStateQuery, pipelineWorkflowId } from '../../workflows/pipeline-api.js';
import { CHAOS_PIPELINE_NAME } from '../support/chaos-pipelines.js';
import { startChaosStack, type ChaosStack } from '../support/chaos-stack.js';
import { allSigningSecrets } from '../support/chaos-twin.js';
import { eventually } from '../support/twinflow-stack.js';
import { sign } from '../support/receiver.js';

const TOKEN = 'reliability-control-token-4f9c2a';
const LIVE_KEY = 'live';

let stack: ChaosStack;
let liveInput: Record<string, string>;

interface Answer {
  status: number;
  contentType: string;
  wwwAuthenticate: string | null;
  text: string;
}

async function request(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${stack.receiverUrl}${path}`, {
    method,
    headers: options.headers,
    body: options.body,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    wwwAuthenticate: response.headers.get('www-authenticate'),
    text: await response.text(),
  };
}

const withToken = (body?: unknown): { headers: Record<string, string>; body?: string } => ({
  headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
});

const base = `/api/pipelines/${CHAOS_PIPELINE_NAME}`;
const ROUTES: Array<[method: string, path: string]> = [
  ['GET', '/api/pipelines'],
  ['GET', base],
  ['POST', `${base}/runs`],
  ['GET', `${base}/runs`],
  ['GET', '/api/pipeline-runs'],
  ['GET', `${base}/runs/${LIVE_KEY}`],
  ['POST', `${base}/runs/${LIVE_KEY}/cancel`],
  ['POST', `${base}/runs/${LIVE_KEY}/pause`],
  ['POST', `${base}/runs/${LIVE_KEY}/resume`],
  ['POST', `${base}/runs/${LIVE_KEY}/steps/draft/approve`],
];

const BAD_CREDENTIALS: Array<[what: string, headers: Record<string, string>, query?: string]> = [
  ['no Authorization header', {}],
  ['a wrong token', { authorization: 'Bearer not-the-token-not-the-token' }],
  ['the token with one character changed', { authorization: `Bearer ${TOKEN.slice(0, -1)}b` }],
  ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, 16)}` }],
  ['the token followed by more text', { authorization: `Bearer ${TOKEN} ${TOKEN}` }],
  ['an empty bearer', { authorization: 'Bearer ' }],
  [
    'the token under the Basic scheme',
    { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
  ],
  ['the token in the query string instead', {}, `?access_token=${TOKEN}`],
  ['the token as a cookie instead', { cookie: `token=${TOKEN}` }],
];

async function liveState(): Promise<PipelineState> {
  return stack.temporal.client.workflow
    .getHandle(pipelineWorkflowId(CHAOS_PIPELINE_NAME, LIVE_KEY))
    .query(pipelineStateQuery);
}

async function pipelineCount(): Promise<number> {
  return (
    await stack.temporal.client.workflow.count(
      `TaskQueue = "${stack.config.TEMPORAL_TASK_QUEUE}" AND WorkflowId STARTS_WITH "pipeline/"`,
    )
  ).count;
}

beforeAll(async () => {
  stack = await startChaosStack({
    prefix: 'control-abuse',
    pipelines: 0,
    runDurationMs: 50,
    controlToken: TOKEN,
  });
  const { agentId } = await stack.addAgent('never', [{ result: 'never' }]);
  liveInput = { drafter: agentId, reviewer: agentId, publisher: agentId };
  await startPipeline(stack.controlDeps, {
    name: CHAOS_PIPELINE_NAME,
    idempotencyKey: LIVE_KEY,
    input: liveInput,
  });
  await eventually(
    'the live pipeline to wait on its first run',
    async () => ((await liveState()).steps[0]?.runIds.length ? true : undefined),
    60_000,
  );
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('the control API without a valid bearer token', () => {
  it.each(BAD_CREDENTIALS)(
    'refuses every route with %s: 401 problem+json asking for a bearer token',
    async (_what, headers, query = '') => {
      for (const [method, path] of ROUTES) {
        const answer = await request(method, `${path}${query}`, {
          headers: { 'content-type': 'application/json', ...headers },
          body: method === 'POST' ? '{}' : undefined,
        });
        expect({ route: `${method} ${path}`, status: answer.status }).toEqual({
          route: `${method} ${path}`,
          status: 401,
        });
        expect(answer.contentType).toContain('application/problem+json');
        expect(answer.wwwAuthenticate).toBe('Bearer');
      }
    },
  );

  it('does not take a valid webhook signature as a credential', async () => {
    const body = JSON.stringify({ input: liveInput, idempotencyKey: 'signed-not-authorised' });
    const answer = await request('POST', `${base}/runs`, {
      headers: {
        'content-type': 'application/json',
        'x-cobb-signature': sign(allSigningSecrets(stack.twin)[0] as string, body),
      },
      body,
    });
    expect(answer.status).toBe(401);
  });

  it('never starts, stops, pauses or approves anything, whatever else the request carries (property)', async () => {
    const before = await pipelineCount();
    const credential = fc.oneof(
      fc.constant(undefined),
      fc.string().map((s) => `Bearer ${s}`),
      fc.string({ minLength: 1 }).filter((s) => !s.includes(TOKEN)),
      fc.constantFrom(
        `bearer ${TOKEN.toUpperCase()}`,
        `Bearer ${TOKEN}x`,
        `Token ${TOKEN}`,
        `Bearer\t${TOKEN.slice(1)}`,
      ),
    );
    const path = fc.oneof(
      fc.constantFrom(...ROUTES.map(([, p]) => p)),
      fc
        .tuple(
          fc.constantFrom(CHAOS_PIPELINE_NAME, 'nope'),
          fc.string({ minLength: 1 }),
          fc.constantFrom('', '/cancel', '/pause', '/resume', '/steps/draft/approve'),
        )
        .map(([name, key, tail]) => `/api/pipelines/${name}/runs/${encodeURIComponent(key)}${tail}`),
    );
    const body = fc.oneof(
      fc.constant(undefined),
      fc.json(),
      fc
        .record({ input: fc.constant(liveInput), idempotencyKey: fc.stringMatching(/^[a-z0-9]{1,20}$/) })
        .map((v) => JSON.stringify(v)),
      fc.record({ approved: fc.boolean(), by: fc.string() }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        path,
        credential,
        body,
        async (method, target, authorization, text) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (authorization !== undefined && /^[\t\x20-\x7e]*$/.test(authorization))
            headers.authorization = authorization;
          const answer = await request(method, target, {
            headers,
            body: method === 'GET' ? undefined : text,
          });
          expect(answer.status).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
    const live = await liveState();
    expect(live.status).toBe('running');
    expect(live.paused).toBe(false);
    expect(live.steps.map((s) => s.status)).toEqual(['running', 'pending', 'pending']);
    expect(await pipelineCount()).toBe(before);
  });
});

describe('the control API with the token, given hostile bodies', () => {
  const start = (body: unknown) => request('POST', `${base}/runs`, withToken(body));

  it('refuses an input nested thousands of levels deep as a client error', async () => {
    const deep = `{"input":{"drafter":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`;
    const answer = await start(deep);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toContain('application/problem+json');
  });

  it('treats a "__proto__" key in the input as data, polluting nothing', async () => {
    const answer = await start(
      `{"input":{"__proto__":{"polluted":true},"drafter":"a","reviewer":"b","publisher":"c"},"idempotencyKey":"proto-key"}`,
    );
    expect(answer.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['longer than 300 characters', 'k'.repeat(301)],
    ['with a path separator', 'a/../../b'],
    ['with a space', 'two words'],
    ['with non-ASCII letters', 'clé'],
    ['starting with a dot', '.hidden'],
  ])('refuses an idempotency key %s with 400', async (_what, key) => {
    const answer = await start({ input: liveInput, idempotencyKey: key });
    expect(answer.status).toBe(400);
  });

  it.each([
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"start"'],
    ['JSON followed by garbage', '{"input":{}} trailing'],
    ['two JSON documents', '{}{}'],
    ['an input that is an array', '{"input":[1,2]}'],
    ['an input that is null', '{"input":null}'],
  ])('refuses %s as the body with 400', async (_what, body) => {
    expect((await start(body)).status).toBe(400);
  });
});
