// Activities that call no agent platform (an agent lane's permit request, a lane's liveness check of permit
// holders, trigger evaluation) run on a task queue of their own without a rate budget, so
// TWIN_API_RATE_LIMIT_PER_SECOND counts calls to Twin only and the bookkeeping of a busy fleet never waits for
// Twin's budget. The worker also keeps these activities on the main queue, for workflows that scheduled them
// there before this queue existed. Pure: the workflow bundle and the worker both import it.
import { workflowInfo } from '@temporalio/workflow';

/** Appended to the main task queue: where twinflow's own bookkeeping activities run. */
export const INTERNAL_TASK_QUEUE_SUFFIX = '-internal';

/** The internal queue of the calling workflow (workflow code only). */
export function internalTaskQueue(): string {
  return `${workflowInfo().taskQueue}${INTERNAL_TASK_QUEUE_SUFFIX}`;
}
