// POST /webhooks/twin against everything a sender (or an attacker) can put on the wire, one behaviour per
// test. Accepted deliveries go through the real Temporal hand-off; "never reached the hand-off" is checked in
// Temporal itself (no tracker workflow exists for that run). The app has a control router mounted that parses
// bodies with koa-body, so every byte-exact case (BOM, escapes, invalid UTF-8) also proves the mount order.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiverApp } from '../../services/receiver/app.js';
import { createTemporalHandoff } from '../../services/receiver/handoff.js';
import { writeSecretsFile } from '../../services/shared/secrets-file.js';
import { SigningSecrets } from '../../services/receiver/secrets.js';
import { loadConfig } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import {
  runTrackerStateQuery,
  runTrackerWorkflowId,
} from '../../providers/twin/workflows/run-tracker-api.js';
import {
  deliver,
  expectProblem,
  json,
  listenOnEphemeralPort,
  send,
  sendRaw,
  sign,
  startTrackerWorkers,
  uniqueRunId,
  webhookBody,
  workflowExists,
  type HttpAnswer,
  type Listening,
  type TrackerWorkers,
} from '../support/receiver.js';
import { connectTemporal, uniqueTaskQueue, type TemporalTestContext } from '../support/temporal.js';

const SECRET = 'whsec_receiver_webhook_test';
/** Registered through the CLI's secrets file for one agent: it vouches for that agent's runs only. */
const AGENT_SECRET = 'whsec_registered_for_agent_scoped';
const SCOPED_AGENT = 'agent_scoped';
const MAX_BODY = 2048;

let temporal: TemporalTestContext;
let workers: TrackerWorkers;
let receiver: Listening;
let url: string;
let secretsDir: string;

beforeAll(async () => {
  temporal = await connectTemporal();
  const taskQueue = uniqueTaskQueue('receiver-webhook');
  workers = await startTrackerWorkers(temporal, taskQueue);
  const config = loadConfig({
    WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY),
    WEBHOOK_HANDOFF_TIMEOUT_MS: '15000',
  });
  const logger = createLogger('receiver-test', 'silent');
  secretsDir = await mkdtemp(path.join(tmpdir(), 'twinflow-receiver-webhook-'));
  const filePath = path.join(secretsDir, 'webhook-secrets.json');
  await writeSecretsFile(filePath, {
    webhooks: [
      {
        webhook_id: 'wh_scoped',
        agent_id: SCOPED_AGENT,
        url: 'http://127.0.0.1/webhooks/twin',
        signing_secret: AGENT_SECRET,
        created_at: new Date().toISOString(),
      },
    ],
  });
  const secrets = await SigningSecrets.load({ envSecrets: [SECRET], filePath, logger });
  const handoff = createTemporalHandoff({ client: temporal.client, taskQueue });
  const controlRouter = new Router({ prefix: '/api' });
  controlRouter.use(koaBody());
  controlRouter.post('/echo', (ctx) => {
    ctx.body = { received: ctx.request.body as unknown };
  });
  receiver = await listenOnEphemeralPort(
    createReceiverApp({ config, secrets, handoff, logger, controlRouter }).callback(),
  );
  url = `${receiver.url}/webhooks/twin`;
});

afterAll(async () => {
  await receiver?.close();
  await workers?.stop();
  await temporal?.close();
  await rm(secretsDir, { recursive: true, force: true });
});

function trackerExists(runId: string): Promise<boolean> {
  return workflowExists(temporal.client, runTrackerWorkflowId(runId));
}

function freshlySigned() {
  const runId = uniqueRunId();
  const body = webhookBody({ runId });
  return { runId, body, hex: sign(SECRET, body).slice('sha256='.length) };
}

async function expectRefusedBeforeHandoff(signature: (hex: string) => string | string[]): Promise<void> {
  const { runId, body, hex } = freshlySigned();
  const answer = await send(url, {
    headers: { 'Content-Type': 'application/json', 'X-Cobb-Signature': signature(hex) },
    body,
  });
  expectProblem(answer, 401);
  expect(await trackerExists(runId)).toBe(false);
}

describe('a correctly signed delivery', () => {
  it('is accepted once Temporal has it, and creates the run tracker', async () => {
    const runId = uniqueRunId();
    const answer = await deliver(url, { secret: SECRET, body: webhookBody({ runId }) });
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ status: 'delivered', event: 'run.started', run_id: runId });
    expect(await trackerExists(runId)).toBe(true);
  });

  it('is accepted with the digest in uppercase hex', async () => {
    const { runId, body, hex } = freshlySigned();
    const answer = await send(url, {
      headers: { 'Content-Type': 'application/json', 'X-Cobb-Signature': `sha256=${hex.toUpperCase()}` },
      body,
    });
    expect(answer.status).toBe(200);
    expect(await trackerExists(runId)).toBe(true);
  });

  it('is accepted with Content-Type carrying charset=utf-8', async () => {
    const answer = await deliver(url, {
      secret: SECRET,
      body: webhookBody(),
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
    expect(answer.status).toBe(200);
  });

  it('is accepted without X-Cobb-Event, since routing uses the signed body', async () => {
    const body = webhookBody();
    const answer = await send(url, {
      headers: { 'Content-Type': 'application/json', 'X-Cobb-Signature': sign(SECRET, body) },
      body,
    });
    expect(answer.status).toBe(200);
  });

  it('is accepted with non-ASCII characters in the body, verified over their UTF-8 bytes', async () => {
    const runId = `run_é✓😀_${uniqueRunId()}`;
    const answer = await deliver(url, {
      secret: SECRET,
      body: webhookBody({ runId, agentId: 'agent_ünïcødé' }),
    });
    expect(answer.status).toBe(200);
    expect(json(answer)).toMatchObject({ run_id: runId });
  });

  it('is accepted with \\u-escaped characters, verified over the escapes as sent', async () => {
    const runId = uniqueRunId();
    const body = webhookBody({ runId, agentId: 'agent_\u00e9' }).replace('agent_é', 'agent_\\u00e9');
    expect(body).toContain('\\u00e9');
    const answer = await deliver(url, { secret: SECRET, body });
    expect(answer.status).toBe(200);
  });

  it('is accepted with a UTF-8 BOM before the JSON when the BOM was signed too', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(webhookBody())]);
    const answer = await send(url, {
      headers: { 'Content-Type': 'application/json', 'X-Cobb-Signature': sign(SECRET, body) },
      body,
    });
    expect(answer.status).toBe(200);
  });

  it('answers with the caller-supplied X-Request-Id', async () => {
    const answer = await deliver(url, {
      secret: SECRET,
      body: webhookBody(),
      headers: { 'X-Request-Id': 'twin-delivery-42' },
    });
    expect(answer.headers['x-request-id']).toBe('twin-delivery-42');
  });

  it('answers with a generated request ID when none is supplied', async () => {
    const answer = await deliver(url, { secret: SECRET, body: webhookBody() });
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('a replayed delivery', () => {
  it('is answered 200 again without a second change to the tracker', async () => {
    const runId = uniqueRunId();
    const body = webhookBody({ runId });
    expect((await deliver(url, { secret: SECRET, body })).status).toBe(200);
    expect((await deliver(url, { secret: SECRET, body })).status).toBe(200);
    const state = await temporal.client.workflow
      .getHandle(runTrackerWorkflowId(runId))
      .query(runTrackerStateQuery);
    expect(state.applied).toHaveLength(1);
  });
});

describe('the signature', () => {
  it("made with the secret registered for the run's agent is accepted", async () => {
    const runId = uniqueRunId();
    const body = webhookBody({ runId, agentId: SCOPED_AGENT });
    expect((await deliver(url, { secret: AGENT_SECRET, body })).status).toBe(200);
    expect(await trackerExists(runId)).toBe(true);
  });

  it('made with the secret registered for another agent is refused, like any wrong signature', async () => {
    const runId = uniqueRunId();
    const body = webhookBody({ runId, agentId: 'agent_someone_else' });
    const answer = await deliver(url, { secret: AGENT_SECRET, body });
    expectProblem(answer, 401);
    expect(json(answer).detail).toBe('the signature does not match the body');
    expect(await trackerExists(runId)).toBe(false);
  });

  it('made with another secret is refused without saying which secret or byte was wrong', async () => {
    const runId = uniqueRunId();
    const answer = await deliver(url, { secret: 'whsec_someone_else', body: webhookBody({ runId }) });
    expectProblem(answer, 401);
    expect(json(answer).detail).toBe('the signature does not match the body');
    expect(await trackerExists(runId)).toBe(false);
  });

  it('over a body changed by one byte is refused', async () => {
    const runId = uniqueRunId();
    const body = webhookBody({ runId });
    const changed = body.replace('"run.started"', '"run.startee"');
    const answer = await send(url, {
      headers: { 'Content-Type': 'application/json', 'X-Cobb-Signature': sign(SECRET, body) },
      body: changed,
    });
    expectProblem(answer, 401);
  });

  it('over the same JSON serialised differently is refused', async () => {
    const runId = uniqueRunId();
    const body = webhookBody({ runId });
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    const answer = await send(url, {
      headers: { 'Content-Type': 'application/json', 'X-Cobb-Signature': sign(SECRET, body) },
      body: reserialised,
    });
    expectProblem(answer, 401);
    expect(await trackerExists(runId)).toBe(false);
  });

  it('over the JSON without the BOM that was sent is refused', async () => {
    const text = webhookBody();
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const answer = await send(url, {
      headers: { 'Content-Type': 'application/json', 'X-Cobb-Signature': sign(SECRET, text) },
      body,
    });
    expectProblem(answer, 401);
  });

  it('header missing is refused', async () => {
    const runId = uniqueRunId();
    const answer = await send(url, {
      headers: { 'Content-Type': 'application/json' },
      body: webhookBody({ runId }),
    });
    expectProblem(answer, 401);
    expect(await trackerExists(runId)).toBe(false);
  });

  it('header empty is refused', async () => {
    await expectRefusedBeforeHandoff(() => '');
  });

  it('header holding only "sha256=" is refused', async () => {
    await expectRefusedBeforeHandoff(() => 'sha256=');
  });

  it('header with a truncated digest is refused', async () => {
    await expectRefusedBeforeHandoff((hex) => `sha256=${hex.slice(0, 40)}`);
  });

  it('header with an odd number of hex digits is refused', async () => {
    await expectRefusedBeforeHandoff((hex) => `sha256=${hex.slice(0, 63)}`);
  });

  it('header with a non-hex digit is refused', async () => {
    await expectRefusedBeforeHandoff((hex) => `sha256=${hex.slice(0, 63)}z`);
  });

  it('header with junk after a valid digest is refused', async () => {
    await expectRefusedBeforeHandoff((hex) => `sha256=${hex};junk`);
  });

  it('header with a sha1= prefix is refused', async () => {
    await expectRefusedBeforeHandoff((hex) => `sha1=${hex}`);
  });

  it('header without the sha256= prefix is refused', async () => {
    await expectRefusedBeforeHandoff((hex) => hex);
  });

  it('header sent twice, even with the correct value both times, is refused', async () => {
    await expectRefusedBeforeHandoff((hex) => [`sha256=${hex}`, `sha256=${hex}`]);
  });

  it('header with a non-ASCII byte is refused as a client error', async () => {
    const { runId, body, hex } = freshlySigned();
    const header = Buffer.concat([
      Buffer.from(`X-Cobb-Signature: sha256=${hex.slice(0, 63)}`),
      Buffer.from([0xe9]),
    ]).toString('latin1');
    const answer = await sendRaw(
      receiver.url,
      ['POST /webhooks/twin HTTP/1.1', 'Content-Type: application/json', header],
      Buffer.from(body),
    );
    expect(answer.status).toBe(401);
    expect(await trackerExists(runId)).toBe(false);
  });
});

describe('the body', () => {
  it('with an invalid UTF-8 byte is refused as a bad request even when signed', async () => {
    const body = Buffer.from(webhookBody().replace('agent_test', 'agent_XX'));
    body[body.indexOf('XX')] = 0xff;
    const answer = await send(url, {
      headers: { 'Content-Type': 'application/json', 'X-Cobb-Signature': sign(SECRET, body) },
      body,
    });
    expectProblem(answer, 400);
  });

  it('that is not JSON is refused as a bad request even when signed', async () => {
    const body = 'event=run.started';
    const answer = await send(url, {
      headers: { 'Content-Type': 'application/json', 'X-Cobb-Signature': sign(SECRET, body) },
      body,
    });
    expectProblem(answer, 400);
  });

  it('that is JSON of the wrong shape is refused as a bad request even when signed', async () => {
    const runId = uniqueRunId();
    const body = JSON.stringify({
      event: 'run.started',
      timestamp: new Date().toISOString(),
      data: { run_id: runId },
    });
    const answer = await deliver(url, { secret: SECRET, body });
    expectProblem(answer, 400);
    expect(await trackerExists(runId)).toBe(false);
  });

  it('compressed with gzip is refused as an unsupported encoding', async () => {
    const body = gzipSync(webhookBody());
    const answer = await send(url, {
      headers: {
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
        'X-Cobb-Signature': sign(SECRET, body),
      },
      body,
    });
    expectProblem(answer, 415);
    expect(answer.headers['accept-encoding']).toBe('identity');
  });

  it('larger than the limit with a Content-Length is refused as too large', async () => {
    const body = Buffer.alloc(MAX_BODY + 1, 0x20);
    const answer = await sendRaw(
      receiver.url,
      [
        'POST /webhooks/twin HTTP/1.1',
        'Content-Type: application/json',
        `X-Cobb-Signature: ${sign(SECRET, body)}`,
      ],
      body,
    );
    expectProblem(answer, 413);
  });

  it('larger than the limit sent chunked without a length is refused as too large', async () => {
    const body = Buffer.alloc(MAX_BODY + 1, 0x20);
    const answer = await sendRaw(
      receiver.url,
      [
        'POST /webhooks/twin HTTP/1.1',
        'Content-Type: application/json',
        `X-Cobb-Signature: ${sign(SECRET, body)}`,
      ],
      body,
      true,
    );
    expectProblem(answer, 413);
  });

  it('sent chunked within the limit is accepted', async () => {
    const body = Buffer.from(webhookBody());
    const answer = await sendRaw(
      receiver.url,
      [
        'POST /webhooks/twin HTTP/1.1',
        'Content-Type: application/json',
        `X-Cobb-Signature: ${sign(SECRET, body)}`,
      ],
      body,
      true,
    );
    expect(answer.status).toBe(200);
  });
});

describe('the request', () => {
  it('with another method is refused with the allowed one named', async () => {
    const answer = await send(url, { method: 'GET' });
    expectProblem(answer, 405);
    expect(answer.headers.allow).toBe('POST');
  });

  it('with another content type is refused as unsupported', async () => {
    const body = webhookBody();
    const answer = await send(url, {
      headers: { 'Content-Type': 'text/plain', 'X-Cobb-Signature': sign(SECRET, body) },
      body,
    });
    expectProblem(answer, 415);
  });

  it('whose X-Cobb-Event disagrees with the signed body is refused', async () => {
    const runId = uniqueRunId();
    const answer = await deliver(url, {
      secret: SECRET,
      body: webhookBody({ runId }),
      headers: { 'X-Cobb-Event': 'run.completed' },
    });
    expectProblem(answer, 400);
    expect(await trackerExists(runId)).toBe(false);
  });

  it('to the mounted control router reaches it with its body parsed', async () => {
    const answer = await send(`${receiver.url}/api/echo`, {
      headers: { 'Content-Type': 'application/json' },
      body: '{"pipeline":"p"}',
    });
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ received: { pipeline: 'p' } });
  });

  it('to an unknown path is answered 404 as problem+json', async () => {
    expectProblem(await send(`${receiver.url}/webhooks/other`, { body: '{}' }), 404);
  });
});

describe('the signed timestamp', () => {
  async function deliverAt(timestamp: string): Promise<{ answer: HttpAnswer; runId: string }> {
    const runId = uniqueRunId();
    return { answer: await deliver(url, { secret: SECRET, body: webhookBody({ runId, timestamp }) }), runId };
  }

  it('that is not a time is refused as a bad request', async () => {
    const { answer, runId } = await deliverAt('not-a-time');
    expectProblem(answer, 400);
    expect(await trackerExists(runId)).toBe(false);
  });

  it('"NaN" is refused as a bad request', async () => {
    expectProblem((await deliverAt('NaN')).answer, 400);
  });

  it('far in the future is refused', async () => {
    expectProblem((await deliverAt('2999-01-01T00:00:00Z')).answer, 400);
  });

  it('older than the tolerance is refused', async () => {
    expectProblem((await deliverAt(new Date(Date.now() - 4 * 24 * 3600 * 1000).toISOString())).answer, 400);
  });

  it('two days old (a late retry from Twin) is accepted', async () => {
    expect((await deliverAt(new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString())).answer.status).toBe(
      200,
    );
  });
});

describe('an event type twinflow does not know', () => {
  it('is accepted and ignored, so Twin does not retry it forever', async () => {
    const runId = uniqueRunId();
    const answer = await deliver(url, { secret: SECRET, body: webhookBody({ runId, event: 'run.resumed' }) });
    expect(answer.status).toBe(202);
    expect(json(answer)).toEqual({ status: 'ignored', event: 'run.resumed' });
    expect(await trackerExists(runId)).toBe(false);
  });
});
