// The file where `twinflow webhooks register` keeps the signing secret Twin returns exactly once, and where
// the receiver reads it. One module owns the format so the CLI (writer) and the receiver (reader) agree.
// Writes are atomic (temp file + rename) and the file is private (0600) from its first byte.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { zodIssueLines } from './zod-issues.js';
import { writePrivateFile } from './private-file.js';

export const webhookSecretEntrySchema = z.object({
  webhook_id: z.string().min(1),
  agent_id: z.string().min(1),
  url: z.string().min(1),
  signing_secret: z.string().min(1, 'must not be empty'),
  created_at: z.string().min(1),
});

export const secretsFileSchema = z.object({
  webhooks: z.array(webhookSecretEntrySchema),
});

export type WebhookSecretEntry = z.infer<typeof webhookSecretEntrySchema>;
export type SecretsFile = z.infer<typeof secretsFileSchema>;

export class SecretsFileError extends Error {
  override name = 'SecretsFileError';
  constructor(
    readonly filePath: string,
    problem: string,
  ) {
    super(`webhook secrets file ${filePath}: ${problem}`);
  }
}

export const EMPTY_SECRETS_FILE: SecretsFile = { webhooks: [] };

/** A missing file is an empty one (no webhook registered yet); an unreadable or invalid one is an error. */
export async function readSecretsFile(filePath: string): Promise<SecretsFile> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_SECRETS_FILE;
    throw new SecretsFileError(
      filePath,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SecretsFileError(filePath, 'is not valid JSON');
  }
  const parsed = secretsFileSchema.safeParse(json);
  if (!parsed.success) {
    // Only paths and messages: zod issues never echo the values, so no secret reaches an error message.
    const problems = zodIssueLines(parsed.error);
    throw new SecretsFileError(filePath, problems.join('; '));
  }
  return parsed.data;
}

/** Creates the directory if needed; readers never see a half-written file, and the secret is never world-readable. */
export async function writeSecretsFile(filePath: string, file: SecretsFile): Promise<void> {
  const valid = secretsFileSchema.parse(file);
  await writePrivateFile(filePath, `${JSON.stringify(valid, null, 2)}\n`);
}

/** Adds an entry, replacing one with the same webhook_id (re-registration). */
export function withWebhookEntry(file: SecretsFile, entry: WebhookSecretEntry): SecretsFile {
  return { webhooks: [...file.webhooks.filter((w) => w.webhook_id !== entry.webhook_id), entry] };
}

/** Drops an entry, e.g. the old webhook once a rotation is finished. */
export function withoutWebhookEntry(file: SecretsFile, webhookId: string): SecretsFile {
  return { webhooks: file.webhooks.filter((w) => w.webhook_id !== webhookId) };
}
