// Connects a test file to the run's shared dev server and runs a real worker on a task queue of its own,
// so test files never see each other's workflows.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { TEST_SERVER_BINARY } from '../../services/shared/temporal-dev-server.js';
import { WORKER_SHUTDOWN_FORCE_AFTER_MS } from '../../services/worker/worker.js';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes.js';

export interface TemporalTestContext {
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  address: string;
  /** A time-skipping test server, which may skip past a running activity's timeout (see twinflow-stack.ts). */
  timeSkipping?: true;
  close(): Promise<void>;
}

let runtimeInstalled = false;

/** Keep the SDK's core logs out of test output unless they matter. */
export function quietRuntime(): void {
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

export function connectTemporal(): Promise<TemporalTestContext> {
  return connectTemporalAt(inject('temporalAddress'));
}

/** A context on a server of the test's own (one it stops and restarts, say). */
export async function connectTemporalAt(address: string): Promise<TemporalTestContext> {
  quietRuntime();
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

/**
 * A private time-skipping test server (the Java SDK's, provisioned from PyPI by scripts/ensure-temporal.sh) for
 * tests of hour-long timers, backoffs and timeouts. Its client skips time while a test awaits a workflow's
 * result. Custom search attributes are registered through the operator service: it takes no flags for them.
 */
export async function startTimeSkippingTemporal(): Promise<TemporalTestContext> {
  if (!existsSync(TEST_SERVER_BINARY)) {
    throw new Error(`no time-skipping test server at ${TEST_SERVER_BINARY}: run \`npm run setup\``);
  }
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: TEST_SERVER_BINARY } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]]),
    ),
  });
  return {
    client: env.client,
    connection: env.connection,
    nativeConnection: env.nativeConnection,
    address: env.address,
    timeSkipping: true,
    close: () => env.teardown(),
  };
}

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED_VALUE_TYPE: Record<
  (typeof SEARCH_ATTRIBUTE_KEYS)[number]['type'],
  temporal.api.enums.v1.IndexedValueType
> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

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
    shutdownForceTime: WORKER_SHUTDOWN_FORCE_AFTER_MS,
    ...options,
  });
}
