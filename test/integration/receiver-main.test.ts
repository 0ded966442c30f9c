// The receiver as a process (services/receiver/main.ts): it starts from the environment, says where it
// listens, and on SIGTERM lets an in-flight delivery finish its hand-off before it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { EXIT_CONFIG } from '../../services/shared/exit-codes.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import { runTrackerWorkflowId } from '../../providers/twin/workflows/run-tracker-api.js';
import { send, sign, uniqueRunId, webhookBody } from '../support/receiver.js';
import { connectTemporal, uniqueTaskQueue, type TemporalTestContext } from '../support/temporal.js';

const SECRET = 'whsec_receiver_main_test';
const MAIN = path.join(PROJECT_ROOT, 'services/receiver/main.ts');

interface ReceiverProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: string[];
  /** Resolves with the first log line that has this message. */
  logged(msg: string): Promise<Record<string, unknown>>;
}

function spawnReceiver(env: Record<string, string>): ReceiverProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      RECEIVER_HOST: '127.0.0.1',
      RECEIVER_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.msg === line.msg)) waiter.resolve(line);
  });
  createInterface({ input: child.stderr! }).on('line', (text) => stderr.push(text));
  return {
    child,
    lines,
    stderr,
    logged: (msg) => {
      const seen = lines.find((l) => l.msg === msg);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ msg, resolve }));
    },
  };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

/** Collects what a raw socket receives; `until` resolves once `marker` has arrived (the socket stays open). */
function reader(socket: Socket): { until(marker: string): Promise<string> } {
  let text = '';
  const waiters: Array<{ marker: string; resolve: (text: string) => void }> = [];
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const waiter of waiters.filter((w) => text.includes(w.marker))) waiter.resolve(text);
  });
  return {
    until: (marker) =>
      text.includes(marker)
        ? Promise.resolve(text)
        : new Promise((resolve) => waiters.push({ marker, resolve })),
  };
}

const CONTROL_TOKEN = 'control-token-for-the-receiver-process-test';

describe('the receiver process', () => {
  let temporal: TemporalTestContext;
  let receiver: ReceiverProcess;
  let baseUrl: string;
  const taskQueue = uniqueTaskQueue('receiver-main');

  beforeAll(async () => {
    temporal = await connectTemporal();
    receiver = spawnReceiver({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WEBHOOK_SIGNING_SECRETS: SECRET,
      WEBHOOK_SECRETS_FILE: path.join(PROJECT_ROOT, '.data/test', `no-such-secrets-${taskQueue}.json`),
      // Longer than the dev server's 7-day retention, so the start-up check has something to warn about.
      WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS: String(30 * 24 * 3600),
      CONTROL_API_TOKEN: CONTROL_TOKEN,
      LOG_LEVEL: 'info',
    });
    baseUrl = String((await receiver.logged('receiver listening')).url);
  });

  afterAll(async () => {
    if (receiver?.child.exitCode === null) receiver.child.kill('SIGKILL');
    await temporal?.close();
  });

  it('answers /healthz on the address it logged', async () => {
    expect((await send(`${baseUrl}/healthz`, { method: 'GET' })).status).toBe(200);
  });

  it('reports ready while Temporal is reachable', async () => {
    expect((await send(`${baseUrl}/readyz`, { method: 'GET' })).status).toBe(200);
  });

  it('warns when the namespace keeps closed trackers for less time than the replay window', async () => {
    const warning = await receiver.logged(
      'namespace retention is shorter than WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS: a late duplicate of a long-settled run would be recorded again (see docs/webhooks.md)',
    );
    expect(warning).toMatchObject({ retentionSeconds: 7 * 24 * 3600, toleranceSeconds: 30 * 24 * 3600 });
  });

  it('serves the control API with the registered pipelines to a caller with the token', async () => {
    const response = await fetch(`${baseUrl}/api/pipelines`, {
      headers: { authorization: `Bearer ${CONTROL_TOKEN}` },
    });
    expect(response.status).toBe(200);
    const { pipelines } = (await response.json()) as { pipelines: { name: string }[] };
    expect(pipelines.map((p) => p.name)).toContain('nightly-digest');
  });

  it('refuses the control API without the token', async () => {
    expect((await fetch(`${baseUrl}/api/pipelines`)).status).toBe(401);
  });

  it('finishes a delivery in flight at SIGTERM, answers it 200, and exits 0', async () => {
    const runId = uniqueRunId();
    const body = Buffer.from(webhookBody({ runId }));
    const { port } = new URL(baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    const received = reader(socket);
    socket.write(
      [
        'POST /webhooks/twin HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Content-Type: application/json',
        `X-Cobb-Signature: ${sign(SECRET, body)}`,
        `Content-Length: ${body.length}`,
        'Expect: 100-continue',
        '',
        '',
      ].join('\r\n'),
    );
    // "100 Continue" proves the server has parsed the request: it is in flight from here on.
    await received.until('100 Continue');
    receiver.child.kill('SIGTERM');
    await receiver.logged('shutting down: finishing in-flight deliveries');
    socket.write(body);
    const answer = await received.until('"status":"delivered"');
    socket.destroy();

    expect(answer).toMatch(/HTTP\/1\.1 200 OK/);
    expect(await exitCode(receiver.child)).toBe(0);
    const description = await temporal.client.workflow.getHandle(runTrackerWorkflowId(runId)).describe();
    expect(description.status.name).toBe('RUNNING');
  });
});

describe('a receiver with an empty signing secret configured', () => {
  it('refuses to start with EXIT_CONFIG, naming the variable but no secret', async () => {
    const receiver = spawnReceiver({ WEBHOOK_SIGNING_SECRETS: 'whsec_first,,whsec_third' });
    expect(await exitCode(receiver.child)).toBe(EXIT_CONFIG);
    const stderr = receiver.stderr.join('\n');
    expect(stderr).toContain('WEBHOOK_SIGNING_SECRETS');
    expect(stderr).not.toMatch(/whsec_first|whsec_third/);
  });
});
