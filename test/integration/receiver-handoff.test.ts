// The hand-off to Temporal: a delivery lands in the run's tracker `twin-run/<run_id>` (created by the
// webhook if nobody else did), duplicates and out-of-order events change nothing, a delivery for a tracker
// that already closed is a late duplicate, and no secret ever reaches workflow history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiverApp } from '../../services/receiver/app.js';
import { createTemporalHandoff } from '../../services/receiver/handoff.js';
import { SigningSecrets } from '../../services/receiver/secrets.js';
import { loadConfig } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import {
  observeRunSignal,
  type RunTrackerState,
  runTrackerStateQuery,
  runTrackerWorkflowId,
} from '../../providers/twin/workflows/run-tracker-api.js';
import { runTrackerWorkflow } from '../../providers/twin/workflows/run-tracker.js';
import {
  deliver,
  json,
  listenOnEphemeralPort,
  send,
  startTrackerWorkers,
  uniqueRunId,
  webhookBody,
  type Listening,
  type TrackerWorkers,
} from '../support/receiver.js';
import { connectTemporal, uniqueTaskQueue, type TemporalTestContext } from '../support/temporal.js';

const SECRET = 'whsec_receiver_handoff_test';

let temporal: TemporalTestContext;
let workers: TrackerWorkers;
let receiver: Listening;
let url: string;
let taskQueue: string;

beforeAll(async () => {
  temporal = await connectTemporal();
  taskQueue = uniqueTaskQueue('receiver-handoff');
  workers = await startTrackerWorkers(temporal, taskQueue);
  const config = loadConfig({ WEBHOOK_HANDOFF_TIMEOUT_MS: '15000' });
  const logger = createLogger('receiver-test', 'silent');
  const secrets = await SigningSecrets.load({ envSecrets: [SECRET], logger });
  const handoff = createTemporalHandoff({ client: temporal.client, taskQueue });
  receiver = await listenOnEphemeralPort(createReceiverApp({ config, secrets, handoff, logger }).callback());
  url = `${receiver.url}/webhooks/twin`;
});

afterAll(async () => {
  await receiver?.close();
  await workers?.stop();
  await temporal?.close();
});

const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();

async function deliverEvent(runId: string, event: string, timestamp = at(0)): Promise<void> {
  const answer = await deliver(url, {
    secret: SECRET,
    body: webhookBody({ runId, event, timestamp, agentId: 'agent_handoff' }),
  });
  expect(answer.status).toBe(200);
}

async function trackerState(runId: string): Promise<RunTrackerState> {
  return temporal.client.workflow.getHandle(runTrackerWorkflowId(runId)).query(runTrackerStateQuery);
}

async function metricsText(): Promise<string> {
  return (await send(`${receiver.url}/metrics`, { method: 'GET' })).body;
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('handing a delivery to Temporal', () => {
  it('creates the tracker twin-run/<run_id> for a run twinflow did not start', async () => {
    const runId = uniqueRunId();
    await deliverEvent(runId, 'run.started');
    const description = await temporal.client.workflow.getHandle(runTrackerWorkflowId(runId)).describe();
    expect(description.type).toBe('runTrackerWorkflow');
    expect(description.taskQueue).toBe(taskQueue);
  });

  it('records the event in the tracker as a normalised observation', async () => {
    const runId = uniqueRunId();
    const timestamp = at(5);
    await deliverEvent(runId, 'run.started', timestamp);
    const state = await trackerState(runId);
    expect(state).toMatchObject({ runId, agentId: 'agent_handoff', status: 'in_progress' });
    expect(state.applied).toEqual([
      { runId, agentId: 'agent_handoff', status: 'in_progress', observedAt: timestamp, source: 'webhook' },
    ]);
  });

  it('leaves the applied list unchanged for a duplicate delivery', async () => {
    const runId = uniqueRunId();
    await deliverEvent(runId, 'run.started', at(10));
    const before = await trackerState(runId);
    await deliverEvent(runId, 'run.started', at(5));
    const after = await trackerState(runId);
    expect(after.applied).toEqual(before.applied);
    expect(after.ignored).toBe(1);
  });

  it('ends terminal when run.completed arrives before run.started', async () => {
    const runId = uniqueRunId();
    await deliverEvent(runId, 'run.completed', at(1));
    await deliverEvent(runId, 'run.started', at(30));
    const state = await trackerState(runId);
    expect(state.status).toBe('completed');
    expect(state.applied.map((o) => o.status)).toEqual(['completed']);
  });

  it('never moves a run back from paused to an earlier run.started', async () => {
    const runId = uniqueRunId();
    await deliverEvent(runId, 'run.paused', at(10));
    await deliverEvent(runId, 'run.started', at(20));
    expect((await trackerState(runId)).status).toBe('paused');
  });

  it('evaluates triggers once for a run that settled, however often the end is delivered', async () => {
    const runId = uniqueRunId();
    const body = webhookBody({ runId, event: 'run.failed', agentId: 'agent_handoff' });
    for (let i = 0; i < 3; i++) expect((await deliver(url, { secret: SECRET, body })).status).toBe(200);
    await expect.poll(() => workers.triggerCalls.filter((c) => c.observation.runId === runId).length).toBe(1);
    expect((await trackerState(runId)).triggersEvaluated).toBe(true);
  });

  it('keeps every signing secret out of the workflow history', async () => {
    const runId = uniqueRunId();
    await deliverEvent(runId, 'run.started');
    await deliverEvent(runId, 'run.completed');
    const history = await temporal.client.workflow.getHandle(runTrackerWorkflowId(runId)).fetchHistory();
    const text = JSON.stringify(history);
    expect(text).toContain(runId);
    expect(text).not.toContain(SECRET);
  });
});

describe('a delivery for a run whose tracker already closed', () => {
  async function closedTracker(runId: string): Promise<void> {
    const handle = await temporal.client.workflow.start(runTrackerWorkflow, {
      workflowId: runTrackerWorkflowId(runId),
      taskQueue,
      args: [{ runId, agentId: 'agent_handoff', graceMs: 10 }],
    });
    await handle.signal(observeRunSignal, {
      runId,
      agentId: 'agent_handoff',
      status: 'completed',
      observedAt: at(60),
      source: 'poll',
    });
    await handle.result();
  }

  it('is answered 200 as a duplicate, with nothing left to do', async () => {
    const runId = uniqueRunId();
    await closedTracker(runId);
    const answer = await deliver(url, {
      secret: SECRET,
      body: webhookBody({ runId, event: 'run.completed' }),
    });
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ status: 'duplicate', event: 'run.completed', run_id: runId });
  });

  it('does not start a second tracker', async () => {
    const runId = uniqueRunId();
    await closedTracker(runId);
    await deliver(url, { secret: SECRET, body: webhookBody({ runId, event: 'run.completed' }) });
    const description = await temporal.client.workflow.getHandle(runTrackerWorkflowId(runId)).describe();
    expect(description.status.name).toBe('COMPLETED');
  });

  it('is counted as a duplicate in the metrics', async () => {
    const series = 'twinflow_receiver_deliveries_total{event="run.stopped",result="duplicate"}';
    const before = metricValue(await metricsText(), series);
    const runId = uniqueRunId();
    await closedTracker(runId);
    await deliver(url, { secret: SECRET, body: webhookBody({ runId, event: 'run.stopped' }) });
    expect(metricValue(await metricsText(), series)).toBe(before + 1);
  });
});

describe('metrics', () => {
  it('count deliveries by event and result', async () => {
    const series = 'twinflow_receiver_deliveries_total{event="run.paused",result="delivered"}';
    const before = metricValue(await metricsText(), series);
    await deliverEvent(uniqueRunId(), 'run.paused');
    expect(metricValue(await metricsText(), series)).toBe(before + 1);
  });

  it('count verification failures by reason', async () => {
    const series = 'twinflow_receiver_verification_failures_total{reason="signature_mismatch"}';
    const before = metricValue(await metricsText(), series);
    await deliver(url, { secret: 'not-the-secret', body: webhookBody() });
    expect(metricValue(await metricsText(), series)).toBe(before + 1);
  });

  it('observe delivery latency in a histogram', async () => {
    await deliverEvent(uniqueRunId(), 'run.started');
    const text = await metricsText();
    expect(
      metricValue(text, 'twinflow_receiver_delivery_duration_seconds_count{result="delivered"}'),
    ).toBeGreaterThan(0);
  });

  it('are served in the Prometheus text format', async () => {
    const answer = await send(`${receiver.url}/metrics`, { method: 'GET' });
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(answer.body).toContain('# TYPE twinflow_receiver_handoff_errors_total counter');
  });
});
