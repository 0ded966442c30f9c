// Process faults mid-load, one at a time, against twinflow's real processes: the worker killed with SIGKILL and
// started again; the receiver killed with SIGKILL while the emulator is delivering (its retries must get every
// event through); the Temporal dev server stopped and started again on the same port from its SQLite file (the
// receiver answers 503 meanwhile). After each, every pipeline of that phase must end where its agents say, with
// one Twin run per step attempt; at the end no accepted webhook may be missing and no secret may be in a log.
// The emulator plays the `documented` profile and, throughout, answers some run starts only after the worker's
// timeout or resets them after acting, so lost start answers meet the killed processes: every step must still
// end as scripted, with an explicit unknown outcome, or with AmbiguousStart, and never start a run twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEnds, endRows, mergeAudits, type EndAudit } from '../support/chaos-audit.js';
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
} from '../support/chaos-evidence.js';
import { historyText } from '../support/history.js';
import type { PlannedPipeline } from '../support/chaos-pipelines.js';
import {
  PROCESS_RECONCILE_AFTER_SECONDS,
  startProcessStack,
  type ProcessStack,
} from '../support/chaos-process-stack.js';
import { publishSection } from '../support/chaos-report.js';
import { allSigningSecrets } from '../support/chaos-twin.js';
import { deliver, send, webhookBody, type HttpAnswer } from '../support/receiver.js';

const PER_PHASE = 20;
const RUN_DURATION_MS = 200;
const PHASE_TIMEOUT_MS = 150_000;
/** Past this the worker's Twin call gives up; a slow start is performed by Twin and only answered later. */
const CLIENT_TIMEOUT_MS = 2_000;
/** Run starts answered after the client timeout, and starts whose connection is reset after Twin acted. */
const SLOW_START_RATE = 0.05;
const RESET_START_RATE = 0.05;
/** The worker's log line of a start attempt that got no usable answer (providers/twin/activities/start-run.ts, StartAnswerLost). */
const LOST_START_LOG = /^.*"StartAnswerLost".*$/gm;

type PhaseName = 'worker' | 'receiver' | 'temporal';

interface PhaseResult {
  ends: EndAudit;
  seconds: number;
}

let stack: ProcessStack;
const results: Partial<Record<PhaseName, PhaseResult>> = {};

function phasePlan(phase: number): PlannedPipeline[] {
  return stack.twin.plan.slice(phase * PER_PHASE, (phase + 1) * PER_PHASE);
}

/** Mid-load: once this phase's pipelines have started at least `count` Twin runs between them. */
async function untilRunsStarted(plan: readonly PlannedPipeline[], count: number): Promise<void> {
  const ids = new Set(plan.map((p) => p.workflowId));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const runs = await stack.twin.control.runs();
    const mine = runs.filter((r) =>
      [...ids].some((id) => typeof r.user_message === 'string' && r.user_message.includes(` of ${id}\n`)),
    );
    if (mine.length >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${mine.length} of ${count} runs started within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runPhase(
  name: PhaseName,
  index: number,
  fault: (plan: readonly PlannedPipeline[]) => Promise<void>,
): Promise<void> {
  const plan = phasePlan(index);
  const started = Date.now();
  await startPlannedPipelines(stack.controlDeps, plan);
  await fault(plan);
  await waitForPipelines(stack.client, plan, PHASE_TIMEOUT_MS);
  results[name] = {
    ends: await auditEnds({
      deps: stack.controlDeps,
      control: stack.twin.control,
      plan,
      reconcileWindowMs: PROCESS_RECONCILE_AFTER_SECONDS * 1000,
    }),
    seconds: (Date.now() - started) / 1000,
  };
}

function phaseResult(name: PhaseName): PhaseResult {
  const result = results[name];
  if (!result) throw new Error(`phase ${name} did not run`);
  return result;
}

/** The promises every phase keeps, whatever its fault. */
function itKeepsThePromises(name: PhaseName): void {
  it("ends every pipeline as its agents' scripts imply, or explicitly unknown, or AmbiguousStart", () => {
    const { ends } = phaseResult(name);
    expect(ends.offScript).toEqual([]);
    expect(ends.ends.scripted + ends.ends.unknown + ends.ends.ambiguous).toBe(PER_PHASE);
  });

  it('records no outcome or status that contradicts what the run did', () => {
    expect(phaseResult(name).ends.silentWrong).toEqual([]);
  });

  it('starts exactly one Twin run per step attempt', () => {
    const { ends } = phaseResult(name);
    expect(ends.duplicates).toEqual([]);
    expect(ends.strayRuns).toEqual([]);
    expect(ends.runMismatches).toEqual([]);
  });
}

beforeAll(async () => {
  stack = await startProcessStack({
    prefix: 'faults',
    pipelines: 3 * PER_PHASE,
    runDurationMs: RUN_DURATION_MS,
    workerEnv: { TWIN_API_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS) },
  });
  await stack.twin.control.setFaults({
    seed: 9,
    // Deliveries stay in flight a little longer, so a killed receiver always has some to miss.
    webhooks: { delayMs: [50, 400] },
    api: {
      slowRate: SLOW_START_RATE,
      slowMs: CLIENT_TIMEOUT_MS + 500,
      resetRate: RESET_START_RATE,
      match: { method: 'POST', path: '/runs$' },
    },
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('kill -9 of the worker mid-load', () => {
  beforeAll(async () => {
    await runPhase('worker', 0, async (plan) => {
      await untilRunsStarted(plan, PER_PHASE / 2);
      await stack.worker.kill9();
      await stack.worker.restart();
    });
  }, PHASE_TIMEOUT_MS + 60_000);

  itKeepsThePromises('worker');
});

describe('kill -9 of the receiver while the emulator is delivering', () => {
  let deliveries: DeliveryFigures;

  beforeAll(async () => {
    await runPhase('receiver', 1, async (plan) => {
      await untilRunsStarted(plan, PER_PHASE / 2);
      await stack.receiver.kill9();
      // Down long enough for several deliveries to find nobody listening, well inside Twin's retry window.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await stack.receiver.restart();
    });
    deliveries = deliveryFigures(await stack.twin.control.deliveries());
  }, PHASE_TIMEOUT_MS + 60_000);

  itKeepsThePromises('receiver');

  it('had deliveries find the receiver gone', () => {
    expect(deliveries.unreachable).toBeGreaterThan(0);
  });

  it("got every delivery through with the emulator's retries", () => {
    expect(deliveries.gaveUp).toBe(0);
  });
});

describe('the Temporal server stopped and started again on the same port', () => {
  let webhookWhileDown: HttpAnswer;
  let readinessWhileDown: HttpAnswer;

  beforeAll(async () => {
    await runPhase('temporal', 2, async (plan) => {
      await untilRunsStarted(plan, PER_PHASE / 2);
      await stack.stopTemporal();
      const { twin } = stack;
      const agentId = twin.plan[0]?.input.publisher as string;
      const body = webhookBody({ event: 'run.completed', agentId });
      webhookWhileDown = await deliver(`${stack.receiverUrl}/webhooks/twin`, {
        secret: twin.secretOfAgent.get(agentId) as string,
        body,
      });
      readinessWhileDown = await send(`${stack.receiverUrl}/readyz`, { method: 'GET' });
      await stack.startTemporal();
    });
  }, PHASE_TIMEOUT_MS + 90_000);

  it('has the receiver answer a genuine webhook 503 with Retry-After while Temporal is down', () => {
    expect(webhookWhileDown.status).toBe(503);
    expect(webhookWhileDown.headers['retry-after']).toBeDefined();
    expect(webhookWhileDown.headers['content-type']).toContain('application/problem+json');
  });

  it('has the receiver report not ready while Temporal is down', () => {
    expect(readinessWhileDown.status).toBe(503);
  });

  itKeepsThePromises('temporal');
});

describe('after all three faults', () => {
  let lost: string[];
  let leaks: Leak[];
  let deliveries: DeliveryFigures;
  let historiesScanned = 0;
  let logCount = 0;
  let lostStarts = 0;

  beforeAll(async () => {
    const log = await stack.twin.control.deliveries();
    deliveries = deliveryFigures(log);
    const histories = await fetchHistories(stack.client, stack.taskQueue);
    historiesScanned = histories.length;
    lost = lostWebhooks(log, trackerObservations(histories));
    // Stopped first, so every line the processes wrote is in their logs.
    const logs = await stack.close();
    logCount = logs.length;
    const workerLog = logs.find((l) => l.where === stack.worker.logFile)?.text ?? '';
    lostStarts = workerLog.match(LOST_START_LOG)?.length ?? 0;
    const texts = [
      ...histories.map((h) => ({ where: `history of ${h.workflowId}`, text: historyText(h.history) })),
      ...logs,
    ];
    leaks = findLeaks(texts, [stack.twin.apiKey, ...allSigningSecrets(stack.twin)]);
  }, 120_000);

  afterAll(async () => {
    if (!deliveries) return;
    const rows: Array<[string, string | number]> = [];
    const label = {
      worker: 'worker kill -9 + restart',
      receiver: 'receiver kill -9 + restart',
      temporal: 'Temporal stop + restart',
    } as const;
    for (const name of ['worker', 'receiver', 'temporal'] as const) {
      const result = results[name];
      if (!result) continue;
      const { ends } = result;
      rows.push([
        label[name],
        `${PER_PHASE} pipelines (${Object.entries(ends.byStatus)
          .map(([s, n]) => `${s} ${n}`)
          .join(
            ', ',
          )}); ends scripted ${ends.ends.scripted} / unknown ${ends.ends.unknown} / AmbiguousStart ${ends.ends.ambiguous}, ` +
          `${ends.offScript.length} off script, ${ends.silentWrong.length} silent wrong; ${ends.runsStarted} runs, ${ends.duplicateRuns} duplicate, ${ends.strayRuns.length} stray; ` +
          `resolutions ${ends.resolutions.answered} answered / ${ends.resolutions.recovered} recovered / ${ends.resolutions.marker} marker / ${ends.resolutions.adopted} adopted; ${result.seconds.toFixed(1)} s`,
      ]);
    }
    const all = (['worker', 'receiver', 'temporal'] as const).flatMap((n) => results[n]?.ends ?? []);
    rows.push(['profile', 'documented'], ...endRows(mergeAudits(all), all.length * PER_PHASE), [
      'start answers lost (worker log: StartAnswerLost)',
      lostStarts,
    ]);
    rows.push(
      ['webhook events / delivery attempts', `${deliveries.events} / ${deliveries.attempts}`],
      ['attempts that found no receiver (kill -9)', deliveries.unreachable],
      ['delivery retries by the emulator', deliveries.retries],
      ['attempts answered 503 (Temporal down)', deliveries.unavailable],
      ['deliveries the emulator gave up on', deliveries.gaveUp],
      ['accepted webhooks lost', lost.length],
      ['histories and process logs scanned for secrets', `${historiesScanned} histories, ${logCount} logs`],
      ['secrets found', leaks.length],
    );
    await publishSection('process-faults', {
      title: 'Process faults mid-load, one at a time',
      summary:
        `Worker and receiver run as separate processes (\`node --import tsx services/*/main.ts\`) against a private Temporal dev server persisted with ` +
        `--db-filename. Three phases of ${PER_PHASE} pipelines (runs of ${RUN_DURATION_MS} ms, webhooks delayed 50–400 ms), each hit mid-load by one fault: ` +
        'SIGKILL of the worker then a restart; SIGKILL of the receiver for 2 s while the emulator delivers; the Temporal server stopped and ' +
        `started again on the same port. The emulator plays the documented profile and answers ${SLOW_START_RATE * 100} % of run starts only after the ` +
        `worker's ${CLIENT_TIMEOUT_MS} ms timeout and resets ${RESET_START_RATE * 100} % after acting, throughout all three phases.`,
      rows,
    });
  });

  it('lost the answers of starts, as injected', () => {
    expect(lostStarts).toBeGreaterThan(0);
  });

  it("recorded every webhook the receiver accepted in its run's tracker", () => {
    expect(deliveries.accepted).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  });

  it('left the Twin API key and every signing secret out of every history and process log', () => {
    expect(historiesScanned).toBeGreaterThan(3 * PER_PHASE);
    expect(leaks).toEqual([]);
  });
});
