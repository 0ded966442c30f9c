// End to end, the way a real deployment is wired: the emulator (a faithful Twin) delivers real signed
// webhooks to the receiver listening on 127.0.0.1:0, the signing secret reaches the receiver through the
// secrets file the CLI writes (picked up without a restart), and each run event is in Temporal exactly once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiverApp } from '../../services/receiver/app.js';
import { createTemporalHandoff } from '../../services/receiver/handoff.js';
import {
  EMPTY_SECRETS_FILE,
  withWebhookEntry,
  writeSecretsFile,
} from '../../services/shared/secrets-file.js';
import { SigningSecrets } from '../../services/receiver/secrets.js';
import { loadConfig } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import { WEBHOOK_EVENTS } from '../../providers/twin/vocabulary/run-status.js';
import { EmulatorControl } from '../../providers/twin/emulator/control-client.js';
import { startEmulator, type RunningEmulator } from '../../providers/twin/emulator/server.js';
import {
  runTrackerStateQuery,
  runTrackerWorkflowId,
  type RunTrackerState,
} from '../../providers/twin/workflows/run-tracker-api.js';
import {
  eventually,
  listenOnEphemeralPort,
  startTrackerWorkers,
  type Listening,
  type TrackerWorkers,
} from '../support/receiver.js';
import { connectTemporal, uniqueTaskQueue, type TemporalTestContext } from '../support/temporal.js';

let temporal: TemporalTestContext;
let workers: TrackerWorkers;
let emulator: RunningEmulator;
let control: EmulatorControl;
let receiver: Listening;
let secrets: SigningSecrets;
let secretsDir: string;
let apiKey: string;
let agentId: string;

/** A Twin API call with the emulator's API key, as the CLI or the worker would make it. */
async function twin<T>(method: string, apiPath: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emulator.url}${apiPath}`, {
    method,
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${apiPath} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function startRun(): Promise<string> {
  // The live gateway (and the documented emulator) refuses a start without an explicit run_mode.
  return (await twin<{ run: { run_id: string } }>('POST', `/v1/agents/${agentId}/runs`, { run_mode: 'run' }))
    .run.run_id;
}

async function trackerState(runId: string): Promise<RunTrackerState | undefined> {
  try {
    return await temporal.client.workflow.getHandle(runTrackerWorkflowId(runId)).query(runTrackerStateQuery);
  } catch {
    return undefined;
  }
}

async function settledState(runId: string): Promise<RunTrackerState> {
  await expect.poll(async () => (await trackerState(runId))?.status, { timeout: 30_000 }).toBe('completed');
  return (await trackerState(runId))!;
}

beforeAll(async () => {
  temporal = await connectTemporal();
  const taskQueue = uniqueTaskQueue('receiver-e2e');
  workers = await startTrackerWorkers(temporal, taskQueue);
  emulator = await startEmulator({ port: 0, profile: 'documented', webhookRetry: { baseDelayMs: 100 } });
  control = new EmulatorControl(emulator.url);
  apiKey = (await control.createApiKey()).api_key;
  agentId = (await control.createAgent({ deployed: true, script: [{ result: 'never' }] })).agent_id;

  // The receiver starts with no secret at all, like a fresh install before `twinflow webhooks register`.
  secretsDir = await mkdtemp(path.join(tmpdir(), 'twinflow-e2e-'));
  const filePath = path.join(secretsDir, 'webhook-secrets.json');
  const logger = createLogger('receiver-test', 'silent');
  secrets = await SigningSecrets.load({ envSecrets: [], filePath, logger, watchIntervalMs: 50 });
  secrets.watch();
  const handoff = createTemporalHandoff({ client: temporal.client, taskQueue });
  receiver = await listenOnEphemeralPort(
    createReceiverApp({ config: loadConfig({}), secrets, handoff, logger }).callback(),
  );

  // What the CLI does when it registers the webhook: Twin returns the secret once, the CLI stores it.
  const url = `${receiver.url}/webhooks/twin`;
  const hook = await twin<{ webhook_id: string; signing_secret: string; created_at: string }>(
    'POST',
    `/v1/agents/${agentId}/webhooks`,
    {
      url,
      events: WEBHOOK_EVENTS,
    },
  );
  const entry = {
    webhook_id: hook.webhook_id,
    agent_id: agentId,
    url,
    signing_secret: hook.signing_secret,
    created_at: hook.created_at,
  };
  await writeSecretsFile(filePath, withWebhookEntry(EMPTY_SECRETS_FILE, entry));
  await eventually('the receiver picked up the new secret', () => secrets.keys().length === 1);
});

afterAll(async () => {
  secrets?.close();
  await emulator?.close();
  await receiver?.close();
  await workers?.stop();
  await temporal?.close();
  if (secretsDir) await rm(secretsDir, { recursive: true, force: true });
});

describe('the emulator delivering to the receiver', () => {
  it('puts run.started of a new run into its tracker', async () => {
    const runId = await startRun();
    await expect
      .poll(async () => (await trackerState(runId))?.applied.map((o) => o.status), { timeout: 30_000 })
      .toEqual(['in_progress']);
  });

  it('records the run from start to completion with each event exactly once', async () => {
    const runId = await startRun();
    await expect
      .poll(async () => (await trackerState(runId))?.status, { timeout: 30_000 })
      .toBe('in_progress');
    await control.moveRun(runId, 'complete', { outcome: 'partial' });
    const state = await settledState(runId);
    expect(state.applied.map((o) => [o.status, o.source])).toEqual([
      ['in_progress', 'webhook'],
      ['completed', 'webhook'],
    ]);
    expect(state.final?.outcome).toBe('partial');
  });

  it('had every delivery answered 2xx on its first attempt', async () => {
    const runId = await startRun();
    await control.moveRun(runId, 'complete');
    await settledState(runId);
    await expect.poll(async () => (await control.deliveries({ run_id: runId })).length).toBe(2);
    // The log is in the order the answers came back, and the run.started delivery (which creates the tracker)
    // may be answered after run.completed: the order is not what this specifies.
    const deliveries = (await control.deliveries({ run_id: runId })).sort((a, b) =>
      a.event.localeCompare(b.event),
    );
    expect(deliveries.map((d) => [d.event, d.attempt, d.delivered, d.http_status])).toEqual([
      ['run.completed', 1, true, 200],
      ['run.started', 1, true, 200],
    ]);
  });
});

describe('the emulator duplicating and reordering every delivery', () => {
  beforeAll(async () => {
    await control.setFaults({ seed: 7, webhooks: { duplicateRate: 1, reorder: true, reorderWindowMs: 200 } });
  });
  afterAll(async () => {
    await control.setFaults({});
  });

  it('still leaves each event in the tracker exactly once', async () => {
    const runId = await startRun();
    await control.moveRun(runId, 'complete');
    const state = await settledState(runId);
    await expect
      .poll(async () => (await control.deliveries({ run_id: runId })).filter((d) => d.delivered).length)
      .toBe(4);
    const after = await trackerState(runId);
    expect(after?.applied.filter((o) => o.status === 'completed')).toHaveLength(1);
    expect(after?.applied.length).toBe(state.applied.length);
  });
});
