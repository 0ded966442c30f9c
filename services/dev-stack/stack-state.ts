// What the local stack leaves in its data directory for the next start and for the CLI: the control API token
// (generated once, so it survives restarts) and where the emulator is plus the API key seeded into it (so
// `twinflow webhooks …` works against the local stack without any configuration). Both files are 0600: they
// hold credentials, even if only local ones.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const CONTROL_TOKEN_FILE = 'control-api-token';
export const STACK_STATE_FILE = 'dev-stack.json';

const stackStateSchema = z.object({
  emulator: z.object({ url: z.url(), apiKey: z.string().min(1) }).optional(),
  /** The emulator's demo agents by example role; the CLI uses them as TWINFLOW_AGENT_<ROLE> defaults. */
  demoAgents: z.array(z.object({ role: z.string().min(1), agentId: z.string().min(1) })).default([]),
  temporalAddress: z.string().min(1),
  webUiUrl: z.url(),
  receiverUrl: z.url(),
});
export type StackState = z.infer<typeof stackStateSchema>;
export type StackStateInput = z.input<typeof stackStateSchema>;

export class StackStateError extends Error {
  override name = 'StackStateError';
}

/** Writes through a temporary file so a reader never sees half a file, and never with loose permissions. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export interface ControlToken {
  token: string;
  /** The file it lives in, or undefined when it came from CONTROL_API_TOKEN. */
  file?: string;
}

export async function ensureControlToken(
  dataDir: string,
  configured: string | undefined,
): Promise<ControlToken> {
  if (configured) return { token: configured };
  const file = path.join(dataDir, CONTROL_TOKEN_FILE);
  const existing = (await readIfExists(file))?.trim();
  if (existing && existing.length >= 16) return { token: existing, file };
  const token = randomBytes(24).toString('base64url');
  await writePrivateFile(file, `${token}\n`);
  return { token, file };
}

export async function readStackState(dataDir: string): Promise<StackState | undefined> {
  const file = path.join(dataDir, STACK_STATE_FILE);
  const text = await readIfExists(file);
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

export async function writeStackState(dataDir: string, state: StackStateInput): Promise<void> {
  await writePrivateFile(
    path.join(dataDir, STACK_STATE_FILE),
    `${JSON.stringify(stackStateSchema.parse(state), null, 2)}\n`,
  );
}
