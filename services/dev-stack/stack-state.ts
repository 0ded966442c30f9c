// What the local stack leaves in its data directory for the next start and for the CLI: the control API token
// (generated once, so it survives restarts) and where the emulator is plus the API key seeded into it (so
// `twinflow webhooks …` works against the local stack without any configuration). Both files are 0600: they
// hold credentials, even if only local ones. This is the writing side; services/shared/stack-state.ts reads.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { readFileIfExists, writePrivateFile } from '../shared/private-file.js';
import { STACK_STATE_FILE, stackStateSchema, type StackStateInput } from '../shared/stack-state.js';

/** The control API token's file inside the data directory. */
export const CONTROL_TOKEN_FILE = 'control-api-token';

/** The control API token and where it came from. */
export interface ControlToken {
  token: string;
  /** The file it lives in, or undefined when it came from CONTROL_API_TOKEN. */
  file?: string;
}

/** The token from CONTROL_API_TOKEN, else the one generated on a first start and kept in the data directory. */
export async function ensureControlToken(
  dataDir: string,
  configured: string | undefined,
): Promise<ControlToken> {
  if (configured) return { token: configured };
  const file = path.join(dataDir, CONTROL_TOKEN_FILE);
  const existing = (await readFileIfExists(file))?.trim();
  if (existing && existing.length >= 16) return { token: existing, file };
  const token = randomBytes(24).toString('base64url');
  await writePrivateFile(file, `${token}\n`);
  return { token, file };
}

/** Records where the stack runs, for the CLI (services/shared/stack-state.ts reads it). */
export async function writeStackState(dataDir: string, state: StackStateInput): Promise<void> {
  await writePrivateFile(
    path.join(dataDir, STACK_STATE_FILE),
    `${JSON.stringify(stackStateSchema.parse(state), null, 2)}\n`,
  );
}
