// Benchmark `peers` (issue 16): twinflow beside what a competent Temporal user would write by hand, on one
// Temporal dev server and one Twin emulator in the same run. Two peers (bench/peers/): (a) webhook-forwarding
// (a Koa receiver signal-with-starts a forwarder workflow per run, which signals the pipeline) and (b) polling
// (an activity reads the run every second). All three sides are up at once; the sequential hand-off pipelines
// alternate between them round by round, then come the fleets: the peers' in a rotated order, twinflow's last
// (its run trackers linger for 10 minutes after a run ends and would burden a peer's fleet run after it).
import type { BenchContext, Benchmark } from './lib/benchmark.js';
import { startStack, UNLIMITED_TWIN_BUDGET, type BenchStack } from './lib/stack.js';
import { spreadScript } from './peers/agents.js';
import {
  measureHandoffs,
  measureSideFleet,
  type FleetFigures,
  type SequentialFigures,
} from './peers/measure.js';
import { POLL_INTERVAL_MS } from './peers/polling/api.js';
import { startPollingPeer } from './peers/polling/start.js';
import { auditRow, comparisonRows, sideNote, WEBHOOK_PEER_GOALS, type SideFigures } from './peers/rows.js';
import type { Side } from './peers/side.js';
import { twinflowSide } from './peers/twinflow-side.js';
import { startWebhookPeer } from './peers/webhook-forwarding/start.js';
import { formatNumber } from './report.js';

interface Sizes {
  steps: number;
  rounds: number;
  warmup: number;
  /** Fleets of concurrent 3-step pipelines, each size run once per side. */
  fleets: number[];
  pipelinesPerAgent: number;
  deadlineMs: number;
}

function sizes(ctx: BenchContext): Sizes {
  return ctx.quick
    ? { steps: 4, rounds: 1, warmup: 0, fleets: [10], pipelinesPerAgent: 10, deadlineMs: 2 * 60_000 }
    : {
        steps: 20,
        rounds: 10,
        warmup: 1,
        fleets: [200, 1000],
        pipelinesPerAgent: 20,
        deadlineMs: 30 * 60_000,
      };
}

const agentsFor = (s: Sizes, fleet: number) => Math.ceil(fleet / s.pipelinesPerAgent);

/** Fleets per side, in the order of `sides` (twinflow last), each side's in ascending size. */
async function measureFleets(
  ctx: BenchContext,
  s: Sizes,
  stack: BenchStack,
  sides: readonly Side[],
): Promise<FleetFigures[][]> {
  const fleets: FleetFigures[][] = sides.map(() => []);
  const peerCount = sides.length - 1;
  const order = [
    ...s.fleets.flatMap((count, k) =>
      Array.from({ length: peerCount }, (_, i) => ({ count, side: (k + i) % peerCount })),
    ),
    ...s.fleets.map((count) => ({ count, side: peerCount })),
  ];
  for (const { count, side } of order) {
    const current = sides[side] as Side;
    ctx.log(`peers: ${current.name}: ${count} concurrent 3-step pipelines`);
    const agents = agentsFor(s, count);
    const figures = await measureSideFleet(current, stack, {
      count,
      agents,
      steps: 3,
      deadlineMs: s.deadlineMs,
    });
    fleets[side]?.push(figures);
  }
  return fleets;
}

async function closeAll(sides: readonly Side[]): Promise<void> {
  await Promise.allSettled(sides.map((side) => side.close()));
}

export const peers: Benchmark = {
  name: 'peers',
  title: '7. Hand-written peers',
  async run(ctx) {
    const s = sizes(ctx);
    const fleetAgents = agentsFor(s, Math.max(...s.fleets));
    const stack = await startStack(ctx, {
      agents: fleetAgents + 1,
      worker: { ...UNLIMITED_TWIN_BUDGET, AGENT_CONCURRENCY_DEFAULT: s.pipelinesPerAgent },
    });
    const sides: Side[] = [];
    try {
      const script = spreadScript((s.warmup + s.rounds) * s.steps, POLL_INTERVAL_MS);
      sides.push(await startWebhookPeer(ctx, stack, fleetAgents, script));
      sides.push(await startPollingPeer(ctx, stack, fleetAgents, script));
      const handoffAgent = stack.agentIds.at(-1) as string;
      await stack.control.setScript(handoffAgent, script);
      sides.push(twinflowSide(stack, handoffAgent, stack.agentIds.slice(0, -1)));

      ctx.log(`peers: ${s.warmup} + ${s.rounds} rounds of one ${s.steps}-step pipeline per side`);
      const sequential = await measureHandoffs(sides, stack.control, s);
      const fleets = await measureFleets(ctx, s, stack, sides);
      const [webhook, polling, twinflow] = sides.map((side, i): SideFigures => ({
        name: side.name,
        sequential: sequential[i] as SequentialFigures,
        fleets: fleets[i] ?? [],
      })) as [SideFigures, SideFigures, SideFigures];
      const fleetList = s.fleets.map((n) => formatNumber(n, 0)).join(' and ');
      return {
        rows: [
          ...comparisonRows(twinflow, webhook, s.fleets, WEBHOOK_PEER_GOALS),
          ...comparisonRows(twinflow, polling, s.fleets, {}),
          ...[webhook, polling, twinflow].map(auditRow),
        ],
        notes: [
          `Every row is twinflow's figure beside a peer's from the same run, ratio = twinflow / peer, lower is better. Against peer (a), webhook-forwarding, the rows carry issue 16's goals: hand-off p50 and p99 and fleet wall time ≤ 1.0, history events per step and worker peak RSS ≤ 1.5; a goal row passes only if neither side lost a pipeline in that measurement. Against peer (b), polling, the same figures are reported without a goal.`,
          `Peers, bench/peers/: only @temporalio/*, koa and Node built-ins, the SDK's default worker options, a workflow bundle and task queue of their own, each worker (and the webhook peer's receiver) a process of its own like twinflow's. Webhook-forwarding: a pipeline workflow starts each run in an activity that then signal-with-starts the run's forwarder workflow (\`peer-run/<run_id>\`) with the pipeline's ID; the Koa receiver checks \`X-Cobb-Signature\` over the raw body (HMAC-SHA256, timingSafeEqual), parses it and signal-with-starts the same forwarder (reject-duplicate, so a late duplicate after the forwarder closed is acknowledged, not re-forwarded), answering 204 after the hand-off; the forwarder signals the pipeline once it has both the pipeline's ID and a terminal event. Polling: a start activity, then a heartbeating activity reading the run every ${POLL_INTERVAL_MS} ms (GET …/runs?filter_run_id, Twin has no GET for one run).`,
          `Same Temporal dev server and emulator for all three sides, all started before the first measurement. twinflow runs with its Twin budgets raised (as in benchmarks 3–5) and ${s.pipelinesPerAgent} lane permits per agent.`,
          `Hand-off: ${s.warmup} warm-up + ${s.rounds} rounds; each round runs one pipeline of ${s.steps} sequential steps per side, one pipeline at a time, the sides in an order rotated each round, so drift of the shared machine falls on all three alike. Each side has one agent whose runs take 0–${POLL_INTERVAL_MS} ms, spread evenly (the same script for every side): a poller sees a real run end at a random moment of its period, which instant runs would hide. Gap = emulator \`started_at\` of run N+1 − \`finished_at\` of run N; p50 and p99 are over all gaps of the measured rounds. These runs are not instant, so twinflow's figure here is not benchmark 3's (there the run.completed webhook can race the step's own start activity).`,
          `History events per step: everything the measured pipelines wrote, divided by their steps, fixed per-pipeline events included (a peer pipeline has about 5 of them, ~${formatNumber(5 / s.steps, 2)} per step here; twinflow more, see benchmark 5's fixed cost, which its marginal per-step figure leaves out): the pipeline's history, plus the forwarders (webhook peer), or the run trackers and the lane's history divided by the permits it granted (twinflow, as benchmark 5 counts). The floor for "start by activity, learn the end by signal" is 10 (benchmark 5). What bounds twinflow's ratio here is the run tracker per step and the lane permit, which the peer does not have.`,
          `Fleets: ${fleetList} pipelines of 3 instant steps started at once, ${s.pipelinesPerAgent} pipelines per agent (so ${s.fleets.map((n) => agentsFor(s, n)).join(' and ')} agent(s) per side; start and wait concurrency as lib/pipelines.ts), wall time from the first start to the last result. Order: the two peers' fleets first, size by size with the peers' order rotated per size, then twinflow's in ascending size. The order is fixed for twinflow because its run trackers linger 10 minutes after each run ends (waiting for late webhooks) and then close, writing history: a peer's fleet run after twinflow's would pay for them. twinflow's larger fleet does pay for its smaller fleet's trackers, and every fleet pays a little for the trackers of twinflow's hand-off pipelines, which counts against twinflow, not for it.`,
          "Peak RSS is each process's VmHWM over its whole life, read after each fleet (so after the larger fleet it is the peak of everything the side ran). With instant runs the polling peer's first read mostly finds the run finished, so its fleet figure is a floor: with real runs every step adds about half a poll period (its hand-off figure). The fleet CPU lines below show what bounds each fleet: the dev server persists every history event through one SQLite writer, so wall time follows the events written: what bounds a fleet wall-time ratio above 1 is twinflow's history events per step (the row above), and what bounds a worker RSS ratio is what twinflow's worker keeps per running pipeline and run tracker.",
          ...[webhook, polling, twinflow].map((f) => sideNote(f, s.fleets)),
          'What the peers do not do, and twinflow does: exactly-once run starts (a retried start activity starts a second run), recovery from a webhook Twin never delivers (the webhook pipeline then waits forever), per-agent concurrency, Twin rate limits and 429 handling, outcomes and outputs, failure policies, continue-as-new for long pipelines. The polling peer makes one Twin call per running step per second whatever the load.',
        ],
      };
    } finally {
      await closeAll(sides);
      await stack.close();
    }
  },
};
