// Which signing secrets the receiver accepts, and how a rotation reaches it without a restart.
import { createHmac, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../services/shared/logger.js';
import { writeSecretsFile, type WebhookSecretEntry } from '../../services/shared/secrets-file.js';
import { SecretsConfigError, SigningSecrets, type SigningKey } from '../../services/receiver/secrets.js';

const quiet = createLogger('test', 'silent');

const entry = (id: string, secret: string): WebhookSecretEntry => ({
  webhook_id: id,
  agent_id: 'agent_1',
  url: 'http://127.0.0.1/webhooks/twin',
  signing_secret: secret,
  created_at: '2026-03-11T12:00:00Z',
});

/** Which of the candidate secrets a key set contains, found by signing with each: keys never expose bytes. */
function accepted(keys: readonly SigningKey[], candidates: string[]): string[] {
  const probe = (k: KeyObject | string) => createHmac('sha256', k).update('probe').digest('hex');
  const held = new Set(keys.map((k) => probe(k.key)));
  return candidates.filter((c) => held.has(probe(c)));
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 25));
}

describe('SigningSecrets', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'twinflow-signing-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts the secrets from configuration and from the file together', async () => {
    const filePath = path.join(dir, 'merged.json');
    await writeSecretsFile(filePath, { webhooks: [entry('wh_1', 'from-file')] });
    const secrets = await SigningSecrets.load({ envSecrets: ['from-env'], filePath, logger: quiet });
    expect(accepted(secrets.keys(), ['from-env', 'from-file', 'other'])).toEqual(['from-env', 'from-file']);
  });

  it('starts with no file at all', async () => {
    const secrets = await SigningSecrets.load({
      envSecrets: ['only'],
      filePath: path.join(dir, 'none.json'),
      logger: quiet,
    });
    expect(accepted(secrets.keys(), ['only'])).toEqual(['only']);
  });

  it('refuses to start with an empty configured secret', async () => {
    await expect(SigningSecrets.load({ envSecrets: ['ok', ''], logger: quiet })).rejects.toBeInstanceOf(
      SecretsConfigError,
    );
  });

  it('refuses to start with an empty secret in the file', async () => {
    const filePath = path.join(dir, 'empty.json');
    await writeFile(filePath, JSON.stringify({ webhooks: [entry('wh_1', '')] }));
    await expect(SigningSecrets.load({ envSecrets: [], filePath, logger: quiet })).rejects.toThrow(
      /signing_secret/,
    );
  });

  it('picks up a rotated file on reload', async () => {
    const filePath = path.join(dir, 'rotate.json');
    await writeSecretsFile(filePath, { webhooks: [entry('wh_old', 'old')] });
    const secrets = await SigningSecrets.load({ envSecrets: [], filePath, logger: quiet });
    await writeSecretsFile(filePath, { webhooks: [entry('wh_old', 'old'), entry('wh_new', 'new')] });
    await secrets.reload();
    expect(accepted(secrets.keys(), ['old', 'new'])).toEqual(['old', 'new']);
  });

  it('keeps the previous secrets when the rewritten file is broken', async () => {
    const filePath = path.join(dir, 'broken-later.json');
    await writeSecretsFile(filePath, { webhooks: [entry('wh_1', 'kept')] });
    const secrets = await SigningSecrets.load({ envSecrets: [], filePath, logger: quiet });
    await writeFile(filePath, '{ not json');
    expect(await secrets.reload()).toBe(false);
    expect(accepted(secrets.keys(), ['kept'])).toEqual(['kept']);
  });

  it('notices a rewritten file by itself while watching', async () => {
    const filePath = path.join(dir, 'watched.json');
    await writeSecretsFile(filePath, { webhooks: [entry('wh_1', 'first')] });
    const secrets = await SigningSecrets.load({
      envSecrets: [],
      filePath,
      logger: quiet,
      watchIntervalMs: 20,
    });
    secrets.watch();
    try {
      await writeSecretsFile(filePath, { webhooks: [entry('wh_2', 'second')] });
      await until(() => accepted(secrets.keys(), ['second']).length === 1);
      expect(accepted(secrets.keys(), ['first', 'second'])).toEqual(['second']);
    } finally {
      secrets.close();
    }
  });

  it('never writes a secret to the log, even when the whole store is logged', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('test', 'debug', sink);
    const filePath = path.join(dir, 'logged.json');
    await writeSecretsFile(filePath, { webhooks: [entry('wh_1', 'whsec_file_secret')] });
    const secrets = await SigningSecrets.load({ envSecrets: ['env_secret_value'], filePath, logger });
    await secrets.reload();
    logger.info({ store: secrets, keys: secrets.keys() }, 'dump');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toMatch(/whsec_file_secret|env_secret_value/);
  });
});
