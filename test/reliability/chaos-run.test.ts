// The chaos run: 200 pipelines through the real receiver and worker, against the emulator's `documented`
// profile (run objects carry no user_message, summary or outcome; a run's outcome comes only with its
// run.completed webhook), while the emulator drops 5 % of webhooks, duplicates 5 %, delays and reorders the
// rest, answers 2 % of API calls 429 (with Retry-After) or 500, answers 1 % so late that the worker's call times
// out after Twin already acted, and resets the connection of 1 % after acting. Afterwards every promise is
// checked from the outside (test/support/chaos-audit.ts): final states against the agents' scripts and the
// emulator's delivery log, Twin's own run list (by the pipeline and marker in each run's message), Temporal's
// histories, and every log line written.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributionOf, auditEnds, endRows, type EndAudit } from '../support/chaos-audit.js';
import {
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
} from '../support/chaos-evidence.js';
import { historyText } from '../support/history.js';
import { publishSection } from '../support/chaos-report.js';
import {
  START_REQUEST,
  startChaosStack,
  type ApiCallCounts,
  type ChaosStack,
} from '../support/chaos-stack.js';
import { allSigningSecrets, issueFaults } from '../support/chaos-twin.js';

const PIPELINES = 200;
const RUN_DURATION_MS = 30;
const FAULT_SEED = 2_024;
/** Past this the worker's Twin call gives up; a slow answer is performed by Twin and only arrives later. */
const CLIENT_TIMEOUT_MS = 2_000;
const RECONCILE_AFTER_SECONDS = 1;
const SLOW_RATE = 0.01;
const RESET_RATE = 0.01;

let stack: ChaosStack;
let ends: EndAudit;
/** Runs Twin started for this plan whose start answer never reached the worker (slow past the timeout, reset). */
let lostStartAnswers = 0;
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
    api: { ...faults.api, slowRate: SLOW_RATE, slowMs: CLIENT_TIMEOUT_MS + 500, resetRate: RESET_RATE },
  });

  const started = Date.now();
  await startPlannedPipelines(stack.controlDeps, plan);
  await waitForPipelines(stack.temporal.client, plan, 360_000);
  loadSeconds = (Date.now() - started) / 1000;
  await control.setFaults({});

  ends = await auditEnds({
    deps: stack.controlDeps,
    control,
    plan,
    reconcileWindowMs: RECONCILE_AFTER_SECONDS * 1000,
  });
  await keepHistoriesForDebugging([...ends.duplicates, ...ends.offScript, ...ends.silentWrong]);
  const planned = new Set(plan.map((p) => p.workflowId));
  lostStartAnswers = (await control.runs()).filter(
    (run) =>
      planned.has(attributionOf(run)?.workflowId ?? '') && !stack.apiCalls.answeredStarts.has(run.run_id),
  ).length;
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

/** With CHAOS_KEEP_LOGS_DIR set, the histories of the pipelines a finding names are written there as JSON. */
async function keepHistoriesForDebugging(findings: readonly string[]): Promise<void> {
  const keep = process.env.CHAOS_KEEP_LOGS_DIR;
  if (!keep) return;
  const ids = new Set(
    findings.map((f) => f.split(/[ :]/)[0] as string).filter((id) => id.startsWith('pipeline/')),
  );
  await mkdir(keep, { recursive: true });
  for (const id of ids) {
    const history = await stack.temporal.client.workflow.getHandle(id).fetchHistory();
    await writeFile(path.join(keep, `${id.replaceAll('/', '_')}.json`), JSON.stringify(history, null, 1));
  }
}

const secrets = () => [stack.twin.apiKey, ...allSigningSecrets(stack.twin)];

beforeAll(async () => {
  stack = await startChaosStack({
    prefix: 'chaos',
    pipelines: PIPELINES,
    runDurationMs: RUN_DURATION_MS,
    profile: 'documented',
    workerEnv: {
      TWIN_API_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS),
      RUN_RECONCILE_AFTER_SECONDS: String(RECONCILE_AFTER_SECONDS),
    },
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
  if (!ends) return;
  await publishSection('chaos-run', {
    title: 'Chaos run: 200 pipelines under webhook and API faults',
    summary:
      `${PIPELINES} three-step pipelines (runs of ${RUN_DURATION_MS} ms) through the real receiver on 127.0.0.1 and the production worker, ` +
      "against the emulator's `documented` profile (run objects without user_message or outcome; outcomes by the run.completed webhook only), " +
      'while the emulator dropped 5 % of webhooks, duplicated 5 %, delayed (0–150 ms) and reordered the rest, answered 1 % of ' +
      `Twin API calls 429 with Retry-After and 1 % 500, answered ${SLOW_RATE * 100} % only after the worker's ${CLIENT_TIMEOUT_MS} ms timeout and reset ` +
      `the connection of ${RESET_RATE * 100} % (both performed by Twin: a start whose answer is lost must find its run, or stop, instead of starting another). ` +
      `Trackers poll Twin after ${RECONCILE_AFTER_SECONDS} s of silence.`,
    rows: [
      ['profile', 'documented'],
      ...endRows(ends, PIPELINES),
      ['lost start answers (run created by Twin, answer never received)', lostStartAnswers],
      ['webhook events to deliver', deliveries.events],
      ['… dropped by the emulator', deliveries.dropped],
      ['… duplicated by the emulator', deliveries.duplicated],
      ['delivery attempts (accepted 2xx)', `${deliveries.attempts} (${deliveries.accepted})`],
      ['deliveries refused by the receiver', deliveries.refused],
      ['delivery retries by the emulator', deliveries.retries],
      [
        'Twin API calls: run starts / reconciliation polls / run listings',
        `${apiCalls.byRequest[START_REQUEST] ?? 0} / ${apiCalls.byRequest['GET /v1/agents/:id/runs (poll)'] ?? 0} / ${apiCalls.byRequest['GET /v1/agents/:id/runs'] ?? 0}`,
      ],
      ['Twin API answers 429 / 500', `${apiCalls.byStatus[429] ?? 0} / ${apiCalls.byStatus[500] ?? 0}`],
      [
        'Twin API calls timed out or reset (of them run starts)',
        `${apiCalls.noAnswer} (${apiCalls.noAnswerByRequest[START_REQUEST] ?? 0})`,
      ],
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

  it('lost the answers of starts Twin performed', () => {
    expect(apiCalls.noAnswerByRequest[START_REQUEST] ?? 0).toBeGreaterThan(0);
    expect(lostStartAnswers).toBeGreaterThan(0);
  });

  it("ends every pipeline as its agents' scripts imply, or explicitly unknown, or AmbiguousStart", () => {
    expect(ends.offScript).toEqual([]);
    expect(ends.ends.scripted + ends.ends.unknown + ends.ends.ambiguous).toBe(PIPELINES);
  });

  it('records no outcome or status that contradicts what the run did', () => {
    expect(ends.silentWrong).toEqual([]);
  });

  it('starts exactly one Twin run per step attempt', () => {
    expect(ends.duplicates).toEqual([]);
    expect(ends.strayRuns).toEqual([]);
    expect(ends.runMismatches).toEqual([]);
    expect(ends.runsStarted).toBe(ends.runsExpected + ends.ambiguousCandidates);
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
