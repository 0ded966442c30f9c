// The secrets file the CLI writes and the receiver reads: its format, its privacy, and atomic replacement.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readSecretsFile,
  SecretsFileError,
  withoutWebhookEntry,
  withWebhookEntry,
  writeSecretsFile,
  type WebhookSecretEntry,
} from '../../services/shared/secrets-file.js';

const entry = (id: string, secret = `whsec_${id}`): WebhookSecretEntry => ({
  webhook_id: id,
  agent_id: 'agent_abc123',
  url: 'https://example.com/webhooks/twin',
  signing_secret: secret,
  created_at: '2026-03-11T12:00:00Z',
});

describe('secrets file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'twinflow-secrets-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back what was written', async () => {
    const file = path.join(dir, 'roundtrip.json');
    await writeSecretsFile(file, { webhooks: [entry('wh_1')] });
    expect(await readSecretsFile(file)).toEqual({ webhooks: [entry('wh_1')] });
  });

  it('creates the file readable and writable by its owner only', async () => {
    const file = path.join(dir, 'private.json');
    await writeSecretsFile(file, { webhooks: [entry('wh_1')] });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('creates missing parent directories', async () => {
    const file = path.join(dir, 'nested/deeper/secrets.json');
    await writeSecretsFile(file, { webhooks: [] });
    expect(await readSecretsFile(file)).toEqual({ webhooks: [] });
  });

  it('replaces the file whole and leaves no temporary file behind', async () => {
    const sub = path.join(dir, 'atomic');
    const file = path.join(sub, 'secrets.json');
    await writeSecretsFile(file, { webhooks: [entry('wh_1')] });
    await writeSecretsFile(file, { webhooks: [entry('wh_2')] });
    expect(await readdir(sub)).toEqual(['secrets.json']);
    expect(await readSecretsFile(file)).toEqual({ webhooks: [entry('wh_2')] });
  });

  it('writes the documented shape', async () => {
    const file = path.join(dir, 'shape.json');
    await writeSecretsFile(file, { webhooks: [entry('wh_1')] });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      webhooks: [
        {
          webhook_id: 'wh_1',
          agent_id: 'agent_abc123',
          url: 'https://example.com/webhooks/twin',
          signing_secret: 'whsec_wh_1',
          created_at: '2026-03-11T12:00:00Z',
        },
      ],
    });
  });

  it('reads a missing file as no webhooks', async () => {
    expect(await readSecretsFile(path.join(dir, 'absent.json'))).toEqual({ webhooks: [] });
  });

  it('refuses to write an entry with an empty secret', async () => {
    await expect(
      writeSecretsFile(path.join(dir, 'empty.json'), { webhooks: [entry('wh_1', '')] }),
    ).rejects.toThrow();
  });

  it('rejects a file holding an empty secret', async () => {
    const file = path.join(dir, 'empty-secret.json');
    await writeFile(file, JSON.stringify({ webhooks: [entry('wh_1', '')] }));
    await expect(readSecretsFile(file)).rejects.toBeInstanceOf(SecretsFileError);
  });

  it('rejects a file that is not JSON', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{"webhooks": [');
    await expect(readSecretsFile(file)).rejects.toThrow(/not valid JSON/);
  });

  it('never repeats a secret in its error message', async () => {
    const file = path.join(dir, 'bad-entry.json');
    await writeFile(
      file,
      JSON.stringify({ webhooks: [{ ...entry('wh_1', 'whsec_do_not_print'), agent_id: 42 }] }),
    );
    const error = await readSecretsFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsFileError);
    expect(String(error)).not.toContain('whsec_do_not_print');
  });

  it('adds an entry, replacing one with the same webhook id', () => {
    const before = { webhooks: [entry('wh_1'), entry('wh_2')] };
    expect(withWebhookEntry(before, entry('wh_1', 'whsec_new')).webhooks).toEqual([
      entry('wh_2'),
      entry('wh_1', 'whsec_new'),
    ]);
  });

  it('removes an entry by webhook id', () => {
    expect(withoutWebhookEntry({ webhooks: [entry('wh_1'), entry('wh_2')] }, 'wh_1')).toEqual({
      webhooks: [entry('wh_2')],
    });
  });
});
