// What a command needs, created on first use: a command that only prints a graph never connects to Temporal,
// and one that only talks to Twin never needs it either. Connections are closed by main() when the command
// ends. Without TWIN_API_KEY the CLI uses the emulator of a running local stack (`npm start` records where it
// is in its data directory), so `twinflow webhooks …` works locally with no configuration at all; without
// TEMPORAL_ADDRESS it talks to the Temporal that stack recorded.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../shared/config.js';
import type { ControlDeps } from '../control/pipelines.js';
import type { PipelineRegistry } from '../pipelines/registry.js';
import { createTwinClient, type TwinClient } from '../../providers/twin/client/client.js';
import { temporalUnreachable, usageError, type TemporalTarget } from './errors.js';
import { readLocalStack, resolveTemporal, type StackState } from './local-stack.js';
import type { Output } from './output.js';

const TEMPORAL_CONNECT_TIMEOUT_MS = 5_000;

export interface TwinTarget {
  client: TwinClient;
  baseUrl: string;
  /** Where the credentials came from, for messages. */
  source: 'TWIN_API_KEY' | 'local stack';
}

export interface CliContext {
  config: Config;
  out: Output;
  registry(): Promise<PipelineRegistry>;
  control(): Promise<ControlDeps>;
  twin(): Promise<TwinTarget>;
  /** The local stack's state file, if a stack has run from this directory. */
  stackState(): Promise<StackState | undefined>;
  /** The Twin base URL in use (the emulator's for the local stack), for error messages. */
  twinBaseUrl(): string;
  /** The Temporal address in use and where it came from, for error messages. */
  temporalTarget(): TemporalTarget;
  close(): Promise<void>;
}

export interface ContextOptions {
  config: Config;
  /** The environment the config came from: tells a TEMPORAL_ADDRESS that was set from one defaulted. */
  env?: NodeJS.ProcessEnv;
  out: Output;
  /** Builds the pipeline registry; the stack state lets it default agent roles to the demo agents. */
  loadRegistry(stack: StackState | undefined): Promise<PipelineRegistry>;
}

export function createCliContext({
  config,
  env = process.env,
  out,
  loadRegistry,
}: ContextOptions): CliContext {
  let connection: Connection | undefined;
  let twinBaseUrl = config.TWIN_API_BASE_URL;
  let temporal: TemporalTarget = { address: config.TEMPORAL_ADDRESS, source: 'TEMPORAL_ADDRESS' };
  const once = <T>(make: () => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => (value ??= make());
  };
  const localStack = once(() => readLocalStack(config));
  // With TWIN_API_KEY the real Twin is in use: the stack's emulator and demo agents do not apply.
  const stackState = once(async () => (config.TWIN_API_KEY ? undefined : localStack()));
  const registry = once(async () => loadRegistry(await stackState()));
  const control = once(async (): Promise<ControlDeps> => {
    temporal = await resolveTemporal(config, env, localStack);
    try {
      connection = await Connection.connect({
        address: temporal.address,
        connectTimeout: TEMPORAL_CONNECT_TIMEOUT_MS,
      });
    } catch (error) {
      throw temporalUnreachable(temporal, error);
    }
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    return { client, registry: await registry(), taskQueue: config.TEMPORAL_TASK_QUEUE };
  });
  const twin = once(async (): Promise<TwinTarget> => {
    const timeoutMs = config.TWIN_API_TIMEOUT_MS;
    if (config.TWIN_API_KEY) {
      const baseUrl = config.TWIN_API_BASE_URL;
      return {
        client: createTwinClient({ baseUrl, apiKey: config.TWIN_API_KEY, timeoutMs }),
        baseUrl,
        source: 'TWIN_API_KEY',
      };
    }
    const emulator = (await stackState())?.emulator;
    if (!emulator) {
      throw usageError(
        'TWIN_API_KEY is not set',
        'set TWIN_API_KEY (and TWIN_API_BASE_URL), or start the local stack with `npm start` to use its emulator',
      );
    }
    out.note(`using the local stack's Twin emulator at ${emulator.url} (TWIN_API_KEY is not set)`);
    twinBaseUrl = emulator.url;
    return {
      client: createTwinClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, timeoutMs }),
      baseUrl: emulator.url,
      source: 'local stack',
    };
  });
  return {
    config,
    out,
    registry,
    control,
    twin,
    stackState,
    twinBaseUrl: () => twinBaseUrl,
    temporalTarget: () => temporal,
    close: async () => {
      await connection?.close();
    },
  };
}
