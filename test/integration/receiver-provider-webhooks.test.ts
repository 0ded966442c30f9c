// POST /webhooks/twin-ai and /webhooks/twig end to end: a real receiver, real Temporal, the real provider-event
// workflow and trigger activity. Each route faces what a sender or an attacker can put on the wire (refusals are
// checked in Temporal too: no provider-event workflow exists), and a genuine event starts its triggered pipeline
// exactly once however often, and however concurrently, it is delivered, also after the pipeline ran.
import { createHash, randomUUID } from 'node:crypto';
import type { Worker } from '@temporalio/worker';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createProviderTriggerActivities } from '../../activities/provider-triggers.js';
import { createPipelineRegistry } from '../../services/pipelines/registry.js';
import { createReceiverApp } from '../../services/receiver/app.js';
import { createTemporalHandoff } from '../../services/receiver/handoff.js';
import { createTemporalProviderHandoff } from '../../services/receiver/provider-handoff.js';
import { SigningSecrets } from '../../services/receiver/secrets.js';
import { loadConfig } from '../../services/shared/config.js';
import { pipelineWorkflowId } from '../../workflows/pipeline-api.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import {
  providerEventWorkflowId,
  providerTriggerKey,
  type ProviderEventResult,
  type ProviderName,
} from '../../workflows/provider-event-api.js';
import { INTERNAL_TASK_QUEUE_SUFFIX } from '../../workflows/internal-queue.js';
import {
  expectProblem,
  json,
  listenOnEphemeralPort,
  send,
  sendRaw,
  sign,
  workflowExists,
  type HttpAnswer,
  type Listening,
} from '../support/receiver.js';
import {
  connectTemporal,
  createTestWorker,
  uniqueTaskQueue,
  type TemporalTestContext,
} from '../support/temporal.js';

const SECRETS = { 'twin-ai': 'twinai_whsec_test', twig: 'twig_whsec_test' } as const;
const HEADER = { 'twin-ai': 'Twin-Signature', twig: 'X-Twig-Signature' } as const;
const MAX_BODY = 4096;

const escalations = definePipeline({
  name: 'provider-escalation-followup',
  triggers: [
    {
      provider: 'twin-ai',
      event: 'escalation.created',
      input: { question: '{{event.question}}', escalationId: '{{event.escalationId}}' },
    },
  ],
  steps: [{ id: 'pause', kind: 'wait', duration: '100 milliseconds' }],
});
const syncs = definePipeline({
  name: 'provider-sync-report',
  triggers: [
    { provider: 'twig', event: 'data_source.synced', input: { source: '{{event.data.data_source_id}}' } },
  ],
  steps: [{ id: 'pause', kind: 'wait', duration: '100 milliseconds' }],
});

let temporal: TemporalTestContext;
let workers: Worker[];
let running: Promise<void>[];
let receiver: Listening;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  temporal = await connectTemporal();
  const taskQueue = uniqueTaskQueue('receiver-providers');
  const registry = createPipelineRegistry([
    // The schema proves the mapping reached the pipeline: without both fields the input would be refused.
    {
      definition: escalations,
      inputSchema: z.looseObject({ question: z.string(), escalationId: z.string() }),
    },
    syncs,
  ]);
  workers = [
    await createTestWorker(temporal, { taskQueue, activities: {} }),
    await createTestWorker(temporal, {
      taskQueue: `${taskQueue}${INTERNAL_TASK_QUEUE_SUFFIX}`,
      activities: createProviderTriggerActivities({ registry, temporal: temporal.client, taskQueue }),
    }),
  ];
  running = workers.map((worker) => worker.run());
  const config = loadConfig({
    WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY),
    WEBHOOK_HANDOFF_TIMEOUT_MS: '15000',
    // A rotation in progress: the old secret first, so the match is never simply the first one tried.
    TWIN_AI_WEBHOOK_SECRETS: `twinai_old_secret,${SECRETS['twin-ai']}`,
    TWIG_WEBHOOK_SECRETS: SECRETS.twig,
  });
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  const secrets = await SigningSecrets.load({ envSecrets: [], logger: pino({ level: 'silent' }) });
  const app = createReceiverApp({
    config,
    secrets,
    handoff: createTemporalHandoff({ client: temporal.client, taskQueue }),
    providerHandoff: createTemporalProviderHandoff({ client: temporal.client, taskQueue }),
    logger,
  });
  receiver = await listenOnEphemeralPort(app.callback());
});

afterAll(async () => {
  await receiver?.close();
  for (const worker of workers ?? []) worker.shutdown();
  await Promise.all(running ?? []);
  await temporal?.close();
});

function escalationBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    event: 'escalation.created',
    escalationId: `esc_${randomUUID().slice(0, 8)}`,
    question: 'Can I get a refund after 90 days?',
    askedBy: 'API',
    confidence: 0.31,
    reason: 'Not covered by the refund policy documents',
    timestamp: new Date().toISOString(),
    ...overrides,
  });
}

function syncBody(event = 'data_source.synced'): string {
  const data = { data_source_id: `ds_${randomUUID().slice(0, 8)}`, status: 'active', chunks_indexed: 12 };
  return JSON.stringify({ event, timestamp: new Date().toISOString(), data });
}

const BODY: Record<ProviderName, () => string> = { 'twin-ai': escalationBody, twig: syncBody };

/** The key the receiver should derive: Twin.ai's escalationId, else the SHA-256 of the body. */
function keyOf(provider: ProviderName, body: string): string {
  if (provider === 'twin-ai') return (JSON.parse(body) as { escalationId: string }).escalationId;
  return `sha256-${createHash('sha256').update(body).digest('hex')}`;
}

function post(provider: ProviderName, body: string | Buffer, signature?: string | null): Promise<HttpAnswer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (signature !== null) headers[HEADER[provider]] = signature ?? sign(SECRETS[provider], body);
  return send(`${receiver.url}/webhooks/${provider}`, { headers, body });
}

function eventRecorded(provider: ProviderName, body: string): Promise<boolean> {
  return workflowExists(temporal.client, providerEventWorkflowId(provider, keyOf(provider, body)));
}

describe.each(['twin-ai', 'twig'] as const)('POST /webhooks/%s refuses', (provider) => {
  const secret = SECRETS[provider];
  /** Each sends one bad delivery of a fresh genuine body: [what, how (body, bytes sent, signature), status]. */
  const refusals: Array<[string, (body: string) => [string | Buffer, string | null], number]> = [
    ['a delivery without a signature', (body) => [body, null], 401],
    ['a malformed signature', (body) => [body, 'sha256=not-hex'], 401],
    ['a signature made with another secret', (body) => [body, sign('whsec_someone_else', body)], 401],
    [
      'a body with one byte changed after signing',
      (body) => [body.replace('"event"', '"Event"'), sign(secret, body)],
      401,
    ],
    ['a signed body that is not JSON', () => ['{"event":', sign(secret, '{"event":')], 400],
  ];

  it.each(refusals)('%s, as problem+json, and records nothing', async (_, bad, status) => {
    const body = BODY[provider]();
    const [sent, signature] = bad(body);
    expectProblem(await post(provider, sent, signature), status);
    expect(await eventRecorded(provider, body)).toBe(false);
  });

  it('a body over the size limit (413), as problem+json', async () => {
    const body = Buffer.alloc(MAX_BODY + 1, 0x20);
    const head = [`POST /webhooks/${provider} HTTP/1.1`, 'Content-Type: application/json'];
    expectProblem(
      await sendRaw(receiver.url, [...head, `${HEADER[provider]}: ${sign(secret, body)}`], body),
      413,
    );
  });

  it('a compressed body (415) and any method but POST (405)', async () => {
    const body = BODY[provider]();
    const url = `${receiver.url}/webhooks/${provider}`;
    const gz = await send(url, {
      headers: {
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
        [HEADER[provider]]: sign(SECRETS[provider], body),
      },
      body,
    });
    expectProblem(gz, 415);
    const get = await send(url, { method: 'GET' });
    expectProblem(get, 405);
    expect(get.headers.allow).toBe('POST');
  });

  it('but acknowledges a signed event it does not know (202 ignored), acting on nothing', async () => {
    const body =
      provider === 'twin-ai' ? escalationBody({ event: 'escalation.deleted' }) : syncBody('source.deleted');
    const answer = await post(provider, body);
    expect(answer.status).toBe(202);
    expect(json(answer)).toMatchObject({ status: 'ignored', provider });
    expect(await eventRecorded(provider, body)).toBe(false);
  });
});

describe('POST /webhooks/twin-ai', () => {
  it('answers 503 with Retry-After when Temporal does not take the event, so the sender retries', async () => {
    const down = createReceiverApp({
      config: loadConfig({ TWIN_AI_WEBHOOK_SECRETS: SECRETS['twin-ai'] }),
      secrets: { keys: () => [] },
      handoff: { deliver: () => Promise.reject(new Error('down')), checkReady: async () => {} },
      providerHandoff: { deliver: () => Promise.reject(new Error('Temporal is down')) },
      logger: pino({ level: 'silent' }),
    });
    const server = await listenOnEphemeralPort(down.callback());
    try {
      const body = escalationBody();
      const answer = await send(`${server.url}/webhooks/twin-ai`, {
        headers: { 'Content-Type': 'application/json', 'Twin-Signature': sign(SECRETS['twin-ai'], body) },
        body,
      });
      expectProblem(answer, 503);
      expect(answer.headers['retry-after']).toBe('5');
    } finally {
      await server.close();
    }
  });

  it('refuses a signed escalation without escalationId (400), and an uppercase digest (401, A12)', async () => {
    const noId = JSON.stringify({ event: 'escalation.created', question: 'q' });
    expectProblem(await post('twin-ai', noId), 400);
    const body = escalationBody();
    const upper = `sha256=${sign(SECRETS['twin-ai'], body).slice(7).toUpperCase()}`;
    expectProblem(await post('twin-ai', body, upper), 401);
  });
});

/** Delivers `body` three times at once, then once more after the pipeline ran; returns the pipeline's ID. */
async function deliverRepeatedly(provider: ProviderName, body: string, signature?: string): Promise<string> {
  const answers = await Promise.all([1, 2, 3].map(() => post(provider, body, signature)));
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
  const outcomes = answers.map((a) => json<{ status: string }>(a).status).sort();
  expect(outcomes).toEqual(['delivered', 'duplicate', 'duplicate']);
  const eventKey = keyOf(provider, body);
  const event = temporal.client.workflow.getHandle(providerEventWorkflowId(provider, eventKey));
  const result = (await event.result()) as ProviderEventResult;
  const name = provider === 'twin-ai' ? escalations.name : syncs.name;
  const pipelineId = pipelineWorkflowId(name, providerTriggerKey(provider, eventKey));
  expect(result).toEqual({ started: [pipelineId], alreadyStarted: [], refused: [] });
  await temporal.client.workflow.getHandle(pipelineId).result();

  const replay = await post(provider, body, signature);
  expect(replay.status).toBe(200);
  expect(json(replay)).toMatchObject({ status: 'duplicate', provider, event_key: eventKey });
  await expect
    .poll(async () => {
      const runs = [];
      for await (const run of temporal.client.workflow.list({ query: `WorkflowId = '${pipelineId}'` }))
        runs.push(run);
      return runs.length;
    })
    .toBe(1);
  return pipelineId;
}

/** The input the pipeline was started with, read from its first history event. */
async function startInput(workflowId: string): Promise<Record<string, unknown>> {
  const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return (JSON.parse(Buffer.from(payload?.data ?? []).toString('utf8')) as { input: Record<string, unknown> })
    .input;
}

describe('a genuine provider event', () => {
  it('starts the Twin.ai-triggered pipeline exactly once, with the mapped fields and the event', async () => {
    const body = escalationBody();
    const { escalationId, question } = JSON.parse(body) as { escalationId: string; question: string };
    const pipelineId = await deliverRepeatedly('twin-ai', body);
    expect(await startInput(pipelineId)).toMatchObject({
      question,
      escalationId,
      trigger: { provider: 'twin-ai', eventKey: escalationId, event: 'escalation.created', confidence: 0.31 },
    });
  });

  it('starts the Twig-triggered pipeline exactly once, signed with a bare hex digest', async () => {
    const body = syncBody();
    const source = (JSON.parse(body) as { data: { data_source_id: string } }).data.data_source_id;
    const pipelineId = await deliverRepeatedly(
      'twig',
      body,
      sign(SECRETS.twig, body).slice('sha256='.length),
    );
    expect(await startInput(pipelineId)).toMatchObject({
      source,
      trigger: { provider: 'twig', data: { status: 'active' } },
    });
  });

  it('is counted in the metrics and logged once per request with its provider, event and key', async () => {
    const body = escalationBody();
    const requestId = `req-${randomUUID()}`;
    await send(`${receiver.url}/webhooks/twin-ai`, {
      headers: {
        'Content-Type': 'application/json',
        'Twin-Signature': sign(SECRETS['twin-ai'], body),
        'X-Request-Id': requestId,
      },
      body,
    });
    const lines = logLines.filter((line) => line.requestId === requestId);
    expect(lines).toEqual([
      expect.objectContaining({
        provider: 'twin-ai',
        event: 'escalation.created',
        eventKey: keyOf('twin-ai', body),
        result: 'delivered',
        status: 200,
      }),
    ]);
    const metrics = await send(`${receiver.url}/metrics`, { method: 'GET' });
    expect(metrics.body).toMatch(
      /twinflow_receiver_provider_deliveries_total\{provider="twin-ai",event="escalation.created",result="delivered"\} \d+/,
    );
    expect(metrics.body).toMatch(
      /twinflow_receiver_provider_verification_failures_total\{provider="twig",reason="signature_mismatch"\} \d+/,
    );
  });
});
