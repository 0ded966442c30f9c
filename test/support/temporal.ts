// Connects a test file to the run's shared dev server and runs a real worker on a task queue of its own,
// so test files never see each other's workflows.
import { inject } from 'vitest';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import {
  connectTemporalAt,
  quietRuntime,
  startTimeSkippingTemporal,
  uniqueTaskQueue,
  type TestTemporal,
} from '../../services/testing/temporal.js';
import { WORKER_SHUTDOWN_FORCE_AFTER_MS } from '../../services/worker/worker.js';

// The testing kit's contexts, under the names the suite has always used.
export { connectTemporalAt, quietRuntime, startTimeSkippingTemporal, uniqueTaskQueue };
export type TemporalTestContext = TestTemporal;

export function connectTemporal(): Promise<TemporalTestContext> {
  return connectTemporalAt(inject('temporalAddress'));
}

export async function createTestWorker(
  context: TemporalTestContext,
  options: Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath'>,
): Promise<Worker> {
  return Worker.create({
    connection: context.nativeConnection,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    shutdownForceTime: WORKER_SHUTDOWN_FORCE_AFTER_MS,
    ...options,
  });
}
