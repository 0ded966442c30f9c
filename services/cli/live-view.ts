// How a pipeline run looks in a terminal: one row per step with its state, outcome, agent, Twin run ID, attempt
// and elapsed time, then what each agent answered (its first line) and any start twinflow had to resolve. On a
// TTY the table is redrawn in place as the run moves; anywhere else (CI logs, pipes) each change is printed
// once as a plain line, so logs stay readable and diffable; both say how to approve a step that waits.
import type { Writable } from 'node:stream';
import type { PipelineDefinition, StepState } from '../../workflows/pipeline-definition.js';
import type { PipelineRunStatus } from '../control/pipelines.js';
import { table } from './output.js';

export function formatElapsed(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 60) return `${(ms / 1_000).toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * The agent the step addressed; before it starts (or in states recorded before agentId), its template; a turn
 * of a session names the step whose session it continues.
 */
function stepAgent(definition: PipelineDefinition | undefined, step: StepState): string {
  if (step.agentId) return step.agentId;
  const declared = definition?.steps.find((s) => s.id === step.id);
  if (declared?.kind === 'session' && declared.continues) return `(turn of ${declared.continues})`;
  return declared && 'agent' in declared ? (declared.agent ?? '') : '';
}

function elapsed(step: StepState, now: number): string {
  if (step.durationMs !== undefined) return formatElapsed(step.durationMs);
  if (!step.startedAt) return '';
  return formatElapsed((step.finishedAt ? Date.parse(step.finishedAt) : now) - Date.parse(step.startedAt));
}

/** One line of an agent's answer is enough to recognise it; `status --json` has the whole output. */
const OUTPUT_PREVIEW_CHARS = 80;

export interface StepRow {
  step: string;
  state: string;
  outcome: string;
  agent: string;
  runId: string;
  attempt: string;
  elapsed: string;
}

/**
 * An agent step waiting for its agent's concurrency permit is `running` to the interpreter but has started no
 * Twin run: no run ID and no attempt yet. Showing `running` there sends people looking for a run that is not.
 */
export function stepStateLabel(step: StepState): string {
  const queued = step.kind === 'agent' && step.status === 'running' && !step.runId && step.attempts === 0;
  if (queued) return 'queued (agent busy)';
  return step.reusedFrom ? `${step.status} (reused)` : step.status;
}

export function stepRows(
  status: PipelineRunStatus,
  definition: PipelineDefinition | undefined,
  now = Date.now(),
): StepRow[] {
  return (status.state?.steps ?? []).map((step) => stepRow(step, definition, now));
}

function stepRow(step: StepState, definition: PipelineDefinition | undefined, now = Date.now()): StepRow {
  return {
    step: step.id,
    state: stepStateLabel(step),
    outcome: step.outcome ?? '',
    agent: stepAgent(definition, step),
    runId: step.runId ?? step.sessionId ?? '',
    attempt: step.attempts > 0 ? String(step.attempts) : '',
    elapsed: elapsed(step, now),
  };
}

/** The pipeline's own status when the worker told us, else its search attribute, else Temporal's. */
export function overallStatus(status: PipelineRunStatus): string {
  return status.state?.status ?? status.status ?? status.execution.toLowerCase();
}

function approveHint(status: PipelineRunStatus, step: StepState): string {
  return `waiting for approval: twinflow approve ${status.workflowId} ${step.id}${step.prompt ? `  (${step.prompt})` : ''}`;
}

/** A pipeline written as code reports no steps: its Twin runs are what there is to show. */
function codeFirstLines(status: PipelineRunStatus): string[] {
  const runs = status.runIds.length > 0 ? status.runIds.join(', ') : 'none yet';
  return [`  written as code: no step details; Twin runs: ${runs}`];
}

export function renderStatus(
  status: PipelineRunStatus,
  definition: PipelineDefinition | undefined,
  now = Date.now(),
): string[] {
  const state = status.state;
  const end = status.closeTime ? Date.parse(status.closeTime) : now;
  const header = [
    `${status.workflowId}  ${overallStatus(status)}${state?.paused ? ' (paused)' : ''}  ${formatElapsed(end - Date.parse(status.startTime))}`,
    ...(state?.rerunOf ? [`  rerun of ${state.rerunOf}`] : []),
  ];
  if (status.cancelReason) header.push(`  cancelled: ${status.cancelReason}`);
  if (status.kind === 'code') return [...header, ...codeFirstLines(status)];
  if (!state) return [...header, '  (no step details: no worker answered the status query)'];
  const rows = stepRows(status, definition, now).map((r) => [
    r.step,
    r.state,
    r.outcome,
    r.agent,
    r.runId,
    r.attempt,
    r.elapsed,
  ]);
  const lines = [
    ...header,
    ...table(['STEP', 'STATE', 'OUTCOME', 'AGENT', 'RUN/SESSION ID', 'ATTEMPT', 'ELAPSED'], rows).map(
      (l) => `  ${l}`,
    ),
    ...state.steps.flatMap(stepNotes),
  ];
  if (state.failedStep || state.error)
    lines.push(`  failed at ${state.failedStep ?? '?'}: ${state.error ?? ''}`);
  for (const step of state.steps.filter((s) => s.status === 'waiting_approval'))
    lines.push(`  ${approveHint(status, step)}`);
  return lines;
}

/** The answer's first line, and a word on runs whose start was lost and resolved rather than answered. */
function stepNotes(step: StepState): string[] {
  const notes: string[] = [];
  if (step.output !== undefined) {
    const first = step.output.trim().split('\n')[0] ?? '';
    const cut = first.length > OUTPUT_PREVIEW_CHARS ? `${first.slice(0, OUTPUT_PREVIEW_CHARS - 1)}…` : first;
    notes.push(`  ${step.id} → ${cut}${step.outputTruncated ? ' (output truncated)' : ''}`);
  }
  if (step.status === 'running') {
    for (const event of step.latestEvents ?? []) notes.push(`  ${step.id} · ${event.type}: ${event.text}`);
    const progress = syncProgressLine(step);
    if (progress) notes.push(progress);
  }
  for (const run of step.runs ?? []) {
    if (run.resolution === 'adopted' || run.resolution === 'marker')
      notes.push(`  ${step.id}: run ${run.runId} found by ${run.resolution} after a lost start answer`);
  }
  return notes;
}

/** A status word per step as last printed, and how many of its run IDs have been printed. */
interface Printed {
  state: string;
  runs: number;
  /** A session step's last event printed. */
  lastEvent?: string;
  /** A twig.sync step's last progress line printed. */
  progress?: string;
}

/**
 * The line-mode stream: each call turns a new status snapshot into the lines that describe what changed, in causal
 * order. Snapshots are polled and can skip states, so run starts are printed from the step's cumulative run IDs
 * (every attempt appears, even one that started and ended between two polls), and a pipeline's end comes after
 * the steps' last lines.
 */
export function createLineStream(definition: PipelineDefinition | undefined) {
  const printed = new Map<string, Printed>();
  let lastOverall = '';
  return {
    next(status: PipelineRunStatus): string[] {
      const overall = `${overallStatus(status)}${status.state?.paused ? ' (paused)' : ''}`;
      const pipelineLine = overall === lastOverall ? [] : [`${status.workflowId} ${overall}`];
      lastOverall = overall;
      const stepLines = (status.state?.steps ?? []).flatMap((step) =>
        stepChanges(status, definition, step, printed),
      );
      // The pipeline's own end is the consequence of its steps' ends: it is printed after them.
      const ended = status.closeTime !== undefined || isFinal(overall);
      return ended ? [...stepLines, ...pipelineLine] : [...pipelineLine, ...stepLines];
    },
  };
}

function isFinal(overall: string): boolean {
  return ['succeeded', 'failed', 'cancelled', 'completed', 'terminated', 'timed_out'].includes(overall);
}

function stepChanges(
  status: PipelineRunStatus,
  definition: PipelineDefinition | undefined,
  step: StepState,
  printed: Map<string, Printed>,
): string[] {
  const before = printed.get(step.id) ?? { state: '', runs: 0 };
  const [row] = stepRows(
    { ...status, state: status.state && { ...status.state, steps: [step] } },
    definition,
  );
  if (!row) return [];
  const lines: string[] = [];
  const settled = ['succeeded', 'failed', 'skipped', 'cancelled'].includes(step.status);
  if (row.state !== before.state && !settled) lines.push(stepLine(row, []));
  step.runIds.slice(before.runs).forEach((runId, i) => {
    lines.push(`  ${step.id} attempt ${before.runs + i + 1} started run=${runId}`);
  });
  const events = newSessionEvents(step, before.lastEvent);
  lines.push(...events.map((event) => `  ${step.id} · ${event.type}: ${event.text}`));
  const progress = step.status === 'running' ? syncProgressLine(step) : undefined;
  if (progress && progress !== before.progress) lines.push(progress);
  if (row.state !== before.state && settled)
    lines.push(stepLine(row, [row.outcome && `outcome=${row.outcome}`]));
  // Nobody watching a CI log sees a table: the command to unblock the run has to be in the log itself.
  if (row.state !== before.state && step.status === 'waiting_approval')
    lines.push(`    ${approveHint(status, step)}`);
  printed.set(step.id, {
    state: row.state,
    runs: step.runIds.length,
    lastEvent: events.at(-1)?.id ?? before.lastEvent,
    progress: progress ?? before.progress,
  });
  return lines;
}

/** A twig.sync step's progress as Twig last reported it, e.g. `kb · sync processing 45%`. */
function syncProgressLine(step: StepState): string | undefined {
  const { syncProgress } = step;
  if (!syncProgress) return undefined;
  const percent = syncProgress.percent === undefined ? '' : ` ${syncProgress.percent}%`;
  return `  ${step.id} · sync ${syncProgress.status ?? 'started'}${percent}`;
}

/** A session step's latest events not printed yet; snapshots are polled, so some may never be seen. */
function newSessionEvents(step: StepState, lastPrinted: string | undefined) {
  const latest = step.status === 'running' ? (step.latestEvents ?? []) : [];
  const seen = latest.findIndex((event) => event.id === lastPrinted);
  return latest.slice(seen + 1);
}

function stepLine(row: StepRow, extra: Array<string | false>): string {
  const facts = [...extra, row.agent && `agent=${row.agent}`, row.runId && `run=${row.runId}`];
  return `  ${row.step} ${row.state} ${facts.filter(Boolean).join(' ')}`.trimEnd();
}

export interface LiveView {
  update(status: PipelineRunStatus): void;
  /** Leaves the last drawing on screen. */
  finish(status: PipelineRunStatus): void;
}

export function createLiveView(
  stream: Writable & { isTTY?: boolean; columns?: number },
  definition: PipelineDefinition | undefined,
): LiveView {
  return stream.isTTY ? ttyView(stream, definition) : plainView(stream, definition);
}

function ttyView(
  stream: Writable & { columns?: number },
  definition: PipelineDefinition | undefined,
): LiveView {
  let drawn = 0;
  const draw = (status: PipelineRunStatus) => {
    const width = Math.max(20, (stream.columns || 120) - 1);
    // Lines cut to the width, so each is one screen row and moving up `drawn` rows lands on the first one.
    const lines = renderStatus(status, definition).map((line) => line.slice(0, width));
    const up = drawn > 0 ? `\x1b[${drawn}F` : '';
    stream.write(`${up}\x1b[0J${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  return { update: draw, finish: draw };
}

function plainView(stream: Writable, definition: PipelineDefinition | undefined): LiveView {
  const print = (line: string) => stream.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
  const lines = createLineStream(definition);
  const update = (status: PipelineRunStatus) => lines.next(status).forEach(print);
  return {
    update,
    finish(status) {
      update(status);
      renderStatus(status, definition).forEach((line) => stream.write(`${line}\n`));
    },
  };
}
