// Starts the official `temporal server start-dev` binary that scripts/ensure-temporal.sh provisioned, and
// waits for it ourselves: the SDK's ephemeral-server helper gives the port only ~5 s, which a 2-core
// machine can miss. Used by the one-command stack and by the test suite's global setup.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { freePort, stopProcess } from '../shared/processes.js';
import { TEMPORAL_BINARY } from '../shared/project-paths.js';

/** At least the receiver's default timestamp tolerance (three days). */
const DEV_RETENTION_DAYS = 7;

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  headless?: boolean;
  /** SQLite file: state survives restarts. Without it the server keeps state in memory. */
  dbFilename?: string;
  namespace?: string;
  startTimeoutMs?: number;
  /** Where the server's own output goes; defaults to being discarded. */
  onOutput?: (line: string) => void;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The history service moves new workflow and activity tasks to matching through a queue that, by default, is
 * read at most 20 times a second per host: on a one-host dev server every task that follows another within
 * 50 ms waits for the next read, which quantises every hand-off of a pipeline (about ten tasks) onto a
 * 50 ms grid (a 20-step pipeline of instant runs: 600 ms per step instead of 60; docs/benchmarks.md).
 * A production cluster spreads that queue over shards and hosts; see docs/operations.md.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: readonly string[] = [
  'frontend.enableServerVersionCheck=false',
  'history.transferProcessorMaxPollRPS=10000',
  'history.transferProcessorMaxPollHostRPS=10000',
];

export function requireTemporalBinary(binary = TEMPORAL_BINARY): string {
  if (!existsSync(binary)) {
    throw new Error(
      `Temporal CLI not found at ${binary}: run \`npm run setup\` (scripts/ensure-temporal.sh) first`,
    );
  }
  return binary;
}

export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<RunningDevServer> {
  const binary = requireTemporalBinary();
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace];
  args.push('--log-level', 'warn');
  for (const value of DEV_SERVER_DYNAMIC_CONFIG) args.push('--dynamic-config-value', value);
  for (const attribute of DEV_SERVER_SEARCH_ATTRIBUTES) args.push('--search-attribute', attribute);
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  const uiPort = options.headless ? undefined : (options.uiPort ?? port + 1000);
  if (uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(uiPort));

  const child = spawn(binary, args, {
    env: { ...process.env, TEMPORAL_VERSION_CHECK_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((l) => options.onOutput?.(l));
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);

  const address = `127.0.0.1:${port}`;
  const stop = () => stopProcess(child);
  try {
    await waitUntilServing(address, child, options.startTimeoutMs ?? 60_000);
    await extendRetention(address, namespace);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address,
    uiUrl: uiPort === undefined ? undefined : `http://127.0.0.1:${uiPort}`,
    process: child,
    stop,
  };
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(
    `temporal dev server at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`,
  );
}

/**
 * The dev server keeps closed workflows for one day, shorter than the receiver's replay window: a late
 * duplicate webhook of a run whose tracker was already deleted would look new. Match the window instead.
 */
async function extendRetention(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.updateNamespace({
      namespace,
      config: { workflowExecutionRetentionTtl: retentionTtl(DEV_RETENTION_DAYS) },
    });
  } finally {
    await connection.close();
  }
}

type RetentionTtl = NonNullable<
  NonNullable<
    Parameters<Connection['workflowService']['updateNamespace']>[0]['config']
  >['workflowExecutionRetentionTtl']
>;

/** protobufjs encodes a plain number as an int64; the typings ask for Long, a package twinflow does not depend on. */
function retentionTtl(days: number): RetentionTtl {
  return { seconds: days * 24 * 60 * 60 } as unknown as RetentionTtl;
}
