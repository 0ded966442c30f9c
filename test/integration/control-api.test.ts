// The control API over real HTTP, mounted in the receiver app as in production: bearer auth, JSON bodies with
// a size limit, problem+json errors, and never a 5xx for anything a client sends.
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createControlRouter } from '../../services/control/router.js';
import { codeFirstExample } from '../../examples/index.js';
import { createPipelineRegistry } from '../../services/pipelines/registry.js';
import { createReceiverApp } from '../../services/receiver/app.js';
import { createTemporalHandoff } from '../../services/receiver/handoff.js';
import { SigningSecrets } from '../../services/receiver/secrets.js';
import { loadConfig } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { pipelineStateQuery } from '../../workflows/pipeline-api.js';
import { listenOnEphemeralPort, type Listening } from '../support/receiver.js';
import { eventually } from '../support/twinflow-stack.js';
import { startPipelineWorld, type PipelineWorld } from './pipeline-fixture.js';

const TOKEN = 'control-api-test-token-0123456789';
const MAX_BODY = 1024;

const demo = {
  definition: definePipeline({
    name: 'api-demo',
    steps: [
      { id: 'gate', kind: 'approval' },
      { id: 'work', kind: 'agent', agent: '{{input.agent}}', after: ['gate'] },
    ],
  }),
  inputSchema: z.object({ agent: z.string().min(1) }).strict(),
};

let world: PipelineWorld;
let api: Listening;
let unreachable: { api: Listening; connection: Connection };

async function serve(control: PipelineWorld['control']): Promise<Listening> {
  const logger = createLogger('control-api-test', 'silent');
  const secrets = await SigningSecrets.load({ envSecrets: ['whsec_control_api_test'], logger });
  const handoff = createTemporalHandoff({ client: control.client, taskQueue: control.taskQueue });
  const controlRouter = createControlRouter({
    ...control,
    token: TOKEN,
    maxBodyBytes: MAX_BODY,
    callTimeoutMs: 1_000,
  });
  const app = createReceiverApp({ config: loadConfig({}), secrets, handoff, logger, controlRouter });
  return listenOnEphemeralPort(app.callback());
}

beforeAll(async () => {
  world = await startPipelineWorld([demo]);
  api = await serve(world.control);
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
  unreachable = { connection, api: await serve({ ...world.control, client: new Client({ connection }) }) };
});
afterAll(async () => {
  await unreachable?.api.close();
  await unreachable?.connection.close();
  await api?.close();
  await world?.close();
});

interface Call {
  method?: string;
  token?: string | null;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  base?: string;
}

async function call(path: string, options: Call = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${options.base ?? api.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

const post = (path: string, body: unknown, options: Call = {}) =>
  call(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), ...options });

function expectProblem(answer: Awaited<ReturnType<typeof call>>, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.json()).toMatchObject({
    type: 'about:blank',
    status,
    title: expect.any(String),
    detail: expect.any(String),
  });
}

async function startDemo(key: string) {
  const agent = await world.stack.newAgent([{ durationMs: 50 }]);
  const answer = await post('/api/pipelines/api-demo/runs', { input: { agent }, idempotencyKey: key });
  const handle = world.stack.client.workflow.getHandle(`pipeline/api-demo/${key}`);
  return { agent, answer, handle };
}

describe('authentication', () => {
  it('answers 401 problem+json without a token', async () => {
    const answer = await call('/api/pipelines', { token: null });
    expectProblem(answer, 401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 401 with a wrong token', async () => {
    expectProblem(await call('/api/pipelines', { token: `${TOKEN}x` }), 401);
  });

  it('answers 401 for another scheme', async () => {
    expectProblem(
      await call('/api/pipelines', { token: null, headers: { authorization: `Basic ${TOKEN}` } }),
      401,
    );
  });

  it('checks the token before reading the body', async () => {
    expectProblem(
      await post('/api/pipelines/api-demo/runs', '{not json', { token: 'wrong-token-wrong-token' }),
      401,
    );
  });

  it('lists the registered pipelines with the right token', async () => {
    const answer = await call('/api/pipelines');
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({
      pipelines: [
        {
          name: 'api-demo',
          steps: [
            { id: 'gate', kind: 'approval' },
            { id: 'work', kind: 'agent' },
          ],
        },
      ],
    });
  });
});

describe('starting and steering a pipeline', () => {
  it('starts a run: 201 with its workflow ID', async () => {
    const { answer } = await startDemo('http-start-1');
    expect(answer.status).toBe(201);
    expect(answer.json()).toMatchObject({
      workflowId: 'pipeline/api-demo/http-start-1',
      key: 'http-start-1',
      started: true,
    });
  });

  it('answers 200 with the same run for a repeated idempotency key', async () => {
    await startDemo('http-start-2');
    const again = await post('/api/pipelines/api-demo/runs', {
      input: { agent: 'other' },
      idempotencyKey: 'http-start-2',
    });
    expect(again.status).toBe(200);
    expect(again.json()).toMatchObject({ workflowId: 'pipeline/api-demo/http-start-2', started: false });
  });

  it('takes the idempotency key from the Idempotency-Key header too', async () => {
    const agent = await world.stack.newAgent([{ durationMs: 50 }]);
    const answer = await post(
      '/api/pipelines/api-demo/runs',
      { input: { agent } },
      { headers: { 'idempotency-key': 'http-header-key' } },
    );
    expect(answer.json()).toMatchObject({ workflowId: 'pipeline/api-demo/http-header-key' });
  });

  it('reports status with each step', async () => {
    await startDemo('http-status');
    const answer = await eventually('the gate to wait', async () => {
      const status = await call('/api/pipelines/api-demo/runs/http-status');
      return (status.json().state as { status?: string } | undefined)?.status === 'waiting_approval'
        ? status
        : undefined;
    });
    expect(answer.json()).toMatchObject({
      execution: 'RUNNING',
      state: {
        steps: [
          { id: 'gate', status: 'waiting_approval' },
          { id: 'work', status: 'pending' },
        ],
      },
    });
  });

  it('approves a waiting step and the pipeline finishes', async () => {
    const { handle } = await startDemo('http-approve');
    await eventually('the gate to wait', async () =>
      (await handle.query(pipelineStateQuery)).status === 'waiting_approval' ? true : undefined,
    );
    const answer = await post('/api/pipelines/api-demo/runs/http-approve/steps/gate/approve', { by: 'ada' });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ step: { id: 'gate', status: 'succeeded', decidedBy: 'ada' } });
    await handle.result();
  });

  it('answers 409 for an approval of a step that is not waiting', async () => {
    const { handle } = await startDemo('http-conflict');
    await eventually('the gate to wait', async () =>
      (await handle.query(pipelineStateQuery)).status === 'waiting_approval' ? true : undefined,
    );
    expectProblem(await post('/api/pipelines/api-demo/runs/http-conflict/steps/work/approve', {}), 409);
    await handle.cancel();
  });

  it('reruns a run that has ended: 201 with the new run, linked to the original', async () => {
    const { handle } = await startDemo('http-rerun-original');
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const answer = await post('/api/pipelines/api-demo/runs/http-rerun-original/rerun', {
      key: 'http-rerun-new',
    });
    expect(answer.status).toBe(201);
    expect(answer.json()).toMatchObject({
      workflowId: 'pipeline/api-demo/http-rerun-new',
      rerunOf: 'pipeline/api-demo/http-rerun-original',
    });
    await world.stack.client.workflow.getHandle('pipeline/api-demo/http-rerun-new').cancel();
  });

  it('answers 409 to a rerun of a run still running, and 400 to an unknown field', async () => {
    const { handle } = await startDemo('http-rerun-running');
    expectProblem(await post('/api/pipelines/api-demo/runs/http-rerun-running/rerun', {}), 409);
    expectProblem(await post('/api/pipelines/api-demo/runs/http-rerun-running/rerun', { frm: 'gate' }), 400);
    await handle.cancel();
  });

  it('pauses, resumes and cancels: 202', async () => {
    const { handle } = await startDemo('http-commands');
    for (const command of ['pause', 'resume', 'cancel']) {
      const answer = await call(`/api/pipelines/api-demo/runs/http-commands/${command}`, { method: 'POST' });
      expect(answer.status).toBe(202);
    }
    await expect(handle.result()).rejects.toThrow();
  });

  it('answers 409, never 404, to pause, resume, cancel and approve of a run that has ended', async () => {
    const { handle } = await startDemo('http-ended');
    await eventually('the gate to wait', async () =>
      (await handle.query(pipelineStateQuery)).status === 'waiting_approval' ? true : undefined,
    );
    await post('/api/pipelines/api-demo/runs/http-ended/steps/gate/approve', {});
    await handle.result();

    for (const path of ['pause', 'resume', 'cancel', 'steps/gate/approve']) {
      const answer = await post(`/api/pipelines/api-demo/runs/http-ended/${path}`, {});
      expectProblem(answer, 409);
      expect(answer.json().detail).toBe(
        'pipeline run pipeline/api-demo/http-ended has already ended (succeeded)',
      );
    }
  });

  it('lists runs of a pipeline by status', async () => {
    await startDemo('http-list');
    const answer = await eventually('the run to be listed', async () => {
      const listed = await call('/api/pipelines/api-demo/runs?status=waiting_approval');
      return (listed.json().runs as { workflowId: string }[]).some(
        (r) => r.workflowId === 'pipeline/api-demo/http-list',
      )
        ? listed
        : undefined;
    });
    expect(answer.status).toBe(200);
  });
});

describe('client errors', () => {
  it('answers 404 for an unknown pipeline', async () => {
    expectProblem(await post('/api/pipelines/nope/runs', { input: {} }), 404);
  });

  it('answers 404 for an unknown run', async () => {
    expectProblem(await call('/api/pipelines/api-demo/runs/never-started'), 404);
  });

  it('answers 404 for an approval of a step the pipeline does not have', async () => {
    expectProblem(await post('/api/pipelines/api-demo/runs/k1/steps/ghost/approve', {}), 404);
  });

  it('answers 400 for malformed JSON', async () => {
    expectProblem(await post('/api/pipelines/api-demo/runs', '{"input": {'), 400);
  });

  it('answers 413 for a body over the limit', async () => {
    expectProblem(
      await post('/api/pipelines/api-demo/runs', { input: { agent: 'x'.repeat(MAX_BODY * 2) } }),
      413,
    );
  });

  it('answers 415 for a body that is not JSON', async () => {
    expectProblem(
      await post('/api/pipelines/api-demo/runs', 'input=1', {
        contentType: 'application/x-www-form-urlencoded',
      }),
      415,
    );
  });

  it('answers 400 for an unknown body field', async () => {
    expectProblem(await post('/api/pipelines/api-demo/runs', { input: {}, extra: true }), 400);
  });

  it('answers 400 for input the pipeline’s schema rejects', async () => {
    const answer = await post('/api/pipelines/api-demo/runs', { input: { agent: 7 } });
    expectProblem(answer, 400);
    expect(answer.json().detail).toMatch(/agent/);
  });

  it('answers 400 for a bad list filter', async () => {
    expectProblem(await call('/api/pipeline-runs?status=bogus'), 400);
  });

  it('answers 405 for a method the route does not take', async () => {
    expect((await call('/api/pipelines', { method: 'DELETE' })).status).toBe(405);
  });

  it('never answers 5xx, whatever the body', async () => {
    const routes = [
      '/api/pipelines/api-demo/runs',
      '/api/pipelines/api-demo/runs/k1/cancel',
      '/api/pipelines/api-demo/runs/k1/steps/gate/approve',
      '/api/pipelines/nope/runs',
    ];
    const body = fc.oneof(
      fc.json(),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify({ input: v })),
      fc
        .record({ input: fc.dictionary(fc.string(), fc.jsonValue()), idempotencyKey: fc.string() })
        .map((v) => JSON.stringify(v)),
      fc
        .record(
          { approved: fc.jsonValue(), by: fc.jsonValue(), comment: fc.jsonValue() },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, async (route, text) => {
        const answer = await post(route, text);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it('never answers 5xx for odd path segments', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), async (name, key) => {
        const answer = await call(
          `/api/pipelines/${encodeURIComponent(name)}/runs/${encodeURIComponent(key)}`,
        );
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
  });
});

describe('a pipeline written as code', () => {
  let codeApi: Listening;
  beforeAll(async () => {
    const registry = createPipelineRegistry([demo, codeFirstExample({})]);
    codeApi = await serve({ ...world.control, registry });
  });
  afterAll(() => codeApi?.close());

  it('is listed, started, shown and cancelled by name; pause is refused with 400', async () => {
    const base = codeApi.url;
    const listed = await call('/api/pipelines', { base });
    expect(listed.json().pipelines).toContainEqual(
      expect.objectContaining({
        name: 'check-then-fix-code',
        kind: 'code',
        workflowType: 'checkThenFixWorkflow',
      }),
    );
    const checker = await world.stack.newAgent([{ durationMs: 60_000, result: 'completed' }]);
    const input = { repo: 'acme/shop', agents: { checker, fixer: checker } };

    const started = await post(
      '/api/pipelines/check-then-fix-code/runs',
      { input, idempotencyKey: 'cf-http' },
      { base },
    );

    expect(started.status).toBe(201);
    const status = await call('/api/pipelines/check-then-fix-code/runs/cf-http', { base });
    expect(status.status).toBe(200);
    expect(status.json()).toMatchObject({ kind: 'code', execution: 'RUNNING' });
    const pause = await post('/api/pipelines/check-then-fix-code/runs/cf-http/pause', {}, { base });
    expectProblem(pause, 400);
    expect(pause.json().detail).toContain(
      'is written as code (workflow checkThenFixWorkflow) and cannot be paused',
    );
    expect((await post('/api/pipelines/check-then-fix-code/runs/cf-http/cancel', {}, { base })).status).toBe(
      202,
    );
  });
});

describe('with Temporal unreachable', () => {
  it('answers 503 with Retry-After', async () => {
    const answer = await post(
      '/api/pipelines/api-demo/runs',
      { input: { agent: 'a' } },
      { base: unreachable.api.url },
    );
    expectProblem(answer, 503);
    expect(answer.headers.get('retry-after')).toBe('5');
  });

  it('still answers 404 for an unknown pipeline', async () => {
    expectProblem(await post('/api/pipelines/nope/runs', { input: {} }, { base: unreachable.api.url }), 404);
  });
});
