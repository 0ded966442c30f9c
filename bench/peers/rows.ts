// The comparison's rows: every figure as twinflow's value beside one peer's from the same run, ratio =
// twinflow / peer (lower is better for all of them). Against the webhook-forwarding peer the rows carry issue
// 16's goals; against the polling peer they are reported without one.
import { formatBytes, formatNumber, type Row } from '../report.js';
import { distribution } from '../stats.js';
import type { FleetFigures, SequentialFigures } from './measure.js';

export interface SideFigures {
  name: string;
  sequential: SequentialFigures;
  /** One per fleet size, in the order of `fleetSizes`. */
  fleets: FleetFigures[];
}

/** Largest ratio twinflow / peer that meets each goal; undefined: no goal. */
export interface Goals {
  handoff?: number;
  eventsPerStep?: number;
  fleetWall?: number;
  workerRss?: number;
}

/** Issue 16's goals against the webhook-forwarding peer. */
export const WEBHOOK_PEER_GOALS: Goals = { handoff: 1.0, eventsPerStep: 1.5, fleetWall: 1.0, workerRss: 1.5 };

const decimal = (n: number) => formatNumber(n, 1);
const lostIn = (fleet: FleetFigures | undefined) => fleet?.lost ?? Number.NaN;

export function comparisonRows(
  twinflow: SideFigures,
  peer: SideFigures,
  fleetSizes: readonly number[],
  goals: Goals,
): Row[] {
  const row = (
    figure: string,
    value: number,
    base: number,
    goal: number | undefined,
    clean: boolean,
    show = decimal,
  ): Row => {
    const ratio = value / base;
    return {
      figure: `${figure}: twinflow (baseline: ${peer.name})`,
      value: show(value),
      baseline: show(base),
      ratio,
      goal: goal === undefined ? '—' : `ratio ≤ ${goal.toFixed(1)}`,
      ...(goal !== undefined && { pass: clean && Number.isFinite(ratio) && ratio <= goal }),
    };
  };
  const t = distribution(twinflow.sequential.gapsMs);
  const p = distribution(peer.sequential.gapsMs);
  const handoffClean = twinflow.sequential.failed.length === 0 && peer.sequential.failed.length === 0;
  const rows = [
    row('hand-off p50 (ms)', t.p50, p.p50, goals.handoff, handoffClean),
    row('hand-off p99 (ms)', t.p99, p.p99, goals.handoff, handoffClean),
    row(
      'history events per step',
      twinflow.sequential.eventsPerStep,
      peer.sequential.eventsPerStep,
      goals.eventsPerStep,
      handoffClean,
    ),
  ];
  fleetSizes.forEach((count, i) => {
    const tf = twinflow.fleets[i];
    const pf = peer.fleets[i];
    const clean = lostIn(tf) === 0 && lostIn(pf) === 0;
    const rss = (f: FleetFigures | undefined, name: string) => f?.peakRssBytes[name] ?? Number.NaN;
    const fleet = `${formatNumber(count, 0)} concurrent 3-step pipelines`;
    rows.push(
      row(
        `${fleet}: wall time (s)`,
        (tf?.run.wallMs ?? Number.NaN) / 1000,
        (pf?.run.wallMs ?? Number.NaN) / 1000,
        goals.fleetWall,
        clean,
      ),
      row(
        `${fleet}: worker peak RSS`,
        rss(tf, 'worker'),
        rss(pf, 'worker'),
        goals.workerRss,
        clean,
        formatBytes,
      ),
    );
    // The polling peer has no receiver; twinflow's is reported beside the webhook peer's only, without a goal.
    if (pf?.peakRssBytes.receiver !== undefined)
      rows.push(
        row(
          `${fleet}: receiver peak RSS`,
          rss(tf, 'receiver'),
          rss(pf, 'receiver'),
          undefined,
          clean,
          formatBytes,
        ),
      );
  });
  return rows;
}

export function auditRow(f: SideFigures): Row {
  const lost = f.sequential.failed.length + f.fleets.reduce((n, fleet) => n + fleet.lost, 0);
  const duplicates = f.fleets.reduce((n, fleet) => n + fleet.duplicates, 0);
  return {
    figure: `${f.name}: lost pipelines / duplicate Twin runs`,
    value: `${lost} / ${duplicates}`,
    baseline: '—',
    goal: '0 / 0',
    pass: lost === 0 && duplicates === 0,
  };
}

export function sideNote(f: SideFigures, fleetSizes: readonly number[]): string {
  const cpu = f.fleets
    .map((fleet, i) => {
      const seconds = Object.entries(fleet.cpuSeconds)
        .map(([name, s]) => `${name} ${formatNumber(s, 2)} s`)
        .join(', ');
      return `${formatNumber(fleetSizes[i] ?? Number.NaN, 0)}-pipeline fleet CPU: ${seconds}`;
    })
    .join('; ');
  const failures = [
    ...f.sequential.failed,
    ...f.fleets.flatMap((fleet) => fleet.run.pipelines.flatMap((p) => p.error ?? [])),
  ];
  return `${f.name}: ${f.sequential.gapsMs.length} gaps over ${f.sequential.pipelines} pipelines; history ${formatNumber(f.sequential.eventsPerStep, 1)} events / ${formatBytes(f.sequential.bytesPerStep)} per step; ${cpu}${failures.length > 0 ? `; failures: ${[...new Set(failures)].slice(0, 3).join(' | ')}` : ''}.`;
}
