// What a reliability test checks after the chaos, gathered from the outside: the emulator's own record of the
// runs it started and the webhooks it sent, Temporal's histories, and the pipelines' final states. Each audit
// returns plain figures and a list of mismatches, so a failing test says exactly which pipeline went wrong.
import { readFile } from 'node:fs/promises';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { getPipelineStatus, startPipeline, type ControlDeps } from '../../services/control/pipelines.js';
import type { EmulatorControl, EmulatorRunView } from '../../services/twin-emulator/control-client.js';
import { DEFAULT_RETRY, type DeliveryLogEntry } from '../../services/twin-emulator/webhook-delivery.js';
import type { RunObservation } from '../../services/twin-api/run-status.js';
import { statusOfWebhookEvent } from '../../services/twin-api/run-status.js';
import { pipelineStateQuery, type PipelineState } from '../../workflows/pipeline.js';
import { observeRunSignal, runTrackerStateQuery, runTrackerWorkflowId } from '../../workflows/run-tracker.js';
import { mapLimit } from '../../services/shared/map-limit.js';
import { CHAOS_PIPELINE_NAME, CHAOS_STEPS, type PlannedPipeline } from './chaos-pipelines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts every planned pipeline through the control functions, as the CLI and the control API do. */
export async function startPlannedPipelines(
  deps: ControlDeps,
  plan: readonly PlannedPipeline[],
): Promise<void> {
  await mapLimit(plan, 16, (p) =>
    startPipeline(deps, { name: CHAOS_PIPELINE_NAME, idempotencyKey: p.key, input: p.input }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Pipelines.

/** Waits until every planned pipeline has closed; on timeout, says where the first ones still running wait. */
export async function waitForPipelines(
  client: Client,
  plan: readonly PlannedPipeline[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // One visibility count per poll: describing each pipeline would add load to the server under test.
  const query = `WorkflowId STARTS_WITH "${commonPrefix(plan.map((p) => p.workflowId))}" AND ExecutionStatus = "Running"`;
  for (;;) {
    const running = await countOrUnknown(client, query);
    // Visibility may lag: a count of zero is confirmed by describing each pipeline once.
    if (running === 0 && (await stillRunning(client, plan)).length === 0) return;
    if (Date.now() > deadline) {
      const open = await stillRunning(client, plan);
      const where = await Promise.all(open.slice(0, 3).map((id) => whereItWaits(client, id)));
      throw new Error(`${open.length} pipeline(s) still running after ${timeoutMs} ms:\n${where.join('\n')}`);
    }
    await sleep(1_000);
  }
}

/** Undefined while Temporal does not answer (a test may have stopped it on purpose). */
async function countOrUnknown(client: Client, query: string): Promise<number | undefined> {
  try {
    return (await client.workflow.count(query)).count;
  } catch {
    return undefined;
  }
}

function commonPrefix(ids: readonly string[]): string {
  return ids.reduce((prefix, id) => {
    let i = 0;
    while (i < prefix.length && prefix[i] === id[i]) i++;
    return prefix.slice(0, i);
  });
}

async function stillRunning(client: Client, plan: readonly PlannedPipeline[]): Promise<string[]> {
  const open = await mapLimit(plan, 16, async ({ workflowId }) => {
    try {
      return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING'
        ? workflowId
        : undefined;
    } catch {
      return workflowId;
    }
  });
  return open.filter((id): id is string => id !== undefined);
}

/** The running steps of a pipeline and what their runs' trackers know, for a timeout message. */
async function whereItWaits(client: Client, workflowId: string): Promise<string> {
  try {
    const state = await client.workflow.getHandle(workflowId).query(pipelineStateQuery);
    const steps = state.steps.filter((s) => s.status === 'running');
    const trackers = await Promise.all(
      steps
        .flatMap((s) => s.runIds)
        .map(async (runId) => {
          const tracker = await client.workflow
            .getHandle(runTrackerWorkflowId(runId))
            .query(runTrackerStateQuery);
          return `${runId}: ${tracker.status}, ${tracker.applied.length} observation(s), ${tracker.polls} poll(s), ${tracker.notified.length} notified`;
        }),
    );
    return `${workflowId}: running ${steps.map((s) => `${s.id} (attempt ${s.attempts}, runs ${s.runIds.join(' ') || 'none'})`).join(', ') || 'nothing'}; ${trackers.join('; ')}`;
  } catch (error) {
    return `${workflowId}: ${String(error)}`;
  }
}

export interface PipelineAudit {
  byStatus: Record<string, number>;
  mismatches: string[];
}

/** Compares every pipeline's final state, step by step, with what its agents' scripts imply. */
export async function auditPipelines(
  deps: ControlDeps,
  plan: readonly PlannedPipeline[],
): Promise<PipelineAudit> {
  const states = await mapLimit(
    plan,
    16,
    async (p) => (await getPipelineStatus(deps, { name: CHAOS_PIPELINE_NAME, key: p.key })).state,
  );
  const byStatus: Record<string, number> = {};
  const mismatches: string[] = [];
  plan.forEach((p, index) => {
    const state = states[index];
    byStatus[state?.status ?? 'unknown'] = (byStatus[state?.status ?? 'unknown'] ?? 0) + 1;
    mismatches.push(...pipelineMismatches(p, state));
  });
  return { byStatus, mismatches };
}

function pipelineMismatches(p: PlannedPipeline, state: PipelineState | undefined): string[] {
  if (!state) return [`${p.workflowId}: no final state`];
  const found: string[] = [];
  const say = (what: string, expected: unknown, actual: unknown) => {
    if (expected !== actual)
      found.push(
        `${p.workflowId} (${p.chaosCase.drafter}/${p.chaosCase.reviewer}): ${what} is ${String(actual)}, expected ${String(expected)}`,
      );
  };
  say('status', p.expected.status, state.status);
  say('failedStep', p.expected.failedStep, state.failedStep);
  for (const stepId of CHAOS_STEPS) {
    const step = state.steps.find((s) => s.id === stepId);
    say(`step ${stepId} status`, p.expected.steps[stepId].status, step?.status);
    say(`step ${stepId} runs`, p.expected.steps[stepId].runs, step?.runIds.length);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Twin runs, as the emulator saw them.

const MARKER = /\[twinflow:([0-9a-f]{16})\]\s*$/;
const ATTRIBUTION = /^step (\S+) of (\S+)/;

export interface RunAudit {
  runsStarted: number;
  /** Markers (one per step attempt) borne by more than one run: each is a run started twice. */
  duplicateMarkers: string[];
  /** Runs that bear no pipeline step's message: nobody asked for them. */
  strayRuns: string[];
  mismatches: string[];
}

/** Every (pipeline, step) started exactly as many Twin runs as it had attempts, and no attempt started two. */
export async function auditRuns(
  control: EmulatorControl,
  plan: readonly PlannedPipeline[],
): Promise<RunAudit> {
  const planned = new Map(plan.map((p) => [p.workflowId, p]));
  const runs = await control.runs();
  const perStep = new Map<string, number>();
  const markers = new Map<string, number>();
  const strayRuns: string[] = [];
  for (const run of runs) {
    const where = attribution(run);
    if (!where) {
      strayRuns.push(run.run_id);
      continue;
    }
    // Another phase's pipeline, audited with its own plan.
    if (!planned.has(where.workflowId)) continue;
    perStep.set(
      `${where.workflowId}#${where.step}`,
      (perStep.get(`${where.workflowId}#${where.step}`) ?? 0) + 1,
    );
    if (where.marker) markers.set(where.marker, (markers.get(where.marker) ?? 0) + 1);
  }
  const mismatches: string[] = [];
  for (const p of plan) {
    for (const step of CHAOS_STEPS) {
      const actual = perStep.get(`${p.workflowId}#${step}`) ?? 0;
      if (actual !== p.expected.steps[step].runs)
        mismatches.push(
          `${p.workflowId} step ${step}: Twin saw ${actual} run(s), expected ${p.expected.steps[step].runs}`,
        );
    }
  }
  return {
    runsStarted: [...perStep.values()].reduce((a, b) => a + b, 0),
    duplicateMarkers: [...markers].filter(([, count]) => count > 1).map(([marker]) => marker),
    strayRuns,
    mismatches,
  };
}

function attribution(
  run: EmulatorRunView,
): { workflowId: string; step: string; marker?: string } | undefined {
  const message = typeof run.user_message === 'string' ? run.user_message : '';
  const match = ATTRIBUTION.exec(message);
  if (!match) return undefined;
  return { step: match[1] as string, workflowId: match[2] as string, marker: MARKER.exec(message)?.[1] };
}

// ---------------------------------------------------------------------------------------------------------
// Webhook deliveries, as the emulator sent them.

export interface DeliveryFigures {
  /** Events Twin had to tell (one per run event and webhook), before faults. */
  events: number;
  attempts: number;
  dropped: number;
  duplicated: number;
  /** Attempts answered 2xx. */
  accepted: number;
  /** Attempts answered 503 (Temporal unreachable) or not answered at all (receiver down). */
  unavailable: number;
  unreachable: number;
  /** Attempts refused with another status: must stay 0, a genuine delivery is never rejected. */
  refused: number;
  retries: number;
  /** Deliveries the emulator gave up on after its last retry. */
  gaveUp: number;
}

/** Assumes the emulator's default retry policy (8 attempts). */
export function deliveryFigures(log: readonly DeliveryLogEntry[]): DeliveryFigures {
  const firstTries = log.filter((d) => !d.duplicated && (d.attempt === 1 || d.dropped));
  const sent = log.filter((d) => !d.dropped);
  return {
    events: firstTries.length,
    attempts: sent.length,
    dropped: log.filter((d) => d.dropped).length,
    duplicated: log.filter((d) => d.duplicated && d.attempt === 1).length,
    accepted: sent.filter((d) => d.delivered).length,
    unavailable: sent.filter((d) => d.http_status === 503).length,
    unreachable: sent.filter((d) => d.http_status === undefined).length,
    refused: sent.filter((d) => !d.delivered && d.http_status !== undefined && d.http_status !== 503).length,
    retries: sent.filter((d) => d.attempt > 1).length,
    gaveUp: sent.filter((d) => !d.delivered && d.attempt >= DEFAULT_RETRY.attempts).length,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Temporal histories.

export interface FetchedHistory {
  workflowId: string;
  runId: string;
  workflowType: string;
  history: temporal.api.history.v1.IHistory;
}

/** Every execution on the task queue (pipelines, trackers, lanes, continued-as-new runs included). */
export async function fetchHistories(client: Client, taskQueue: string): Promise<FetchedHistory[]> {
  const executions: Array<{ workflowId: string; runId: string; type: string }> = [];
  for await (const info of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
    executions.push({ workflowId: info.workflowId, runId: info.runId, type: info.type });
  }
  return mapLimit(executions, 8, async ({ workflowId, runId, type }) => ({
    workflowId,
    runId,
    workflowType: type,
    history: await client.workflow.getHandle(workflowId, runId).fetchHistory(),
  }));
}

/** The observations each tracker was signalled, keyed by run ID. */
export function trackerObservations(histories: readonly FetchedHistory[]): Map<string, RunObservation[]> {
  const byRun = new Map<string, RunObservation[]>();
  for (const { history } of histories) {
    for (const event of history.events ?? []) {
      const signal = event.workflowExecutionSignaledEventAttributes;
      if (signal?.signalName !== observeRunSignal.name) continue;
      const payload = signal.input?.payloads?.[0];
      if (!payload) continue;
      const observation = defaultPayloadConverter.fromPayload<RunObservation>(payload);
      byRun.set(observation.runId, [...(byRun.get(observation.runId) ?? []), observation]);
    }
  }
  return byRun;
}

/**
 * Deliveries the receiver answered 2xx but whose observation never reached the run's tracker: the promise
 * "a webhook it accepted is never lost" is that this list is empty. Each accepted attempt must have become one
 * webhook-sourced signal of the same status.
 */
export function lostWebhooks(
  log: readonly DeliveryLogEntry[],
  observations: Map<string, RunObservation[]>,
): string[] {
  const accepted = new Map<string, number>();
  for (const d of log) {
    if (!d.delivered) continue;
    const key = `${d.run_id} ${statusOfWebhookEvent(d.event)}`;
    accepted.set(key, (accepted.get(key) ?? 0) + 1);
  }
  const lost: string[] = [];
  for (const [key, count] of accepted) {
    const [runId, status] = key.split(' ');
    const signalled = (observations.get(runId as string) ?? []).filter(
      (o) => o.source === 'webhook' && o.status === status,
    ).length;
    if (signalled < count) lost.push(`${key}: ${count} accepted, ${signalled} recorded`);
  }
  return lost;
}

// ---------------------------------------------------------------------------------------------------------
// Secrets.

export interface Leak {
  where: string;
  secret: string;
}

/** A log file's (or a history's) whole text, named for the report. */
export interface LogText {
  where: string;
  text: string;
}

/** Reads each file whole. */
export async function readLogs(files: readonly string[]): Promise<LogText[]> {
  return Promise.all(files.map(async (file) => ({ where: file, text: await readFile(file, 'utf8') })));
}

/** Each (text, secret) pair where the secret appears; secrets are shown by their first 6 characters only. */
export function findLeaks(texts: readonly LogText[], secrets: readonly string[]): Leak[] {
  const leaks: Leak[] = [];
  for (const { where, text } of texts) {
    for (const secret of secrets) {
      const forms = [secret, Buffer.from(secret).toString('base64')];
      if (forms.some((form) => text.includes(form))) leaks.push({ where, secret: `${secret.slice(0, 6)}…` });
    }
  }
  return leaks;
}
