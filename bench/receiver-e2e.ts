// Benchmark 2: the receiver end to end against a real Temporal dev server. Signed deliveries accepted with 2xx
// per second (services/receiver/main.ts, its real Temporal hand-off), against a bare loop making the same
// signal-with-start directly with the same concurrency. No worker runs: both sides create the same run
// trackers, whose first workflow tasks wait in the queue, so the server does identical work for each.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '../services/shared/processes.js';
import { startTemporalDevServer } from '../services/dev-stack/temporal-dev-server.js';
import type { Benchmark } from './lib/benchmark.js';
import { startNodeProcess, stopAll, waitForHttp, type NodeProcess } from './lib/processes.js';
import type { LoadResult } from './processes/load.js';
import type { SignalLoopRequest, SignalLoopResult } from './processes/signal-loop.js';
import { latencyRows, loadSettings, runLoad, startLoadGenerator } from './receiver-verify.js';
import { formatNumber } from './report.js';
import { alternate, median, medianRatio, percentile } from './stats.js';

const GOAL_RATIO = 0.8;
const CONCURRENCY = 16;
const TASK_QUEUE = 'twinflow-bench-e2e';

async function runSignalLoop(
  loop: NodeProcess,
  request: Omit<SignalLoopRequest, 'type'>,
): Promise<LoadResult> {
  const answer = loop.message<SignalLoopResult>('result', request.durationSeconds * 1000 + 60_000);
  loop.send({ type: 'run', ...request });
  const result = await answer;
  return {
    type: 'result',
    requestsPerSecond: result.ok / result.durationSeconds,
    latencyP50Ms: percentile(result.latenciesMs, 50),
    latencyP99Ms: percentile(result.latenciesMs, 99),
    ok2xx: result.ok,
    non2xx: 0,
    errors: result.errors,
    durationSeconds: result.durationSeconds,
  };
}

/** autocannon's requests/s counts every answer; only 2xx deliveries were recorded in Temporal. */
function accepted(result: LoadResult): LoadResult {
  return { ...result, requestsPerSecond: result.ok2xx / result.durationSeconds };
}

export const receiverEndToEnd: Benchmark = {
  name: 'receiver-e2e',
  title: '2. Receiver end to end (Temporal)',
  async run(ctx) {
    const settings = loadSettings(ctx, CONCURRENCY);
    const secret = `whsec_${randomBytes(32).toString('hex')}`;
    const stoppable: { stop(): Promise<void> }[] = [];
    try {
      const server = await startTemporalDevServer({ headless: true });
      stoppable.push(server);
      const port = await freePort();
      const receiver = await startNodeProcess({
        name: 'receiver',
        entry: 'services/receiver/main.ts',
        env: {
          LOG_LEVEL: 'info',
          TEMPORAL_ADDRESS: server.address,
          TEMPORAL_TASK_QUEUE: TASK_QUEUE,
          RECEIVER_HOST: '127.0.0.1',
          RECEIVER_PORT: String(port),
          WEBHOOK_SIGNING_SECRETS: secret,
          WEBHOOK_SECRETS_FILE: path.join(ctx.tempDir, 'no-secrets-file.json'),
        },
        cpuProfileDir: ctx.cpuProfileDir,
      });
      stoppable.push(receiver);
      const baseUrl = `http://127.0.0.1:${port}`;
      await waitForHttp(`${baseUrl}/readyz`, 'the receiver');
      const loop = await startNodeProcess({
        name: 'signal-loop',
        entry: 'bench/processes/signal-loop.ts',
        env: { TEMPORAL_ADDRESS: server.address },
      });
      stoppable.push(loop);
      await loop.message('ready');
      const load = await startLoadGenerator();
      stoppable.push(load);

      const viaReceiver = async (seconds: number) =>
        accepted(
          await runLoad(load, {
            url: `${baseUrl}/webhooks/twin`,
            connections: CONCURRENCY,
            durationSeconds: seconds,
            secret,
            agentId: 'agent_bench',
          }),
        );
      const direct = (seconds: number) =>
        runSignalLoop(loop, {
          concurrency: CONCURRENCY,
          durationSeconds: seconds,
          taskQueue: TASK_QUEUE,
          agentId: 'agent_bench',
        });

      ctx.log(`receiver-e2e: warm-up, then ${settings.rounds} rounds of ${settings.roundSeconds} s per side`);
      await viaReceiver(settings.warmupSeconds);
      await direct(settings.warmupSeconds);
      const { a, b } = await alternate(
        settings.rounds,
        () => viaReceiver(settings.roundSeconds),
        () => direct(settings.roundSeconds),
      );
      const refused = a.reduce((n, r) => n + r.non2xx + r.errors, 0);
      const failedDirect = b.reduce((n, r) => n + r.errors, 0);
      const ratio = medianRatio(
        a.map((r) => r.requestsPerSecond),
        b.map((r) => r.requestsPerSecond),
      );
      return {
        rows: [
          {
            figure: 'deliveries/s accepted 2xx vs bare signal-with-start loop',
            value: formatNumber(median(a.map((r) => r.requestsPerSecond)), 0),
            baseline: formatNumber(median(b.map((r) => r.requestsPerSecond)), 0),
            ratio,
            goal: `ratio ≥ ${GOAL_RATIO}`,
            pass: ratio >= GOAL_RATIO,
          },
          ...latencyRows(a, b),
        ],
        notes: [
          `${settings.rounds} rounds × ${settings.roundSeconds} s per side at concurrency ${CONCURRENCY} (autocannon connections vs loops), after a warm-up; one dev server (in-memory SQLite) for both sides.`,
          'Each delivery is a run.started for a fresh run ID, so each one creates a run tracker (signal-with-start, REJECT_DUPLICATE), exactly what the baseline loop does.',
          `Answers other than 2xx from the receiver: ${refused}; failed baseline calls: ${failedDirect}.`,
        ],
      };
    } finally {
      await stopAll(stoppable);
    }
  },
};
