// Temporal going away under a running receiver. This file runs its own dev server (SQLite-backed, so state
// survives a restart on the same port) because it has to stop and restart it: while it is down every
// delivery is a 503 with Retry-After (Twin retries), and once it is back the retried delivery lands once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiverApp } from '../../services/receiver/app.js';
import { createTemporalHandoff, handoffConnectionOptions } from '../../services/receiver/handoff.js';
import { SigningSecrets } from '../../services/receiver/secrets.js';
import { loadConfig } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import {
  startTemporalDevServer,
  type RunningDevServer,
} from '../../services/dev-stack/temporal-dev-server.js';
import {
  runTrackerStateQuery,
  runTrackerWorkflowId,
} from '../../providers/twin/workflows/run-tracker-api.js';
import {
  deliver,
  json,
  listenOnEphemeralPort,
  send,
  startTrackerWorkers,
  uniqueRunId,
  webhookBody,
  type HttpAnswer,
  type Listening,
  type TrackerWorkers,
} from '../support/receiver.js';
import { connectTemporalAt, uniqueTaskQueue } from '../support/temporal.js';

const SECRET = 'whsec_receiver_outage_test';
const taskQueue = uniqueTaskQueue('receiver-outage');
const runId = uniqueRunId();
const startedBody = webhookBody({
  runId,
  event: 'run.started',
  timestamp: new Date(Date.now() - 60_000).toISOString(),
});
const completedBody = webhookBody({ runId, event: 'run.completed' });

let dbDir: string;
let server: RunningDevServer;
let client: Client;
let workers: TrackerWorkers | undefined;
let receiver: Listening;
let url: string;

/** The worker side of this private server; the receiver's own client connection stays up throughout. */
async function startWorkers(address: string): Promise<TrackerWorkers> {
  const context = await connectTemporalAt(address);
  const started = await startTrackerWorkers(context, taskQueue);
  return {
    triggerCalls: started.triggerCalls,
    async stop() {
      await started.stop();
      await context.close();
    },
  };
}

/** Twin's retry, compressed: re-send the same bytes until the answer is no longer 503. */
async function redeliverUntilAccepted(body: string): Promise<HttpAnswer> {
  for (let attempt = 1; ; attempt++) {
    const answer = await deliver(url, { secret: SECRET, body });
    if (answer.status !== 503 || attempt === 60) return answer;
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  dbDir = await mkdtemp(path.join(tmpdir(), 'twinflow-outage-'));
  server = await startTemporalDevServer({ headless: true, dbFilename: path.join(dbDir, 'temporal.db') });
  const config = loadConfig({ WEBHOOK_HANDOFF_TIMEOUT_MS: '2000' });
  const connection = await Connection.connect(
    handoffConnectionOptions(server.address, config.WEBHOOK_HANDOFF_TIMEOUT_MS),
  );
  client = new Client({ connection });
  workers = await startWorkers(server.address);
  const logger = createLogger('receiver-test', 'silent');
  const secrets = await SigningSecrets.load({ envSecrets: [SECRET], logger });
  const handoff = createTemporalHandoff({ client, taskQueue });
  receiver = await listenOnEphemeralPort(createReceiverApp({ config, secrets, handoff, logger }).callback());
  url = `${receiver.url}/webhooks/twin`;
  expect((await deliver(url, { secret: SECRET, body: startedBody })).status).toBe(200);
});

afterAll(async () => {
  await receiver?.close();
  await workers?.stop();
  await client?.connection.close();
  await server?.stop();
  await rm(dbDir, { recursive: true, force: true });
});

describe('while Temporal is down', () => {
  beforeAll(async () => {
    await workers?.stop();
    workers = undefined;
    await server.stop();
  });

  it('answers a delivery 503 with Retry-After as problem+json', async () => {
    const answer = await deliver(url, { secret: SECRET, body: completedBody });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toMatch(/^\d+$/);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(answer)).toMatchObject({ status: 503 });
  });

  it('counts the failed hand-off in the metrics', async () => {
    const text = (await send(`${receiver.url}/metrics`, { method: 'GET' })).body;
    expect(text).toMatch(/^twinflow_receiver_handoff_errors_total\{reason="(timeout|error)"\} [1-9]/m);
    expect(text).toMatch(
      /^twinflow_receiver_deliveries_total\{event="run.completed",result="unavailable"\} [1-9]/m,
    );
  });

  it('reports not ready', async () => {
    const answer = await send(`${receiver.url}/readyz`, { method: 'GET' });
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('still reports the process alive', async () => {
    expect((await send(`${receiver.url}/healthz`, { method: 'GET' })).status).toBe(200);
  });
});

describe('once Temporal is back on the same port and database', () => {
  beforeAll(async () => {
    const port = Number(server.address.split(':')[1]);
    server = await startTemporalDevServer({
      headless: true,
      dbFilename: path.join(dbDir, 'temporal.db'),
      port,
    });
    workers = await startWorkers(server.address);
  });

  it('accepts the re-delivered event', async () => {
    expect((await redeliverUntilAccepted(completedBody)).status).toBe(200);
  });

  it('has recorded the event in the tracker exactly once', async () => {
    await redeliverUntilAccepted(completedBody);
    const state = await client.workflow.getHandle(runTrackerWorkflowId(runId)).query(runTrackerStateQuery);
    expect(state.applied.map((o) => o.status)).toEqual(['in_progress', 'completed']);
  });

  it('reports ready again', async () => {
    await expect
      .poll(async () => (await send(`${receiver.url}/readyz`, { method: 'GET' })).status, { timeout: 30_000 })
      .toBe(200);
  });
});
