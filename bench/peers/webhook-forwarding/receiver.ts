// The webhook peer's receiver, as small as a careful hand-written one gets: Koa, the raw body, the HMAC checked
// in constant time, JSON.parse, and one signal-with-start per terminal delivery onto the run's forwarder. It
// answers 2xx only after Temporal has the event, so Twin redelivers anything the hand-off lost. Each agent's
// webhook URL names the agent, which selects its signing secret (Twin issues one secret per webhook).
// Configured by the environment: PEER_RECEIVER_PORT, PEER_WEBHOOK_SECRETS ({agentId: secret} as JSON),
// TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import Koa from 'koa';
import { forwarderId, runEventSignal, WEBHOOK_PEER_TASK_QUEUE } from './api.js';

const MAX_BODY_BYTES = 64 * 1024;
const TERMINAL_EVENTS = new Set(['run.completed', 'run.failed', 'run.stopped']);

async function rawBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface Delivery {
  event?: unknown;
  data?: { run_id?: unknown; status?: unknown };
}

async function main(): Promise<void> {
  const secrets = new Map(Object.entries(JSON.parse(process.env.PEER_WEBHOOK_SECRETS ?? '{}') as object));
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/healthz') return void (ctx.status = 204);
    const agentId = /^\/webhooks\/([^/]+)$/.exec(ctx.path)?.[1];
    const secret = agentId === undefined ? undefined : secrets.get(decodeURIComponent(agentId));
    if (ctx.method !== 'POST' || typeof secret !== 'string') return void (ctx.status = 404);
    const body = await rawBody(ctx.req);
    if (!body) return void (ctx.status = 413);
    if (!signatureMatches(secret, body, ctx.get('x-cobb-signature') || undefined))
      return void (ctx.status = 401);
    let delivery: Delivery;
    try {
      delivery = JSON.parse(body.toString('utf8')) as Delivery;
    } catch {
      return void (ctx.status = 400);
    }
    const { event, data } = delivery;
    if (typeof event !== 'string' || typeof data?.run_id !== 'string') return void (ctx.status = 400);
    // Only a run's end moves a pipeline; anything else is acknowledged and forgotten.
    if (!TERMINAL_EVENTS.has(event)) return void (ctx.status = 204);
    try {
      await client.workflow.signalWithStart('runForwarder', {
        workflowId: forwarderId(data.run_id),
        taskQueue: WEBHOOK_PEER_TASK_QUEUE,
        args: [{ runId: data.run_id }],
        signal: runEventSignal,
        signalArgs: [{ event, status: String(data.status) }],
        // A forwarder that already closed has forwarded: a late duplicate must not start one that waits forever.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    ctx.status = 204;
  });
  const server = app.listen(Number(process.env.PEER_RECEIVER_PORT), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    void connection.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
