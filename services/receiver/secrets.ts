// The signing secrets the receiver accepts right now: those from WEBHOOK_SIGNING_SECRETS plus those in the
// secrets file the CLI writes. Several are active at once so a rotation has no gap. The file is re-read when
// it changes (stat polling, which also sees the atomic rename the CLI does) or on demand (SIGHUP), so a
// rotation needs no restart. Secrets are held as KeyObjects: logging one prints no key material.
import { createSecretKey, type KeyObject } from 'node:crypto';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Logger } from 'pino';
import { readSecretsFile } from '../shared/secrets-file.js';

/** A secret the receiver accepts, and the agent whose Twin webhook it belongs to when that is known. */
export interface SigningKey {
  key: KeyObject;
  /** Set for secrets from the CLI's file: a delivery signed with it may only speak of this agent. */
  agentId?: string;
}

export interface SecretSource {
  keys(): readonly SigningKey[];
}

export interface SigningSecretsOptions {
  /** From configuration (WEBHOOK_SIGNING_SECRETS), fixed for the process lifetime. */
  envSecrets: readonly string[];
  /** The CLI-written secrets file; re-read on change. */
  filePath?: string;
  logger: Logger;
  watchIntervalMs?: number;
}

export class SecretsConfigError extends Error {
  override name = 'SecretsConfigError';
}

function toKeys(secrets: ReadonlyArray<{ secret: string; agentId?: string }>, origin: string): SigningKey[] {
  return secrets.map(({ secret, agentId }, index) => {
    if (secret.length === 0) throw new SecretsConfigError(`${origin}: secret #${index + 1} is empty`);
    return { key: createSecretKey(Buffer.from(secret, 'utf8')), agentId };
  });
}

async function fileKeys(filePath: string | undefined): Promise<SigningKey[]> {
  if (filePath === undefined) return [];
  const file = await readSecretsFile(filePath);
  return toKeys(
    file.webhooks.map((w) => ({ secret: w.signing_secret, agentId: w.agent_id })),
    filePath,
  );
}

/** What the store keeps of its options: never the secret strings themselves. */
type StoreOptions = Omit<SigningSecretsOptions, 'envSecrets'>;

export class SigningSecrets implements SecretSource {
  private fromFile: SigningKey[];
  private watching = false;

  private constructor(
    private readonly options: StoreOptions,
    private readonly fromEnv: SigningKey[],
    initialFromFile: SigningKey[],
  ) {
    this.fromFile = initialFromFile;
  }

  /** Fails on an empty secret or an invalid file: a receiver that cannot verify should not start. */
  static async load({ envSecrets, ...options }: SigningSecretsOptions): Promise<SigningSecrets> {
    // Configured secrets carry no agent: an operator who sets one vouches for every agent it signs for.
    const fromEnv = toKeys(
      envSecrets.map((secret) => ({ secret })),
      'WEBHOOK_SIGNING_SECRETS',
    );
    const secrets = new SigningSecrets(options, fromEnv, await fileKeys(options.filePath));
    secrets.report('signing secrets loaded');
    return secrets;
  }

  keys(): readonly SigningKey[] {
    return [...this.fromEnv, ...this.fromFile];
  }

  /**
   * Re-reads the file. A broken file keeps the previous secrets (a half-edited file must not lock every
   * sender out) and returns false.
   */
  async reload(): Promise<boolean> {
    try {
      this.fromFile = await fileKeys(this.options.filePath);
      this.report('signing secrets reloaded');
      return true;
    } catch (error) {
      this.options.logger.error(
        { err: error, filePath: this.options.filePath },
        'signing secrets file rejected; keeping the previous secrets',
      );
      return false;
    }
  }

  watch(): void {
    const filePath = this.options.filePath;
    if (filePath === undefined || this.watching) return;
    this.watching = true;
    watchFile(
      filePath,
      { interval: this.options.watchIntervalMs ?? 2_000, persistent: false },
      this.onFileChange,
    );
  }

  close(): void {
    if (!this.watching || this.options.filePath === undefined) return;
    unwatchFile(this.options.filePath, this.onFileChange);
    this.watching = false;
  }

  private readonly onFileChange = (current: Stats, previous: Stats): void => {
    if (
      current.mtimeMs === previous.mtimeMs &&
      current.ino === previous.ino &&
      current.size === previous.size
    )
      return;
    void this.reload();
  };

  private report(message: string): void {
    const counts = {
      fromEnv: this.fromEnv.length,
      fromFile: this.fromFile.length,
      filePath: this.options.filePath,
    };
    if (this.fromEnv.length + this.fromFile.length === 0) {
      this.options.logger.warn(
        counts,
        `${message}: none configured, every delivery will be rejected until one is`,
      );
      return;
    }
    this.options.logger.info(counts, message);
  }
}
