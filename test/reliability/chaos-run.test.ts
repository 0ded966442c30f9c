// The chaos run: 200 pipelines through the real receiver and worker while the emulator drops 5 % of webhooks,
// duplicates 5 %, delays and reorders the rest, answers 2 % of API calls 429 (with Retry-After) or 500, and
// answers 1 % so late that the worker's call times out after Twin already acted. Afterwards every promise is
// checked from the outside: final states against the agents' scripts, Twin's own run list, Temporal's
// histories, and every log line written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditPipelines,
  auditRuns,
  deliveryFigures,
  fetchHistories,
  findLeaks,
  lostWebhooks,
  trackerObservations,
  startPlannedPipelines,
  waitForPipelines,
  type DeliveryFigures,
  type Leak,
  type LogText,
  type PipelineAudit,
  type RunAudit,
} from '../support/chaos-evidence.js';
import { historyText } from '../support/history.js';
import { expectedRunCount } from '../support/chaos-pipelines.js';
import { publishSection } from '../support/chaos-report.js';
import { startChaosStack, type ApiCallCounts, type ChaosStack } from '../support/chaos-stack.js';
import { allSigningSecrets, issueFaults } from '../support/chaos-twin.js';

const PIPELINES = 200;
const RUN_DURATION_MS = 30;
const FAULT_SEED = 2_024;
/** Past this the worker's Twin call gives up; a slow answer is performed by Twin and only arrives later. */
const CLIENT_TIMEOUT_MS = 2_000;

let stack: ChaosStack;
let pipelines: PipelineAudit;
let runs: RunAudit;
let deliveries: DeliveryFigures;
let lost: string[];
let historyLeaks: Leak[];
let logLeaks: Leak[];
let historiesScanned = 0;
let logBytesScanned = 0;
let apiCalls: ApiCallCounts;
let loadSeconds = 0;

/** The load and every audit that needs the stack running; the logs are read once it has stopped. */
async function runTheChaos(): Promise<void> {
  const { control, plan } = stack.twin;
  const faults = issueFaults(FAULT_SEED);
  await control.setFaults({
    ...faults,
    api: { ...faults.api, slowRate: 0.01, slowMs: CLIENT_TIMEOUT_MS + 500 },
  });

  const started = Date.now();
  await startPlannedPipelines(stack.controlDeps, plan);
  await waitForPipelines(stack.temporal.client, plan, 360_000);
  loadSeconds = (Date.now() - started) / 1000;
  await control.setFaults({});

  pipelines = await auditPipelines(stack.controlDeps, plan);
  runs = await auditRuns(control, plan);
  // The delivery log first, then the histories: whatever the log calls accepted is already in Temporal.
  const log = await control.deliveries();
  deliveries = deliveryFigures(log);
  const histories = await fetchHistories(stack.temporal.client, stack.config.TEMPORAL_TASK_QUEUE);
  historiesScanned = histories.length;
  lost = lostWebhooks(log, trackerObservations(histories));
  historyLeaks = findLeaks(
    histories.map((h) => ({ where: `history of ${h.workflowId}`, text: historyText(h.history) })),
    secrets(),
  );
  apiCalls = stack.apiCalls;
}

const secrets = () => [stack.twin.apiKey, ...allSigningSecrets(stack.twin)];

beforeAll(async () => {
  stack = await startChaosStack({
    prefix: 'chaos',
    pipelines: PIPELINES,
    runDurationMs: RUN_DURATION_MS,
    workerEnv: { TWIN_API_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS), RUN_RECONCILE_AFTER_SECONDS: '1' },
  });
  let logs: LogText[];
  try {
    await runTheChaos();
  } finally {
    logs = await stack.close();
  }
  logBytesScanned = logs.reduce((sum, l) => sum + l.text.length, 0);
  logLeaks = findLeaks(logs, secrets());
}, 420_000);

afterAll(async () => {
  if (!pipelines) return;
  await publishSection('chaos-run', {
    title: 'Chaos run: 200 pipelines under webhook and API faults',
    summary:
      `${PIPELINES} three-step pipelines (runs of ${RUN_DURATION_MS} ms) through the real receiver on 127.0.0.1 and the production worker, ` +
      'while the emulator dropped 5 % of webhooks, duplicated 5 %, delayed (0–150 ms) and reordered the rest, answered 1 % of ' +
      `Twin API calls 429 with Retry-After and 1 % 500, and answered 1 % only after the worker's ${CLIENT_TIMEOUT_MS} ms timeout ` +
      '(performed by Twin, so a retried start must find its run instead of starting another). Trackers poll Twin after 1 s of silence.',
    rows: [
      [
        'pipelines started / finished',
        `${PIPELINES} / ${Object.values(pipelines.byStatus).reduce((a, b) => a + b, 0)}`,
      ],
      [
        'final status (as scripted)',
        Object.entries(pipelines.byStatus)
          .map(([s, n]) => `${s} ${n}`)
          .join(', '),
      ],
      ['pipelines off their scripted end state', pipelines.mismatches.length],
      ['Twin runs started (scripted)', `${runs.runsStarted} (${expectedRunCount(stack.twin.plan)})`],
      ['duplicate runs for one step attempt', runs.duplicateMarkers.length],
      ['webhook events to deliver', deliveries.events],
      ['… dropped by the emulator', deliveries.dropped],
      ['… duplicated by the emulator', deliveries.duplicated],
      ['delivery attempts (accepted 2xx)', `${deliveries.attempts} (${deliveries.accepted})`],
      ['deliveries refused by the receiver', deliveries.refused],
      ['delivery retries by the emulator', deliveries.retries],
      [
        'Twin API calls: run starts / reconciliation polls / marker searches',
        `${apiCalls.byRequest['POST /v1/agents/:id/runs'] ?? 0} / ${apiCalls.byRequest['GET /v1/agents/:id/runs (poll)'] ?? 0} / ${apiCalls.byRequest['GET /v1/agents/:id/runs'] ?? 0}`,
      ],
      ['Twin API answers 429 / 500', `${apiCalls.byStatus[429] ?? 0} / ${apiCalls.byStatus[500] ?? 0}`],
      ['Twin API calls timed out or unanswered', apiCalls.noAnswer],
      ['accepted webhooks lost', lost.length],
      ['workflow histories scanned for secrets', historiesScanned],
      ['log bytes scanned for secrets', logBytesScanned],
      ['secrets found in histories or logs', historyLeaks.length + logLeaks.length],
      ['wall time of the load', `${loadSeconds.toFixed(1)} s`],
    ],
  });
});

describe('200 pipelines under webhook and API faults', () => {
  it('had the faults the issue asks for actually happen', () => {
    expect(deliveries.dropped).toBeGreaterThan(0);
    expect(deliveries.duplicated).toBeGreaterThan(0);
    expect(apiCalls.byStatus[429] ?? 0).toBeGreaterThan(0);
    expect(apiCalls.byStatus[500] ?? 0).toBeGreaterThan(0);
  });

  it("ends every pipeline in the state its agents' scripted outcomes imply", () => {
    expect(pipelines.mismatches).toEqual([]);
    expect(Object.values(pipelines.byStatus).reduce((a, b) => a + b, 0)).toBe(PIPELINES);
  });

  it('starts exactly one Twin run per step attempt', () => {
    expect(runs.mismatches).toEqual([]);
    expect(runs.duplicateMarkers).toEqual([]);
    expect(runs.strayRuns).toEqual([]);
    expect(runs.runsStarted).toBe(expectedRunCount(stack.twin.plan));
  });

  it("records every webhook the receiver accepted in its run's tracker", () => {
    expect(deliveries.accepted).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  });

  it('refuses no genuine delivery', () => {
    expect(deliveries.refused).toBe(0);
  });
});

describe('secrets after the chaos run', () => {
  it('leaves the Twin API key and every signing secret out of every workflow history', () => {
    expect(historiesScanned).toBeGreaterThan(PIPELINES);
    expect(historyLeaks).toEqual([]);
  });

  it('leaves them out of every log line the emulator, receiver and worker wrote', () => {
    expect(logBytesScanned).toBeGreaterThan(0);
    expect(logLeaks).toEqual([]);
  });
});
