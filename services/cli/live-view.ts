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

function stepAgent(definition: PipelineDefinition | undefined, stepId: string): string {
  const step = definition?.steps.find((s) => s.id === stepId);
  return step && 'agent' in step ? step.agent : '';
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
  return queued ? 'queued (agent busy)' : step.status;
}

export function stepRows(
  status: PipelineRunStatus,
  definition: PipelineDefinition | undefined,
  now = Date.now(),
): StepRow[] {
  return (status.state?.steps ?? []).map((step) => ({
    step: step.id,
    state: stepStateLabel(step),
    outcome: step.outcome ?? '',
    agent: stepAgent(definition, step.id),
    runId: step.runId ?? '',
    attempt: step.attempts > 0 ? String(step.attempts) : '',
    elapsed: elapsed(step, now),
  }));
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
    ...table(['STEP', 'STATE', 'OUTCOME', 'AGENT', 'RUN ID', 'ATTEMPT', 'ELAPSED'], rows).map(
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
  for (const run of step.runs ?? []) {
    if (run.resolution === 'adopted' || run.resolution === 'marker')
      notes.push(`  ${step.id}: run ${run.runId} found by ${run.resolution} after a lost start answer`);
  }
  return notes;
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
  const seen = new Map<string, string>();
  let lastOverall = '';
  const print = (line: string) => stream.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
  const update = (status: PipelineRunStatus) => {
    const overall = `${overallStatus(status)}${status.state?.paused ? ' (paused)' : ''}`;
    if (overall !== lastOverall) print(`${status.workflowId} ${overall}`);
    lastOverall = overall;
    for (const row of stepRows(status, definition)) {
      const key = `${row.state}|${row.runId}|${row.attempt}`;
      if (seen.get(row.step) === key) continue;
      seen.set(row.step, key);
      const facts = [
        row.outcome && `outcome=${row.outcome}`,
        row.agent && `agent=${row.agent}`,
        row.runId && `run=${row.runId}`,
        row.attempt && `attempt=${row.attempt}`,
      ];
      print(`  ${row.step} ${row.state} ${facts.filter(Boolean).join(' ')}`.trimEnd());
      // Nobody watching a CI log sees a table: the command to unblock the run has to be in the log itself.
      const waiting = status.state?.steps.find((s) => s.id === row.step && s.status === 'waiting_approval');
      if (waiting) print(`    ${approveHint(status, waiting)}`);
    }
  };
  return {
    update,
    finish(status) {
      update(status);
      renderStatus(status, definition).forEach((line) => stream.write(`${line}\n`));
    },
  };
}
