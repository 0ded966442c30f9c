// twinflow on a production-shaped Temporal: the real server (built from go.temporal.io/server by
// scripts/cluster.sh) on PostgreSQL with SQL advanced visibility and 4 history shards, two worker processes and
// two receiver processes on one task queue, one Twin emulator (`documented` profile) whose agents each have a
// webhook per receiver. The load runs under the chaos run's faults (webhooks dropped, duplicated, delayed and
// reordered; Twin API calls answered 429/500, or performed and answered only after the worker's timeout) with a
// per-agent concurrency limit the two workers share through the agents' lanes, and is hit mid-load, one fault
// after another, by: kill -9 of a worker, kill -9 of a receiver, a restart of the Temporal server process and a
// restart of PostgreSQL. Afterwards, from the outside: every pipeline ended as scripted, or with an explicit
// `unknown` outcome where its run.completed webhook was dropped, or AmbiguousStart; no accepted webhook was
// lost; Twin started one run per step attempt; no agent ever had more runs in progress than its limit.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishSection } from '../support/chaos-report.js';
import { parse } from 'yaml';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../services/dev-stack/temporal-dev-server.js';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { attributionOf, auditEnds, RESOLUTIONS, type EndAudit } from '../support/chaos-audit.js';
import {
  deliveryFigures,
  fetchHistories,
  findLeaks,
  lostWebhooks,
  startPlannedPipelines,
  trackerObservations,
  waitForPipelines,
  type DeliveryFigures,
  type Leak,
} from '../support/chaos-evidence.js';
import { issueFaults } from '../support/chaos-twin.js';
import { startTemporalCluster, type TemporalCluster } from '../support/cluster.js';
import { historyText } from '../support/history.js';
import { maxConcurrentByAgent, startClusterStack, type ClusterStack } from './cluster-stack.js';

const PIPELINES = 48;
const RUN_DURATION_MS = 1_000;
const WORKERS = 2;
const RECEIVERS = 2;
/** Permits per agent, shared by both workers through the agents' lane workflows. */
const AGENT_LIMIT = 2;
/** Past this the worker's Twin call gives up; a slow answer is performed by Twin and only arrives later. */
const CLIENT_TIMEOUT_MS = 2_000;
const RECONCILE_AFTER_SECONDS = 2;
const FAULT_SEED = 4_242;
const LOAD_TIMEOUT_MS = 360_000;
const POSTGRES_DOWN_MS = 3_000;

type FaultName = 'worker' | 'receiver' | 'temporal' | 'postgres';
/** Each fault strikes once the plan's pipelines have started this many Twin runs (of ~134). */
const FAULT_AT_RUNS: Record<FaultName, number> = { worker: 12, receiver: 35, temporal: 60, postgres: 85 };

interface FaultRecord {
  atRuns: number;
  atSecond: number;
  /** How long the fault took to inject and recover from (restart included). */
  seconds: number;
}

let cluster: TemporalCluster;
let stack: ClusterStack;
const faults: Partial<Record<FaultName, FaultRecord>> = {};
let ends: EndAudit;
let deliveries: DeliveryFigures;
let lost: string[];
let leaks: Leak[];
let historiesScanned = 0;
let maxInProgress: Map<string, number>;
let runsSeen = 0;
let loadSeconds = 0;
let shardCount = 0;
let registeredAttributes: string[] = [];
let workerRestartSeconds: number | undefined;
/** Lines the server logged at error level or worse (it logs at warn): how hard the faults hit it. */
let serverErrorLines = 0;
let apiAnswers: Record<number, number> = {};
/** Starts whose answer never reached the worker: found again (recovered, by marker, adopted) or AmbiguousStart. */
let lostStartAnswers = 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Twin runs started so far for this plan's pipelines, from the emulator's own list. */
async function runsStarted(): Promise<number> {
  const planned = new Set(stack.twin.plan.map((p) => p.workflowId));
  const runs = await stack.twin.control.runs();
  return runs.filter((run) => planned.has(attributionOf(run)?.workflowId ?? '')).length;
}

async function untilRuns(count: number): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const seen = await runsStarted();
    if (seen >= count) return seen;
    if (Date.now() > deadline) throw new Error(`only ${seen} of ${count} runs started within 120 s`);
    await sleep(200);
  }
}

async function strike(name: FaultName, loadStarted: number, fault: () => Promise<void>): Promise<void> {
  const atRuns = await untilRuns(FAULT_AT_RUNS[name]);
  const started = Date.now();
  await fault();
  faults[name] = {
    atRuns,
    atSecond: (started - loadStarted) / 1000,
    seconds: (Date.now() - started) / 1000,
  };
}

async function runTheLoad(): Promise<void> {
  const { control, plan } = stack.twin;
  const chaos = issueFaults(FAULT_SEED);
  await control.setFaults({
    ...chaos,
    // Deliveries stay in flight a little longer, so a killed receiver always has some to miss.
    webhooks: { ...chaos.webhooks, delayMs: [50, 400] },
    api: {
      rate429: 0.02,
      retryAfterMs: 1_000,
      rate500: 0.02,
      slowRate: 0.04,
      slowMs: CLIENT_TIMEOUT_MS + 500,
    },
  });
  const [worker] = stack.workers;
  const [receiver] = stack.receivers;
  if (!worker || !receiver) throw new Error('the stack has no worker or receiver');

  const started = Date.now();
  await startPlannedPipelines(stack.controlDeps, plan);
  let workerBack: Promise<void> = Promise.resolve();
  await strike('worker', started, async () => {
    await worker.kill9();
    // The other worker carries the load meanwhile; this one bundles its workflows again before it polls.
    const killed = Date.now();
    workerBack = worker.restart().then(() => {
      workerRestartSeconds = (Date.now() - killed) / 1000;
    });
  });
  await strike('receiver', started, async () => {
    await receiver.kill9();
    // Down long enough for several deliveries to find it gone; the other receiver takes its copies meanwhile.
    await sleep(2_000);
    await receiver.restart();
  });
  await strike('temporal', started, async () => {
    await cluster.restartServer();
  });
  await strike('postgres', started, async () => {
    // A crash (no checkpoint, recovery from the WAL), down long enough for the server's queries to fail.
    await cluster.stopPostgres('immediate');
    await sleep(POSTGRES_DOWN_MS);
    await cluster.startPostgres();
  });
  await workerBack;
  await waitForPipelines(stack.client, plan, LOAD_TIMEOUT_MS);
  loadSeconds = (Date.now() - started) / 1000;
  await control.setFaults({});
}

async function audit(): Promise<void> {
  const { control, plan } = stack.twin;
  ends = await auditEnds({
    deps: stack.controlDeps,
    control,
    plan,
    reconcileWindowMs: RECONCILE_AFTER_SECONDS * 1000,
  });
  const now = Date.now();
  const runs = (await control.runs()).filter((run) => run.agent_id.startsWith('cluster-'));
  runsSeen = runs.length;
  maxInProgress = maxConcurrentByAgent(
    runs.map((run) => ({
      agentId: run.agent_id,
      startedAt: Date.parse(run.started_at),
      finishedAt: run.finished_at ? Date.parse(run.finished_at) : now,
    })),
  );
  // The delivery log first, then the histories: whatever the log calls accepted is already in Temporal.
  const log = await control.deliveries();
  deliveries = deliveryFigures(log);
  const histories = await fetchHistories(stack.client, stack.taskQueue);
  historiesScanned = histories.length;
  lost = lostWebhooks(log, trackerObservations(histories));
  leaks = findLeaks(
    histories.map((h) => ({ where: `history of ${h.workflowId}`, text: historyText(h.history) })),
    [stack.twin.apiKey, ...stack.signingSecrets],
  );
  const info = await stack.client.connection.workflowService.getClusterInfo({});
  shardCount = info.historyShardCount ?? 0;
  const attributes = await stack.client.connection.operatorService.listSearchAttributes({
    namespace: cluster.namespace,
  });
  registeredAttributes = Object.keys(attributes.customAttributes ?? {});
  const serverLog = await readFile(cluster.serverLog, 'utf8');
  serverErrorLines = serverLog
    .split('\n')
    .filter((line) => /"level":"(error|dpanic|panic|fatal)"/.test(line)).length;
  apiAnswers = { ...stack.apiAnswers };
  lostStartAnswers =
    ends.resolutions.recovered + ends.resolutions.marker + ends.resolutions.adopted + ends.ambiguousSteps;
}

beforeAll(async () => {
  cluster = await startTemporalCluster({ prefix: 'twinflow-cluster' });
  stack = await startClusterStack({
    cluster,
    prefix: 'cluster',
    pipelines: PIPELINES,
    runDurationMs: RUN_DURATION_MS,
    workers: WORKERS,
    receivers: RECEIVERS,
    workerEnv: {
      TWIN_API_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS),
      RUN_RECONCILE_AFTER_SECONDS: String(RECONCILE_AFTER_SECONDS),
      AGENT_CONCURRENCY_DEFAULT: String(AGENT_LIMIT),
    },
  });
  await runTheLoad();
  await audit();
  const logs = await stack.close();
  leaks.push(...findLeaks(logs, [stack.twin.apiKey, ...stack.signingSecrets]));
  // The cold build (~5 min) happens here on a fresh machine, so the hook allows for it.
}, 40 * 60_000);

afterAll(async () => {
  await stack?.close();
  await cluster?.close();
  if (!ends) return;
  const limitPeak = Math.max(...maxInProgress.values());
  const rows: Array<[string, string | number]> = [
    [
      'cluster',
      `temporal-server v1.32.0, PostgreSQL, ${shardCount} history shards, ${WORKERS} workers, ${RECEIVERS} receivers`,
    ],
    [
      'build / start',
      `${cluster.timings.buildSeconds === undefined ? 'cached' : `${cluster.timings.buildSeconds} s`} / ${cluster.timings.startSeconds} s`,
    ],
    [
      'pipelines',
      `${PIPELINES} (${Object.entries(ends.byStatus)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')})`,
    ],
    [
      'scripted / unknown / AmbiguousStart / off script',
      `${ends.ends.scripted} / ${ends.ends.unknown} / ${ends.ends.ambiguous} / ${ends.offScript.length}`,
    ],
    [
      'Twin runs (expected + ambiguous candidates) / duplicates',
      `${ends.runsStarted} (${ends.runsExpected} + ${ends.ambiguousCandidates}) / ${ends.duplicates.length}`,
    ],
    ['start resolutions', RESOLUTIONS.map((r) => `${r} ${ends.resolutions[r]}`).join(', ')],
    ['max runs in progress per agent (limit)', `${limitPeak} (${AGENT_LIMIT})`],
    ['lost start answers (recovered, marker, adopted or AmbiguousStart)', lostStartAnswers],
    ['Twin API answers 429 / 500', `${apiAnswers[429] ?? 0} / ${apiAnswers[500] ?? 0}`],
    ...(Object.entries(faults) as Array<[FaultName, FaultRecord]>).map(([name, f]): [string, string] => [
      `fault: ${name}`,
      `at ${f.atRuns} runs, t=${f.atSecond.toFixed(1)} s, took ${f.seconds.toFixed(1)} s`,
    ]),
    [
      'webhook events / attempts / dropped / duplicated',
      `${deliveries.events} / ${deliveries.attempts} / ${deliveries.dropped} / ${deliveries.duplicated}`,
    ],
    [
      'attempts unreachable / 503 / gave up',
      `${deliveries.unreachable} / ${deliveries.unavailable} / ${deliveries.gaveUp}`,
    ],
    ['killed worker back (bundled and polling) after', `${workerRestartSeconds?.toFixed(1) ?? '?'} s`],
    ['server log lines at error level', serverErrorLines],
    ['accepted webhooks lost', lost.length],
    ['load wall time', `${loadSeconds.toFixed(1)} s`],
  ];
  await publishSection('cluster', {
    title: 'On a production-shaped Temporal cluster, under chaos and process faults',
    summary:
      `The real Temporal server (built from go.temporal.io/server by scripts/cluster.sh) on PostgreSQL 15 with SQL ` +
      `advanced visibility and ${shardCount} history shards; ${WORKERS} worker and ${RECEIVERS} receiver processes on one task ` +
      `queue; one Twin emulator (documented profile) with a webhook per agent and receiver, so every event reaches both. ` +
      `${PIPELINES} three-step pipelines, per-agent limit ${AGENT_LIMIT} shared by both workers through the agent lanes, under ` +
      'dropped, duplicated, delayed and reordered webhooks, 429/500 answers and lost start answers; mid-load, one after ' +
      'the other: kill -9 of a worker, kill -9 of a receiver, a restart of the Temporal server, a crash of PostgreSQL. ' +
      "Duplicates and per-agent concurrency are counted from the emulator's own run list.",
    rows,
  });
});

describe('the cluster scripts/cluster.sh starts', () => {
  it('runs the configured number of history shards', () => {
    expect(cluster.historyShards).toBe(4);
    expect(shardCount).toBe(cluster.historyShards);
  });

  it("runs with the dev server's dynamic config", async () => {
    const file = parse(await readFile(cluster.dynamicConfig, 'utf8')) as Record<string, [{ value: unknown }]>;
    const values = Object.entries(file).map(([key, [entry]]) => `${key}=${String(entry.value)}`);
    expect(values.sort()).toEqual([...DEV_SERVER_DYNAMIC_CONFIG].sort());
  });

  it("registers every one of twinflow's search attributes", () => {
    expect(registeredAttributes.sort()).toEqual(
      DEV_SERVER_SEARCH_ATTRIBUTES.map((a) => a.split('=')[0]).sort(),
    );
  });

  it('is configured like docker-compose.yml: the same shard count and dynamic config file', async () => {
    const compose = parse(await readFile(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: { temporal: { environment: Record<string, unknown>; volumes: string[] } };
    };
    const { temporal } = compose.services;
    expect(String(temporal.environment.NUM_HISTORY_SHARDS)).toBe(String(cluster.historyShards));
    expect(temporal.volumes.join(' ')).toContain('deploy/temporal/dynamicconfig.yaml');
  });
});

describe('twinflow on the cluster, under chaos and process faults', () => {
  it('had every fault strike mid-load', () => {
    expect(Object.keys(faults).sort()).toEqual(['postgres', 'receiver', 'temporal', 'worker']);
    // Mid-load: Twin runs of this plan were still to start after each fault.
    for (const fault of Object.values(faults)) expect(fault.atRuns).toBeLessThan(ends.runsStarted);
    expect(deliveries.dropped).toBeGreaterThan(0);
    expect(deliveries.duplicated).toBeGreaterThan(0);
    expect(deliveries.unreachable).toBeGreaterThan(0);
    expect(deliveries.unavailable).toBeGreaterThan(0);
    expect(apiAnswers[429] ?? 0).toBeGreaterThan(0);
    expect(apiAnswers[500] ?? 0).toBeGreaterThan(0);
  });

  it('lost the answers of starts Twin performed, and found each run again or stopped', () => {
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

  it("never has more of an agent's runs in progress than its limit, across both workers", () => {
    expect(runsSeen).toBe(ends.runsStarted);
    const over = [...maxInProgress].filter(([, peak]) => peak > AGENT_LIMIT);
    expect(over).toEqual([]);
    // The limit was actually contended: some agent ran at it.
    expect(Math.max(...maxInProgress.values())).toBe(AGENT_LIMIT);
  });

  it("records every webhook a receiver accepted in its run's tracker", () => {
    expect(deliveries.accepted).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  });

  it('leaves the Twin API key and every signing secret out of histories and logs', () => {
    expect(historiesScanned).toBeGreaterThan(PIPELINES);
    expect(leaks).toEqual([]);
  });
});
