// Twin itself goes away mid-load: the emulator, persisting its state to a file, is stopped while runs are in
// flight and while the ends of other runs are still queued for delivery (those deliveries die with the
// process), then started again on the same port from its file. Both kinds of run must end in their trackers —
// in-flight ones by a webhook after the restart or a poll, the ones whose end was never delivered by the
// tracker polling Twin — so no pipeline is left waiting for a run nobody will report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, type RunObservation } from '../../providers/twin/vocabulary/run-status.js';
import {
  runTrackerStateQuery,
  runTrackerWorkflowId,
} from '../../providers/twin/workflows/run-tracker-api.js';
import { auditEnds, type EndAudit } from '../support/chaos-audit.js';
import { startPlannedPipelines, waitForPipelines } from '../support/chaos-evidence.js';
import { publishSection } from '../support/chaos-report.js';
import { startChaosStack, type ChaosStack } from '../support/chaos-stack.js';

const PIPELINES = 20;
/** Long enough that a good share of the runs are in flight when Twin stops. */
const RUN_DURATION_MS = 1_500;
/** Deliveries wait this long, so runs that ended just before the stop still have their end queued. */
const WEBHOOK_DELAY_MS: [number, number] = [1_000, 2_000];
const DOWN_FOR_MS = 2_000;
const RECONCILE_AFTER_SECONDS = 1;

let stack: ChaosStack;
/** Runs in progress when Twin stopped. */
let inFlight: string[] = [];
/** Runs that had ended when Twin stopped but whose end had not been delivered yet. */
let endLost: string[] = [];
let settled: Map<string, RunObservation | undefined>;
let emulatorView: Map<string, string>;
let ends: EndAudit;

async function trackerFinal(runId: string): Promise<RunObservation | undefined> {
  const tracker = stack.temporal.client.workflow.getHandle(runTrackerWorkflowId(runId));
  return (await tracker.query(runTrackerStateQuery)).final;
}

/** Waits for a moment with both kinds of run at hand, then notes them (the stop follows at once). */
async function noteRunsAtStop(): Promise<void> {
  const { control } = stack.twin;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [all, log] = await Promise.all([control.runs(), control.deliveries()]);
    const endDelivered = new Set(
      log.filter((d) => d.delivered && d.event !== 'run.started').map((d) => d.run_id),
    );
    inFlight = all.filter((r) => r.status === 'in_progress').map((r) => r.run_id);
    endLost = all.filter((r) => r.is_finished && !endDelivered.has(r.run_id)).map((r) => r.run_id);
    if ((inFlight.length >= 3 && endLost.length >= 3) || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  stack = await startChaosStack({
    prefix: 'twin-restart',
    pipelines: PIPELINES,
    runDurationMs: RUN_DURATION_MS,
    persistEmulatorState: true,
    // Outcomes only by webhook: a completed run whose end died with the process can only be `unknown`.
    profile: 'documented',
    workerEnv: { RUN_RECONCILE_AFTER_SECONDS: String(RECONCILE_AFTER_SECONDS) },
  });
  const { control, plan } = stack.twin;
  await control.setFaults({ seed: 3, webhooks: { delayMs: WEBHOOK_DELAY_MS } });
  await startPlannedPipelines(stack.controlDeps, plan);
  await noteRunsAtStop();
  await stack.restartEmulator(DOWN_FOR_MS);

  await waitForPipelines(stack.temporal.client, plan, 180_000);
  emulatorView = new Map((await control.runs()).map((r) => [r.run_id, r.status]));
  const watched = [...inFlight, ...endLost];
  settled = new Map(
    await Promise.all(watched.map(async (runId) => [runId, await trackerFinal(runId)] as const)),
  );
  ends = await auditEnds({
    deps: stack.controlDeps,
    control,
    plan,
    reconcileWindowMs: RECONCILE_AFTER_SECONDS * 1000,
  });
}, 300_000);

afterAll(async () => {
  await stack?.close();
  if (!ends) return;
  const how = (ids: string[], source: string) =>
    ids.filter((id) => (settled.get(id)?.source ?? 'none') === source).length;
  await publishSection('emulator-restart', {
    title: 'Twin restarted mid-load from its state file',
    summary:
      `${PIPELINES} pipelines with runs of ${RUN_DURATION_MS} ms and webhooks delayed ${WEBHOOK_DELAY_MS.join('–')} ms; the emulator ` +
      'is stopped (its state file flushed, its queued deliveries lost) while some runs are in flight and the ends of others are ' +
      `still queued, kept down for ${DOWN_FOR_MS / 1000} s, and started again on the same port. Trackers poll after 1 s of silence.`,
    rows: [
      ['profile', 'documented'],
      [
        'pipelines ended as scripted / with an explicit unknown outcome / with AmbiguousStart',
        `${ends.ends.scripted} / ${ends.ends.unknown} / ${ends.ends.ambiguous}`,
      ],
      [
        'pipelines off script / silent wrong outcomes',
        `${ends.offScript.length} / ${ends.silentWrong.length}`,
      ],
      ['runs in flight when Twin stopped', inFlight.length],
      [
        '… settled by a webhook after the restart / by polling',
        `${how(inFlight, 'webhook')} / ${how(inFlight, 'poll')}`,
      ],
      ['runs ended whose end was queued and lost with the process', endLost.length],
      ['… settled by a webhook / by polling', `${how(endLost, 'webhook')} / ${how(endLost, 'poll')}`],
      ['runs never settled (orphaned)', how([...inFlight, ...endLost], 'none')],
      ['Twin runs started / duplicates', `${ends.runsStarted} / ${ends.duplicateRuns}`],
    ],
  });
});

describe('the emulator restarted from its state file mid-load', () => {
  it('stopped with runs in flight and with ends of runs still undelivered', () => {
    expect(inFlight.length).toBeGreaterThan(0);
    expect(endLost.length).toBeGreaterThan(0);
  });

  it('finishes every run that was in flight, after the restart', () => {
    expect(
      inFlight.filter(
        (runId) => emulatorView.get(runId) !== 'finished' && emulatorView.get(runId) !== 'error',
      ),
    ).toEqual([]);
  });

  it('settles every one of those runs in its tracker, none orphaned', () => {
    const orphans = [...inFlight, ...endLost].filter((runId) => {
      const final = settled.get(runId);
      return !final || !isTerminal(final.status);
    });
    expect(orphans).toEqual([]);
  });

  it("ends every pipeline as its agents' scripts imply, or explicitly unknown, or AmbiguousStart", () => {
    expect(ends.offScript).toEqual([]);
    expect(ends.silentWrong).toEqual([]);
  });

  it('starts exactly one Twin run per step attempt across the restart', () => {
    expect(ends.duplicates).toEqual([]);
    expect(ends.runMismatches).toEqual([]);
  });
});
