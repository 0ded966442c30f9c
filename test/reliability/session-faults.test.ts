// Managed-agent sessions followed through a real worker process that is killed with SIGKILL mid-stream and started
// again, while some streams are also cut, re-sent and doubled. The follow activity's heartbeat holds the last
// recorded event; the attempt that takes over resumes the stream after it. Every step must count exactly the
// events its session's log holds (none lost, none twice) and end with the session's own last event and output.
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { startPipeline, type ControlDeps } from '../../services/control/pipelines.js';
import type { pipelineWorkflow as PipelineWorkflow } from '../../workflows/pipeline.js';
import { createPipelineRegistry } from '../../services/pipelines/registry.js';
import { freePort } from '../../services/shared/processes.js';
import { EmulatorControl } from '../../providers/twin/emulator/control-client.js';
import { startEmulator, type RunningEmulator } from '../../providers/twin/emulator/server.js';
import {
  startManagedAgentsEmulator,
  type ManagedAgentsEmulator,
} from '../../providers/managed-agents/emulator/server.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { publishSection } from '../support/chaos-report.js';
import { startService, WORKER_MAIN, type ServiceProcess } from '../support/chaos-processes.js';
import { uniqueTaskQueue } from '../support/temporal.js';
import { eventually } from '../support/twinflow-stack.js';

const SESSIONS = 6;
const EVENTS_PER_SESSION = 60;
const EVENT_INTERVAL_MS = 100;
/** Sessions whose streams are also cut (twice, after 15 events), re-sent on reconnect and doubled. */
const CUT_SESSIONS = 3;

const pipeline = definePipeline({
  name: 'session-faults',
  steps: [{ id: 'follow', kind: 'session', agent: '{{input.agent}}', message: 'Session {{input.n}}' }],
});

interface Outcome {
  sessionId: string;
  logEvents: number;
  counted: number;
  lastEventMatches: boolean;
  resumedAfter: boolean;
  cuts: number;
}

let dir: string;
let twin: RunningEmulator;
let platform: ManagedAgentsEmulator;
let worker: ServiceProcess;
let connection: Connection;
let control: ControlDeps;
const outcomes: Outcome[] = [];
let killedMidStream = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'twinflow-session-faults-'));
  twin = await startEmulator({ port: 0 });
  const { api_key: twinKey } = await new EmulatorControl(twin.url).createApiKey();
  platform = await startManagedAgentsEmulator();
  const address = inject('temporalAddress');
  const taskQueue = uniqueTaskQueue('session-faults');
  worker = await startService({
    name: 'worker',
    script: WORKER_MAIN,
    logFile: path.join(dir, 'worker.log'),
    readyMessage: 'workers running',
    env: {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'info',
      TWIN_API_BASE_URL: twin.url,
      TWIN_API_KEY: twinKey,
      MANAGED_AGENTS_BASE_URL: platform.url,
      MANAGED_AGENTS_API_KEY: platform.apiKey,
      WORKER_METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: String(await freePort()),
    },
  });
  connection = await Connection.connect({ address });
  control = { client: new Client({ connection }), registry: createPipelineRegistry([pipeline]), taskQueue };

  const events = Array.from({ length: EVENTS_PER_SESSION }, (_, i) => ({ type: 'progress', data: { i } }));
  const agents = Array.from({ length: SESSIONS }, (_, n) => {
    const { id } = platform.createAgent({ name: `kill ${n}` }, [{ events, intervalMs: EVENT_INTERVAL_MS }]);
    if (n < CUT_SESSIONS) {
      platform.setStreamFaults(id, { cutAfterEvents: 15, cuts: 2, resendOnReconnect: 4, duplicateEvery: 5 });
    }
    return id;
  });
  const keys = await Promise.all(
    agents.map(async (agent, n) => {
      const key = `session-faults-${n}-${Date.now()}`;
      const { workflowId } = await startPipeline(control, {
        name: pipeline.name,
        input: { agent, n },
        idempotencyKey: key,
      });
      return workflowId;
    }),
  );
  // Mid-stream, past the first heartbeats: every session has a stream open and a good part of its log written.
  await eventually(
    'every session to be streaming',
    async () => {
      const streaming = agents.filter((a) => {
        const truth = platform.sessionsOf(a)[0];
        return truth?.connections.length && truth.events.length >= EVENTS_PER_SESSION / 2;
      });
      return streaming.length === SESSIONS ? true : undefined;
    },
    60_000,
  );
  await worker.kill9();
  killedMidStream = agents.filter((a) => platform.sessionsOf(a)[0]?.meta.status === 'running').length;
  await worker.restart();
  for (const [n, workflowId] of keys.entries()) {
    // The result, not a query: queries fail while no worker is up to answer them.
    const state = await control.client.workflow.getHandle<typeof PipelineWorkflow>(workflowId).result();
    const step = state.steps.find((s) => s.id === 'follow');
    const truth = platform.sessionsOf(agents[n] as string)[0];
    if (!truth || !step) throw new Error(`pipeline ${n}: no session or no step`);
    outcomes.push({
      sessionId: truth.meta.id,
      logEvents: truth.events.length,
      counted: step.eventCount ?? -1,
      lastEventMatches: step.lastEventId === truth.events.at(-1)?.id,
      resumedAfter: truth.connections.some((c, i) => i > 0 && c.after !== undefined),
      cuts: truth.connections.filter((c) => c.cut).length,
    });
  }
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await platform?.close();
  await twin?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kill -9 of the worker while it follows sessions', () => {
  it('killed the worker while sessions were still running', () => {
    expect(killedMidStream).toBeGreaterThan(0);
  });

  it('resumed each stream after a recorded event, not from the start', () => {
    expect(outcomes.filter((o) => o.resumedAfter)).toHaveLength(SESSIONS);
  });

  it('counted every event of every session exactly once', () => {
    expect(outcomes.map((o) => o.counted)).toEqual(outcomes.map((o) => o.logEvents));
    expect(outcomes.every((o) => o.lastEventMatches)).toBe(true);
  });

  it('publishes its figures', async () => {
    const lost = outcomes.reduce((sum, o) => sum + Math.max(0, o.logEvents - o.counted), 0);
    const twice = outcomes.reduce((sum, o) => sum + Math.max(0, o.counted - o.logEvents), 0);
    await publishSection('session-faults', {
      title: 'Managed-agent sessions: worker killed mid-stream, streams cut',
      summary:
        `${SESSIONS} session steps (${EVENTS_PER_SESSION} events each, one every ${EVENT_INTERVAL_MS} ms) followed by a real worker process ` +
        `(\`services/worker/main.ts\`) that is killed with SIGKILL while every stream is open and started again; ${CUT_SESSIONS} of the ` +
        'sessions also have their stream cut twice, events re-sent on reconnect and every fifth event doubled. Events are compared ' +
        "with each session's full log on the emulator.",
      rows: [
        ['sessions', SESSIONS],
        ['worker kills mid-stream', 1],
        ['sessions running when the worker was killed', killedMidStream],
        ['stream cuts', outcomes.reduce((sum, o) => sum + o.cuts, 0)],
        ['events in the sessions’ logs', outcomes.reduce((sum, o) => sum + o.logEvents, 0)],
        ['events lost', lost],
        ['events counted twice', twice],
      ],
    });
    expect(lost + twice).toBe(0);
  });
});
