// Hands a verified webhook to the durable side. The receiver may answer 2xx only once this resolved, so a
// 2xx means "recorded in Temporal", and Twin's retry is the recovery for everything else. Behind a small
// interface so the app factory takes it as a dependency; the Temporal implementation is the real one.
import {
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type ConnectionOptions,
} from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { RunObservation } from '../../providers/twin/vocabulary/run-status.js';
import {
  observeRunSignal,
  RUN_TRACKER_WORKFLOW_TYPE,
  runTrackerWorkflowId,
  type RunTrackerWorkflow,
} from '../../providers/twin/workflows/run-tracker-api.js';

/** `delivered`: the tracker has the observation. `duplicate`: the tracker already closed, so it saw this run settle. */
export type HandoffOutcome = 'delivered' | 'duplicate';

export interface EventHandoff {
  /** Rejects when the outcome is unknown (the caller answers 503); stops trying when `signal` aborts. */
  deliver(observation: RunObservation, signal: AbortSignal): Promise<HandoffOutcome>;
  /** Resolves when a hand-off could succeed now (readiness). */
  checkReady(signal: AbortSignal): Promise<void>;
}

export class HandoffTimeoutError extends Error {
  override name = 'HandoffTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** Bounds `fn` even if it ignores its signal: the caller gets an answer in time either way. */
export async function withTimeout<T>(timeoutMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new HandoffTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 1_000;
const isRetryableStatus = defaultGrpcRetryOptions().retryableDecider;

function retryDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
}

/**
 * gRPC retries that stop within the hand-off budget. The SDK's default retries for about 20 s and an abort
 * does not clear a retry already waiting on its timer: the call comes back to life after the delivery was
 * answered 503 (harmless, the tracker dedupes) and, if the connection closes meanwhile, throws from the
 * timer and takes the process down. Bounded like this, retries end within about one hand-off budget.
 */
export function handoffConnectionOptions(address: string, handoffTimeoutMs: number): ConnectionOptions {
  let budget = 0;
  let maxAttempts = 1;
  while (budget + retryDelayMs(maxAttempts) < handoffTimeoutMs) budget += retryDelayMs(maxAttempts++);
  return {
    address,
    interceptors: [
      makeGrpcRetryInterceptor({
        delayFunction: (attempt) => retryDelayMs(attempt),
        retryableDecider: (attempt, status) => attempt < maxAttempts && isRetryableStatus(1, status),
      }),
    ],
  };
}

export interface TemporalHandoffOptions {
  client: Client;
  taskQueue: string;
  /** Handed to a tracker this delivery creates; whichever writer comes first sets it. */
  reconcileAfterMs?: number;
}

/**
 * Signal-with-start of `twin-run/<run_id>`: whoever reaches a run first creates its tracker, so an event for
 * a run twinflow did not start is still recorded. REJECT_DUPLICATE turns "the tracker already finished" into
 * WorkflowExecutionAlreadyStartedError instead of a fresh tracker, which is how a late duplicate is told
 * apart; dedupe therefore lives in Temporal and holds across receiver processes.
 */
export function createTemporalHandoff({
  client,
  taskQueue,
  reconcileAfterMs,
}: TemporalHandoffOptions): EventHandoff {
  return {
    async deliver(observation, signal) {
      try {
        await client.connection.withAbortSignal(signal, () =>
          client.workflow.signalWithStart<RunTrackerWorkflow, [RunObservation]>(RUN_TRACKER_WORKFLOW_TYPE, {
            workflowId: runTrackerWorkflowId(observation.runId),
            taskQueue,
            args: [{ runId: observation.runId, agentId: observation.agentId, reconcileAfterMs }],
            signal: observeRunSignal,
            signalArgs: [observation],
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          }),
        );
        return 'delivered';
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return 'duplicate';
        throw error;
      }
    },
    async checkReady(signal) {
      await client.connection.withAbortSignal(signal, () =>
        client.connection.workflowService.getSystemInfo({}),
      );
    },
  };
}

/**
 * How long the namespace keeps closed workflows, i.e. how long after a tracker closes a late duplicate is
 * still recognised. A signed delivery older than this but inside the timestamp tolerance would create a
 * fresh tracker, so operators are warned when retention is shorter than the tolerance.
 */
export async function namespaceRetentionSeconds(client: Client): Promise<number> {
  const { config } = await client.workflowService.describeNamespace({ namespace: client.options.namespace });
  const seconds = config?.workflowExecutionRetentionTtl?.seconds;
  return typeof seconds === 'number' ? seconds : (seconds?.toNumber() ?? 0);
}
