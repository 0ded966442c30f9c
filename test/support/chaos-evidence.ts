// What a reliability test checks after the chaos, gathered from the outside: the webhooks the emulator sent,
// Temporal's histories and every log line (how the pipelines ended and Twin's runs per step attempt are in
// chaos-audit.ts). Each audit returns plain figures and a list of mismatches, so a failing test says exactly
// what went wrong.
import { readFile } from 'node:fs/promises';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { startPipeline, type ControlDeps } from '../../services/control/pipelines.js';
import { DEFAULT_RETRY, type DeliveryLogEntry } from '../../providers/twin/emulator/webhook-delivery.js';
import { type RunObservation, statusOfWebhookEvent } from '../../providers/twin/vocabulary/run-status.js';
import { pipelineStateQuery } from '../../workflows/pipeline-api.js';
import {
  observeRunSignal,
  runTrackerStateQuery,
  runTrackerWorkflowId,
} from '../../providers/twin/workflows/run-tracker-api.js';
import { mapLimit } from '../../services/shared/map-limit.js';
import { CHAOS_PIPELINE_NAME, type PlannedPipeline } from './chaos-pipelines.js';

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

// How each pipeline ended, and Twin's runs per step attempt, are judged in chaos-audit.ts.

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
