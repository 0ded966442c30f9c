// Benchmark 1: what the receiver's own work costs. Signed deliveries to POST /webhooks/twin with the Temporal
// hand-off replaced by a no-op, against a minimal hand-written Koa route doing the essential work of
// verification (raw body, HMAC-SHA256, constant-time compare, JSON.parse, 204), with a bare Koa POST route
// (body read, 204) as the floor; each alone in a process on 127.0.0.1, loaded by autocannon from another
// process with the same connections and rounds.
import { randomBytes } from 'node:crypto';
import type { BenchContext, Benchmark } from './lib/benchmark.js';
import { startNodeProcess, stopAll, type NodeProcess } from './lib/processes.js';
import type { LoadRequest, LoadResult } from './processes/load.js';
import type { Target } from './processes/http-target.js';
import { formatNumber, type Row } from './report.js';
import { median, medianRatio, rotate } from './stats.js';

const GOAL_RATIO = 0.8;

export interface LoadSettings {
  connections: number;
  roundSeconds: number;
  rounds: number;
  warmupSeconds: number;
}

export function loadSettings(ctx: BenchContext, connections: number): LoadSettings {
  return ctx.quick
    ? { connections, roundSeconds: 1, rounds: 2, warmupSeconds: 0.5 }
    : { connections, roundSeconds: 5, rounds: 5, warmupSeconds: 2 };
}

export async function startLoadGenerator(): Promise<NodeProcess> {
  const load = await startNodeProcess({ name: 'autocannon', entry: 'bench/processes/load.ts' });
  await load.message('ready');
  return load;
}

export async function runLoad(load: NodeProcess, request: Omit<LoadRequest, 'type'>): Promise<LoadResult> {
  const answer = load.message<LoadResult>('result', request.durationSeconds * 1000 + 60_000);
  load.send({ type: 'run', ...request });
  return answer;
}

async function startTarget(
  ctx: BenchContext,
  target: Target,
  secret: string,
  logLevel = 'info',
): Promise<{ process: NodeProcess; url: string }> {
  const process = await startNodeProcess({
    name: `${target}-${logLevel}`,
    entry: 'bench/processes/http-target.ts',
    args: [target],
    env: { LOG_LEVEL: logLevel, WEBHOOK_SIGNING_SECRETS: secret },
    cpuProfileDir: ctx.cpuProfileDir,
  });
  const { url } = await process.message<{ type: 'ready'; url: string }>('ready');
  return { process, url };
}

export function latencyRows(figure: LoadResult[], baseline: LoadResult[]): Row[] {
  return (['latencyP50Ms', 'latencyP99Ms'] as const).map((key) => {
    const value = median(figure.map((r) => r[key]));
    const base = median(baseline.map((r) => r[key]));
    return {
      figure: `latency ${key === 'latencyP50Ms' ? 'p50' : 'p99'} (ms, lower is better)`,
      value: formatNumber(value, 2),
      baseline: formatNumber(base, 2),
      ratio: medianRatio(
        figure.map((r) => r[key]),
        baseline.map((r) => r[key]),
      ),
      goal: '—',
    };
  });
}

type MeasuredRound = LoadResult & { cpuMicrosPerRequest: number };

/** The server's own CPU time over a round, per request it answered: what the figure costs, load aside. */
async function measuredRound(
  target: { process: NodeProcess },
  load: () => Promise<LoadResult>,
): Promise<MeasuredRound> {
  const before = (await target.process.cpuSeconds()) ?? Number.NaN;
  const result = await load();
  const after = (await target.process.cpuSeconds()) ?? Number.NaN;
  const answered = result.ok2xx + result.non2xx;
  return { ...result, cpuMicrosPerRequest: ((after - before) * 1e6) / answered };
}

const requestsPerSecond = (rounds: readonly LoadResult[]) => rounds.map((r) => r.requestsPerSecond);
const cpuPerRequest = (rounds: readonly MeasuredRound[]) => rounds.map((r) => r.cpuMicrosPerRequest);
const refusedIn = (rounds: readonly LoadResult[]) => rounds.reduce((n, r) => n + r.non2xx + r.errors, 0);

/** Requests per second of `figure` against `baseline`, round by round. */
function throughputRow(figure: string, value: MeasuredRound[], base: MeasuredRound[]): Row {
  return {
    figure,
    value: formatNumber(median(requestsPerSecond(value)), 0),
    baseline: formatNumber(median(requestsPerSecond(base)), 0),
    ratio: medianRatio(requestsPerSecond(value), requestsPerSecond(base)),
    goal: '—',
  };
}

export const receiverVerification: Benchmark = {
  name: 'receiver-verify',
  title: '1. Receiver, verification path',
  async run(ctx) {
    const settings = loadSettings(ctx, 32);
    const secret = `whsec_${randomBytes(32).toString('hex')}`;
    const processes: NodeProcess[] = [];
    try {
      const load = await startLoadGenerator();
      processes.push(load);
      const receiver = await startTarget(ctx, 'receiver-noop', secret);
      processes.push(receiver.process);
      const hand = await startTarget(ctx, 'hand-verify', secret);
      processes.push(hand.process);
      const bare = await startTarget(ctx, 'bare-koa', secret);
      processes.push(bare.process);
      // Diagnostic only: the same receiver without its per-delivery info line, to show what logging costs.
      const quiet = await startTarget(ctx, 'receiver-noop', secret, 'warn');
      processes.push(quiet.process);
      const round = (url: string, seconds: number) =>
        runLoad(load, {
          url,
          connections: settings.connections,
          durationSeconds: seconds,
          secret,
          agentId: 'agent_bench',
        });

      ctx.log(
        `receiver-verify: warm-up, then ${settings.rounds} rounds of ${settings.roundSeconds} s per side`,
      );
      const targets = [receiver, hand, bare, quiet];
      for (const { url } of targets) await round(url, settings.warmupSeconds);
      const [a = [], h = [], b = [], q = []] = await rotate(
        settings.rounds,
        targets.map((target) => () => measuredRound(target, () => round(target.url, settings.roundSeconds))),
      );
      const goal = throughputRow(
        'signed deliveries/s: twinflow receiver (hand-off no-op) vs hand-written verify route → 204',
        a,
        h,
      );
      const refused = refusedIn(a);
      const handRefused = refusedIn(h);
      const cpuMicros = median(cpuPerRequest(a));
      const handCpuMicros = median(cpuPerRequest(h));
      const bareCpuMicros = median(cpuPerRequest(b));
      const quietRow = throughputRow(
        'diagnostic: the same receiver at LOG_LEVEL=warn (no per-delivery log line) vs hand-written verify route',
        q,
        h,
      );
      return {
        rows: [
          {
            ...goal,
            goal: `ratio ≥ ${GOAL_RATIO}`,
            pass: (goal.ratio ?? Number.NaN) >= GOAL_RATIO && refused === 0 && handRefused === 0,
          },
          ...latencyRows(a, h),
          {
            figure:
              'diagnostic: server CPU time per request (µs, lower is better) vs hand-written verify route',
            value: formatNumber(cpuMicros, 0),
            baseline: formatNumber(handCpuMicros, 0),
            ratio: medianRatio(cpuPerRequest(a), cpuPerRequest(h)),
            goal: '—',
          },
          throughputRow('diagnostic: signed deliveries/s: twinflow receiver vs bare Koa POST → 204', a, b),
          throughputRow('diagnostic: hand-written verify route vs bare Koa POST → 204', h, b),
          quietRow,
        ],
        notes: [
          `${settings.rounds} rounds × ${settings.roundSeconds} s per side, four sides (receiver, hand-written verify route, bare Koa route, receiver at LOG_LEVEL=warn) in an order rotated each round, ${settings.connections} connections, after a ${settings.warmupSeconds} s warm-up per side; autocannon in its own process, each server alone in its own process. Values are medians of the rounds, ratios medians of the per-round ratios.`,
          'Every request is a distinct run.started delivery (fresh run ID and timestamp) signed with HMAC-SHA256 by the load generator; the receiver has one active secret and logs at info (one JSON line per delivery, to /dev/null), as in production.',
          'The goal baseline, bench/processes/http-target.ts `hand-verify`, is a Koa route doing only the essential work: read the raw body (raw-body, 64 KiB limit), HMAC-SHA256 over it with node:crypto, timingSafeEqual against the `X-Cobb-Signature: sha256=<hex>` header, JSON.parse, answer 204. The bare Koa route (read the body, answer 204) is kept as a diagnostic floor.',
          `Deliveries not answered 2xx: receiver ${refused}, hand-written route ${handRefused} (both must be 0, or the figures are not of the verification path).`,
          `What bounds the ratio: the receiver's work beyond the essential, which the hand-written route does none of. In CPU time per request the receiver costs ${formatNumber(cpuMicros, 0)} µs, the hand-written route ${formatNumber(handCpuMicros, 0)} µs and the bare route ${formatNumber(bareCpuMicros, 0)} µs: on top of the HMAC and JSON.parse, the receiver does strict UTF-8 decoding, zod validation, a request ID, two metrics, an AbortController and a timer for the hand-off deadline, a JSON answer and one log line (LOG_LEVEL=warn gives ${formatNumber(quietRow.ratio ?? Number.NaN, 2)} of the hand-written route). A ratio of ${GOAL_RATIO} leaves the receiver about ${formatNumber(handCpuMicros * (1 / GOAL_RATIO - 1), 0)} µs per request for all of that.`,
          "On a 2-core machine the load generator holds one core; when the server is the slower side the load generator sleeps between answers, and every response write also pays for waking it, which CPU profiles (`--cpu-prof`) book to the server's socket write. The faster a side, the less it pays this.",
        ],
      };
    } finally {
      await stopAll(processes);
    }
  },
};
