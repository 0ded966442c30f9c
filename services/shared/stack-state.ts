// The local stack's state file (TWINFLOW_DATA_DIR/dev-stack.json), read side: where the stack's Temporal, Web UI,
// receiver and emulator run, the emulator's API key and the demo agents. The dev stack writes it
// (services/dev-stack/stack-state.ts); the CLI only reads it, through this module, so it never loads the stack.
import path from 'node:path';
import { z } from 'zod';
import { readFileIfExists } from './private-file.js';

/** The state file's name inside the data directory. */
export const STACK_STATE_FILE = 'dev-stack.json';

/** The state file's shape; the writer parses through it too, so both sides agree. */
export const stackStateSchema = z.object({
  emulator: z.object({ url: z.url(), apiKey: z.string().min(1) }).optional(),
  /** The emulator's demo agents by example role; the CLI uses them as TWINFLOW_AGENT_<ROLE> defaults. */
  demoAgents: z.array(z.object({ role: z.string().min(1), agentId: z.string().min(1) })).default([]),
  temporalAddress: z.string().min(1),
  webUiUrl: z.url(),
  receiverUrl: z.url(),
});
/** What a running (or last run) local stack recorded. */
export type StackState = z.infer<typeof stackStateSchema>;
/** The state as the stack writes it (defaults not yet filled in). */
export type StackStateInput = z.input<typeof stackStateSchema>;

/** The state file exists but cannot be read as one. */
export class StackStateError extends Error {
  override name = 'StackStateError';
}

/** Undefined when no stack has recorded its state in `dataDir`. */
export async function readStackState(dataDir: string): Promise<StackState | undefined> {
  const file = path.join(dataDir, STACK_STATE_FILE);
  const text = await readFileIfExists(file);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StackStateError(`${file} is not valid JSON; delete it and restart the stack`);
  }
  const parsed = stackStateSchema.safeParse(json);
  if (!parsed.success)
    throw new StackStateError(`${file} is not a stack state file: ${parsed.error.message}`);
  return parsed.data;
}
