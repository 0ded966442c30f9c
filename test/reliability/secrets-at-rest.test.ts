// Secrets where they rest: the webhook secrets file is private (0600 in a 0700 directory) however permissive
// the process umask and whatever mode an older copy had; configuration refuses an empty or too-short secret
// and says which variable is wrong without repeating any value; the worker will not start without its key.
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EMPTY_SECRETS_FILE,
  withWebhookEntry,
  writeSecretsFile,
} from '../../services/shared/secrets-file.js';
import { ConfigError, loadConfig } from '../../services/shared/config.js';
import { startService, WORKER_MAIN } from '../support/chaos-processes.js';

const ENTRY = {
  webhook_id: 'wh_1',
  agent_id: 'agent_1',
  url: 'https://hooks.example.com/webhooks/twin',
  signing_secret: 'whsec_at_rest_0123456789',
  created_at: '2026-01-01T00:00:00Z',
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'secrets-at-rest-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

describe('the webhook secrets file', () => {
  it('is created 0600 in a new 0700 directory even under a umask that allows everything', async () => {
    const file = path.join(dir, 'open-umask', 'webhook-secrets.json');
    const previous = process.umask(0o000);
    try {
      await writeSecretsFile(file, withWebhookEntry(EMPTY_SECRETS_FILE, ENTRY));
    } finally {
      process.umask(previous);
    }
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(path.dirname(file))).toBe(0o700);
  });

  it('is 0600 again after a rewrite of a copy someone made world-readable', async () => {
    const file = path.join(dir, 'loosened.json');
    await writeFile(file, JSON.stringify(EMPTY_SECRETS_FILE));
    await chmod(file, 0o644);
    await writeSecretsFile(file, withWebhookEntry(EMPTY_SECRETS_FILE, ENTRY));
    expect(await modeOf(file)).toBe(0o600);
  });
});

describe('configuration', () => {
  function configProblem(env: Record<string, string>): string {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('the configuration was accepted');
  }

  it.each([
    ['only a comma', ','],
    ['an empty item between two secrets', 'whsec_kept_aaaaaaaa,,whsec_kept_bbbbbbbb'],
    ['a trailing blank item', 'whsec_kept_aaaaaaaa, '],
  ])('refuses WEBHOOK_SIGNING_SECRETS with %s, naming the variable and no secret', (_what, value) => {
    const message = configProblem({ WEBHOOK_SIGNING_SECRETS: value });
    expect(message).toContain('WEBHOOK_SIGNING_SECRETS');
    expect(message).not.toContain('whsec_kept');
  });

  it('refuses an empty TWIN_API_KEY', () => {
    expect(configProblem({ TWIN_API_KEY: '' })).toContain('TWIN_API_KEY');
  });

  it('refuses a CONTROL_API_TOKEN shorter than 16 characters without repeating it', () => {
    const message = configProblem({ CONTROL_API_TOKEN: 'tok_shorty' });
    expect(message).toContain('CONTROL_API_TOKEN');
    expect(message).not.toContain('tok_shorty');
  });
});

describe('the worker process', () => {
  it('refuses to start without TWIN_API_KEY and says why', async () => {
    const logFile = path.join(dir, 'worker.log');
    const started = startService({
      name: 'worker',
      script: WORKER_MAIN,
      env: { LOG_LEVEL: 'info' },
      logFile,
      readyMessage: 'workers running',
    });
    await expect(started).rejects.toThrow(/exited \(78\)[\s\S]*TWIN_API_KEY is not set/);
  });
});
