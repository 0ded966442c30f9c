// What the CLI takes from the local stack (`npm start`), which records where it runs in
// TWINFLOW_DATA_DIR/dev-stack.json: the Temporal address, the emulator and its key, the demo agents. Read
// only: the stack owns the file and the CLI never writes it. Explicit configuration always wins, so a shell
// with TEMPORAL_ADDRESS set talks to that Temporal whatever a stack once recorded.
import path from 'node:path';
import type { Config } from '../shared/config.js';
import { readStackState, STACK_STATE_FILE, type StackState } from '../shared/stack-state.js';
import type { TemporalTarget } from './errors.js';

export type { StackState } from '../shared/stack-state.js';

export function stackStateFile(config: Pick<Config, 'TWINFLOW_DATA_DIR'>): string {
  return path.join(path.resolve(config.TWINFLOW_DATA_DIR), STACK_STATE_FILE);
}

/** Undefined when no stack has run from this directory (or TWINFLOW_DATA_DIR). */
export function readLocalStack(config: Pick<Config, 'TWINFLOW_DATA_DIR'>): Promise<StackState | undefined> {
  return readStackState(path.dirname(stackStateFile(config)));
}

/**
 * TEMPORAL_ADDRESS when the environment (or .env) sets it; else the address the local stack recorded, which
 * may be another port than the default; else the default.
 */
export async function resolveTemporal(
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TWINFLOW_DATA_DIR'>,
  env: NodeJS.ProcessEnv,
  stack: () => Promise<StackState | undefined>,
): Promise<TemporalTarget> {
  if (env.TEMPORAL_ADDRESS?.trim()) return { address: config.TEMPORAL_ADDRESS, source: 'TEMPORAL_ADDRESS' };
  const recorded = (await stack())?.temporalAddress;
  if (recorded)
    return { address: recorded, source: `recorded by the local stack in ${stackStateFile(config)}` };
  return { address: config.TEMPORAL_ADDRESS, source: 'TEMPORAL_ADDRESS, unset: the default' };
}
