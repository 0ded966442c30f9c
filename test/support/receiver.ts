// Helpers for the receiver's tests: an independent signer (tests must not reuse the verifier's own code),
// exact-bytes HTTP over raw sockets for what fetch and node:http refuse to send, and the tracker's workers
// with small real activities.
import { createHmac, randomUUID } from 'node:crypto';
import {
  request as httpRequest,
  createServer,
  type IncomingHttpHeaders,
  type RequestListener,
  type Server,
} from 'node:http';
import { connect } from 'node:net';
import { expect } from 'vitest';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { RunObservation, WebhookEventType } from '../../providers/twin/vocabulary/run-status.js';
import { createTestWorker, type TemporalTestContext } from './temporal.js';
import { INTERNAL_TASK_QUEUE_SUFFIX } from '../../workflows/internal-queue.js';

export function sign(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookBodyOptions {
  event?: WebhookEventType | string;
  runId?: string;
  agentId?: string;
  timestamp?: string;
  outcome?: string;
}

const STATUS_WORD: Record<string, string> = {
  'run.started': 'in_progress',
  'run.paused': 'paused',
  'run.completed': 'completed',
  'run.failed': 'error',
  'run.stopped': 'stopped',
};

/** A Twin-shaped webhook body, serialised the way Twin does (compact JSON). */
export function webhookBody(options: WebhookBodyOptions = {}): string {
  const event = options.event ?? 'run.started';
  const timestamp = options.timestamp ?? new Date().toISOString();
  const terminal = event === 'run.completed' || event === 'run.failed' || event === 'run.stopped';
  return JSON.stringify({
    event,
    timestamp,
    data: {
      run_id: options.runId ?? uniqueRunId(),
      agent_id: options.agentId ?? 'agent_test',
      status: STATUS_WORD[event] ?? 'in_progress',
      ...(event === 'run.completed' && { outcome: options.outcome ?? 'success' }),
      ...(terminal && { finished_at: timestamp }),
    },
  });
}

export function uniqueRunId(): string {
  return `run_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export function json<T = Record<string, unknown>>(answer: HttpAnswer): T {
  return JSON.parse(answer.body) as T;
}

/** Asserts an RFC 9457 problem+json answer with this status. */
export function expectProblem(answer: HttpAnswer, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(json(answer)).toMatchObject({
    type: 'about:blank',
    status,
    title: expect.any(String),
    detail: expect.any(String),
  });
}

/** Whether Temporal has (or had) a workflow with this ID: "never reached the hand-off" is checked there. */
export async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

export interface Listening {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function listenOnEphemeralPort(listener: RequestListener): Promise<Listening> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('server has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** node:http, so header arrays go out as repeated header lines and the body bytes go out unchanged. */
export async function send(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: string | Uint8Array } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface SignedDelivery {
  secret: string;
  body: string | Uint8Array;
  headers?: Record<string, string | string[]>;
}

/** A delivery as Twin sends it: JSON, signed, with X-Cobb-Event taken from the body. */
export async function deliver(
  url: string,
  { secret, body, headers = {} }: SignedDelivery,
): Promise<HttpAnswer> {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const event = (JSON.parse(text) as { event: string }).event;
  return send(url, {
    headers: {
      'Content-Type': 'application/json',
      'X-Cobb-Signature': sign(secret, body),
      'X-Cobb-Event': event,
      ...headers,
    },
    body,
  });
}

/**
 * Writes exactly `head` (request line and header lines, no trailing blank line) and `body`, then parses the
 * answer. For bytes no client library would send: non-ASCII header bytes, chunked bodies with no length.
 */
export async function sendRaw(
  url: string,
  head: string[],
  body: Uint8Array = new Uint8Array(),
  chunked = false,
): Promise<HttpAnswer> {
  const { hostname, port } = new URL(url);
  const lines = [...head, `Host: ${hostname}:${port}`, 'Connection: close'];
  lines.push(chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`);
  const payload = chunked
    ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')])
    : Buffer.from(body);
  const request = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    // No half-close: Node's server aborts a request whose client ends its side before the answer is out.
    const socket = connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    // The server may answer and close before reading all of an oversized body: keep what arrived.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      chunks.length > 0 ? resolve(Buffer.concat(chunks)) : reject(error),
    );
  });
  return parseRawAnswer(raw);
}

function parseRawAnswer(raw: Buffer): HttpAnswer {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const headers: IncomingHttpHeaders = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8') };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    const size = parseInt(body.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!size) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

export interface TrackerWorkers {
  /** Every `evaluateTriggers` call the trackers made, in order. */
  triggerCalls: Array<{ observation: RunObservation; sourceWorkflowId: string }>;
  stop(): Promise<void>;
}

/**
 * The run tracker needs `pollRun` and `readRunResult` on its own task queue, `evaluateTriggers` on `<tq>-internal`
 * and `pollRun` on `<tq>-twin-poll`. Small real implementations: triggers are recorded, polling finds nothing (Twin does not know
 * the run), and the run produced no output.
 */
export async function startTrackerWorkers(
  context: TemporalTestContext,
  taskQueue: string,
): Promise<TrackerWorkers> {
  const triggerCalls: TrackerWorkers['triggerCalls'] = [];
  const triggers = {
    async evaluateTriggers(input: { observation: RunObservation; sourceWorkflowId: string }) {
      triggerCalls.push(input);
    },
  };
  const workers: Worker[] = [
    // As in the worker (services/worker/worker.ts), the main queue also has the internal queue's activities: the
    // tracker evaluates triggers as a local activity, and histories from before that on the internal queue.
    await createTestWorker(context, {
      taskQueue,
      activities: {
        pollRun: async () => null,
        readRunResult: async () => ({ eventsRead: 0, eventsTruncated: false }),
        ...triggers,
      },
    }),
    await createTestWorker(context, {
      taskQueue: `${taskQueue}${INTERNAL_TASK_QUEUE_SUFFIX}`,
      activities: triggers,
    }),
    await createTestWorker(context, {
      taskQueue: `${taskQueue}-twin-poll`,
      activities: { pollRun: async () => null },
    }),
  ];
  const running = workers.map((worker) => worker.run());
  return {
    triggerCalls,
    async stop() {
      for (const worker of workers) worker.shutdown();
      await Promise.all(running);
    },
  };
}

/** Waits for a condition outside a test body (hooks cannot use expect.poll); fails with `what` if it never holds. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
