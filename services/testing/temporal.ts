// The Temporal a test environment runs on: a private dev server (in memory, headless, on a free port) or the
// time-skipping test server. Both are real servers with twinflow's search attributes registered, so the
// pipeline workflow's visibility updates behave as in production.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { startTemporalDevServer } from '../dev-stack/temporal-dev-server.js';
import { TEMPORAL_BINARY, TEST_SERVER_BINARY } from '../shared/project-paths.js';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes.js';
import { ensureTemporalBinary } from './temporal-binaries.js';

/** A connected Temporal: the clients a test and twinflow's workers use, and how to let it go. */
export interface TestTemporal {
  /** On a time-skipping server, this client skips time while a workflow's result is awaited. */
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  address: string;
  /** A time-skipping test server, which may skip past a running activity's timeout. */
  timeSkipping?: true;
  /** Closes the connections and stops the server, if this context started one. */
  close(): Promise<void>;
}

let runtimeInstalled = false;

/**
 * Keeps the SDK's core logs (worker polls, shutdowns) out of test output, errors excepted. A process whose
 * runtime is already installed (by the user's own setup, say) keeps the runtime it has.
 */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const silent = () => undefined;
  try {
    Runtime.install({
      logger: {
        log: silent,
        trace: silent,
        debug: silent,
        info: silent,
        warn: silent,
        error: (message, meta) => console.error(message, meta),
      },
    });
  } catch {
    // Runtime.install refuses once a runtime exists; that runtime's logging is the user's choice.
  }
}

/** A context on an already running server; closing it closes the connections only. */
export async function connectTemporalAt(address: string): Promise<TestTemporal> {
  quietRuntime();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection }),
    connection,
    nativeConnection,
    address,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** A private `temporal server start-dev`: real timers, in memory, gone when closed. */
export async function startDevTemporal(): Promise<TestTemporal> {
  await ensureTemporalBinary(TEMPORAL_BINARY);
  const server = await startTemporalDevServer({ headless: true });
  try {
    const context = await connectTemporalAt(server.address);
    return {
      ...context,
      close: async () => {
        await context.close();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * A private time-skipping test server (the Java SDK's) for hour- and day-long timers, backoffs and timeouts:
 * its client skips time while a test awaits a workflow's result. It takes no flags for custom search
 * attributes, so they are registered through the operator service.
 */
export async function startTimeSkippingTemporal(): Promise<TestTemporal> {
  await ensureTemporalBinary(TEST_SERVER_BINARY);
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: TEST_SERVER_BINARY } },
  });
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]]),
      ),
    });
  } catch (error) {
    await env.teardown();
    throw error;
  }
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

/** A task queue no other environment or test file shares, so none sees another's workflows. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
