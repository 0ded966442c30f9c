// Connects a test file to the run's shared dev server and runs a real worker on a task queue of its own,
// so test files never see each other's workflows.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';

export interface TemporalTestContext {
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  address: string;
  close(): Promise<void>;
}

let runtimeInstalled = false;

/** Keep the SDK's core logs out of test output unless they matter. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (m, meta) => console.error(m, meta),
    },
  });
}

export async function connectTemporal(): Promise<TemporalTestContext> {
  quietRuntime();
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const client = new Client({ connection });
  return {
    client,
    connection,
    nativeConnection,
    address,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createTestWorker(
  context: TemporalTestContext,
  options: Omit<WorkerOptions, 'connection' | 'workflowBundle' | 'workflowsPath'>,
): Promise<Worker> {
  return Worker.create({
    connection: context.nativeConnection,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    ...options,
  });
}
