// Benchmark `peers` (issue 16): twinflow beside what a competent Temporal user would write by hand, on one
// Temporal dev server and one Twin emulator in the same run. Two peers (bench/peers/): webhook-forwarding (a
// Koa receiver signal-with-starts a forwarder workflow per run, which signals the pipeline) and polling (an
// activity reads the run every second). Each side runs, in turn, sequential pipelines for hand-off latency and
// history cost, then one fleet of concurrent 3-step pipelines; the peers go first, so whatever the shared
// server accumulates counts against twinflow, and twinflow's lingering run trackers cannot disturb a peer.
import type { BenchContext, Benchmark } from './lib/benchmark.js';
import { startStack, UNLIMITED_TWIN_BUDGET, type BenchStack } from './lib/stack.js';
import { spreadScript } from './peers/agents.js';
import {
  measureSequential,
  measureSideFleet,
  type FleetFigures,
  type SequentialFigures,
} from './peers/measure.js';
import { POLL_INTERVAL_MS } from './peers/polling/api.js';
import { startPollingPeer } from './peers/polling/start.js';
import type { RunBehaviourInput } from '../providers/twin/emulator/control-client.js';
import type { Side } from './peers/side.js';
import { twinflowSide } from './peers/twinflow-side.js';
import { startWebhookPeer } from './peers/webhook-forwarding/start.js';
import { formatBytes, formatNumber, type Row } from './report.js';
import { distribution } from './stats.js';

interface Sizes {
  steps: number;
  rounds: number;
  warmup: number;
  fleet: number;
  fleetAgents: number;
  deadlineMs: number;
}

function sizes(ctx: BenchContext): Sizes {
  return ctx.quick
    ? { steps: 4, rounds: 1, warmup: 0, fleet: 10, fleetAgents: 1, deadlineMs: 2 * 60_000 }
    : { steps: 20, rounds: 10, warmup: 1, fleet: 200, fleetAgents: 10, deadlineMs: 15 * 60_000 };
}

interface Figures {
  name: string;
  sequential: SequentialFigures;
  fleet: FleetFigures;
}

type StartSide = (stack: BenchStack, handoffScript: RunBehaviourInput[]) => Promise<Side>;

async function measure(ctx: BenchContext, s: Sizes, stack: BenchStack, start: StartSide): Promise<Figures> {
  const script = spreadScript((s.warmup + s.rounds) * s.steps, POLL_INTERVAL_MS);
  const side = await start(stack, script);
  try {
    ctx.log(`peers: ${side.name}: ${s.warmup} + ${s.rounds} sequential pipelines of ${s.steps} steps`);
    const sequential = await measureSequential(side, stack.control, s);
    ctx.log(`peers: ${side.name}: ${s.fleet} concurrent 3-step pipelines`);
    const fleet = await measureSideFleet(side, stack, { count: s.fleet, steps: 3, deadlineMs: s.deadlineMs });
    return { name: side.name, sequential, fleet };
  } finally {
    await side.close();
  }
}

/** One row per figure and peer: the peer's value beside twinflow's from the same run. */
function comparisonRows(peer: Figures, twinflow: Figures): Row[] {
  const gaps = [peer, twinflow].map((f) => distribution(f.sequential.gapsMs));
  const [p, t] = gaps as [ReturnType<typeof distribution>, ReturnType<typeof distribution>];
  const row = (
    figure: string,
    value: number,
    base: number,
    show = (n: number) => formatNumber(n, 1),
  ): Row => ({
    figure: `${peer.name}: ${figure} (baseline: twinflow)`,
    value: show(value),
    baseline: show(base),
    ratio: value / base,
    goal: '—',
  });
  const rss = (f: Figures, name: string) => f.fleet.peakRssBytes[name] ?? NaN;
  const rows = [
    row('hand-off p50 (ms)', p.p50, t.p50),
    row('hand-off p99 (ms)', p.p99, t.p99),
    row('history events per step', peer.sequential.eventsPerStep, twinflow.sequential.eventsPerStep),
    row('fleet wall time (s)', peer.fleet.run.wallMs / 1000, twinflow.fleet.run.wallMs / 1000),
    row('worker peak RSS', rss(peer, 'worker'), rss(twinflow, 'worker'), formatBytes),
  ];
  if (peer.fleet.peakRssBytes.receiver !== undefined)
    rows.push(row('receiver peak RSS', rss(peer, 'receiver'), rss(twinflow, 'receiver'), formatBytes));
  return rows;
}

function auditRow(f: Figures): Row {
  const failed = f.sequential.failed.length + f.fleet.lost;
  return {
    figure: `${f.name}: lost pipelines / duplicate Twin runs`,
    value: `${failed} / ${f.fleet.duplicates}`,
    baseline: '—',
    goal: '0 / 0',
    pass: failed === 0 && f.fleet.duplicates === 0,
  };
}

function sideNote(f: Figures): string {
  const cpu = Object.entries(f.fleet.cpuSeconds)
    .map(([name, seconds]) => `${name} ${formatNumber(seconds, 2)} s`)
    .join(', ');
  const failures = [...f.sequential.failed, ...f.fleet.run.pipelines.flatMap((p) => p.error ?? [])];
  return `${f.name}: ${f.sequential.gapsMs.length} gaps over ${f.sequential.pipelines} pipelines; history ${formatNumber(f.sequential.eventsPerStep, 1)} events / ${formatBytes(f.sequential.bytesPerStep)} per step; fleet CPU: ${cpu}${failures.length > 0 ? `; failures: ${[...new Set(failures)].slice(0, 3).join(' | ')}` : ''}.`;
}

export const peers: Benchmark = {
  name: 'peers',
  title: '7. Hand-written peers',
  async run(ctx) {
    const s = sizes(ctx);
    const perAgent = Math.ceil(s.fleet / s.fleetAgents);
    const stack = await startStack(ctx, {
      agents: s.fleetAgents + 1,
      worker: { ...UNLIMITED_TWIN_BUDGET, AGENT_CONCURRENCY_DEFAULT: perAgent },
    });
    try {
      const polling = await measure(ctx, s, stack, (st, script) =>
        startPollingPeer(ctx, st, s.fleetAgents, script),
      );
      const webhook = await measure(ctx, s, stack, (st, script) =>
        startWebhookPeer(ctx, st, s.fleetAgents, script),
      );
      const twinflow = await measure(ctx, s, stack, async (st, script) => {
        const handoffAgent = st.agentIds.at(-1) as string;
        await st.control.setScript(handoffAgent, script);
        return twinflowSide(st, handoffAgent, st.agentIds.slice(0, -1));
      });
      return {
        rows: [
          ...comparisonRows(webhook, twinflow),
          ...comparisonRows(polling, twinflow),
          ...[webhook, polling, twinflow].map(auditRow),
        ],
        notes: [
          `Peers, bench/peers/: only @temporalio/*, koa and Node built-ins, the SDK's default worker options, a workflow bundle and task queue of their own, each worker (and the webhook peer's receiver) a process of its own like twinflow's. Webhook-forwarding: a pipeline workflow starts each run in an activity that then signal-with-starts the run's forwarder workflow (\`peer-run/<run_id>\`) with the pipeline's ID; the Koa receiver checks \`X-Cobb-Signature\` over the raw body (HMAC-SHA256, timingSafeEqual), parses it and signal-with-starts the same forwarder (reject-duplicate, so a late duplicate after the forwarder closed is acknowledged, not re-forwarded), answering 204 after the hand-off; the forwarder signals the pipeline once it has both the pipeline's ID and a terminal event. Polling: a start activity, then a heartbeating activity reading the run every ${POLL_INTERVAL_MS} ms (GET …/runs?filter_run_id, Twin has no GET for one run).`,
          `Same Temporal dev server and emulator for all three sides, one after another: the polling peer, the webhook peer, then twinflow (whatever the server accumulated counts against twinflow). twinflow runs with its Twin budgets raised (as in benchmarks 3–5) and ${perAgent} lane permits per agent.`,
          `Hand-off: ${s.warmup} warm-up + ${s.rounds} pipelines of ${s.steps} sequential steps, one at a time, on one agent per side whose runs take 0–${POLL_INTERVAL_MS} ms, spread evenly (the same script for every side): a poller sees a real run end at a random moment of its period, which instant runs would hide. Gap = emulator \`started_at\` of run N+1 − \`finished_at\` of run N. These runs are not instant, so twinflow's figure here is not benchmark 3's (there the run.completed webhook can race the step's own start activity).`,
          `History events per step: everything the measured pipelines wrote, divided by their steps, fixed per-pipeline events included (a peer pipeline has about 5 of them, ~${formatNumber(5 / s.steps, 2)} per step here; twinflow more, see benchmark 5's fixed cost, which its marginal per-step figure leaves out): the pipeline's history, plus the forwarders (webhook peer), or the run trackers and the lane's history divided by the permits it granted (twinflow, as benchmark 5 counts). The floor for "start by activity, learn the end by signal" is 10 (benchmark 5).`,
          `Fleet: ${s.fleet} pipelines of 3 instant steps started at once over ${s.fleetAgents} agent(s) per side (start and wait concurrency as lib/pipelines.ts), wall time from the first start to the last result; peak RSS is each process's VmHWM over its whole life, read after its fleet. With instant runs the polling peer's first read mostly finds the run finished, so its fleet figure is a floor: with real runs every step adds about half a poll period (its hand-off figure). The fleet CPU lines below show what bounds each fleet: the dev server persists every history event through one SQLite writer, so wall time follows the events written.`,
          ...[webhook, polling, twinflow].map(sideNote),
          'What the peers do not do, and twinflow does: exactly-once run starts (a retried start activity starts a second run), recovery from a webhook Twin never delivers (the webhook pipeline then waits forever), per-agent concurrency, Twin rate limits and 429 handling, outcomes and outputs, failure policies, continue-as-new for long pipelines. The polling peer makes one Twin call per running step per second whatever the load.',
        ],
      };
    } finally {
      await stack.close();
    }
  },
};
