// "Started" is not "ready": the stack only prints its banner once each piece answers the way it will be used.
// The receiver says so itself (/readyz checks its Temporal hand-off); the worker has no endpoint that means
// "polling", so we ask Temporal whether a poller with the worker's process ID is on the task queue.
import type { Client } from '@temporalio/client';
import { errorMessage } from './supervisor.js';
import type { StackLog } from './stack-log.js';

export interface WaitOptions {
  what: string;
  log: StackLog;
  intervalMs?: number;
  /** After this long without success, say that we are still waiting (and then again every as long). */
  reportEveryMs?: number;
  /** Stops waiting (with an error) when this turns true, e.g. the stack is shutting down. */
  aborted?: () => boolean;
}

export async function waitUntil(check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const interval = options.intervalMs ?? 250;
  const reportEvery = options.reportEveryMs ?? 30_000;
  const started = Date.now();
  let nextReport = started + reportEvery;
  let lastProblem = 'not ready yet';
  for (;;) {
    if (options.aborted?.()) throw new Error(`stopped while waiting for ${options.what}`);
    try {
      if (await check()) return;
    } catch (error) {
      lastProblem = errorMessage(error);
    }
    if (Date.now() >= nextReport) {
      options.log.info(
        `still waiting for ${options.what} after ${Math.round((Date.now() - started) / 1000)} s (${lastProblem})`,
      );
      nextReport += reportEvery;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

export async function httpOk(url: string, headers?: Record<string, string>): Promise<boolean> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.ok;
}

/** True once a worker process with this pid polls the task queue (the SDK's default identity is pid@host). */
/** Values of temporal.api.enums.v1 (the proto package is not a direct dependency). */
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;

export async function workerPolling(client: Client, taskQueue: string, pid: number): Promise<boolean> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (pollers ?? []).some((poller) => poller.identity?.startsWith(`${pid}@`) === true);
}
