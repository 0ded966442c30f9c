// The Twin side of the `twinflow` CLI, run as a real child process against the emulator: webhook secrets end
// up in a private file the receiver reads, unsafe webhook URLs are refused or warned about, rotation keeps
// both secrets valid, crons are checked and explained, and Twin's 401 is a clear error.
import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSecretsFile } from '../../services/shared/secrets-file.js';
import { runCli, startCliWorld, type CliWorld } from './cli-fixture.js';

interface Registered {
  webhook_id: string;
  url: string;
  secrets_file: string;
}

describe('twinflow webhooks and schedules', () => {
  let world: CliWorld;
  let agent: string;

  beforeAll(async () => {
    world = await startCliWorld();
    // No stack webhook: these tests count the webhooks the CLI itself creates.
    agent = await world.stack.newAgent([{ durationMs: 100 }], { webhook: false });
  });

  afterAll(async () => {
    await world?.close();
  });

  it('webhooks register creates the webhook and stores its secret in a 0600 secrets file', async () => {
    const { code, value, stderr } = await world.twinflowJson<Registered>([
      'webhooks',
      'register',
      '--agent',
      agent,
      '--url',
      'https://hooks.example.com/webhooks/twin',
    ]);

    expect(code, stderr).toBe(0);
    const file = await readSecretsFile(world.secretsFile);
    const entry = file.webhooks.find((w) => w.webhook_id === value.webhook_id);
    expect(entry).toMatchObject({ agent_id: agent, url: 'https://hooks.example.com/webhooks/twin' });
    expect(entry?.signing_secret.length).toBeGreaterThan(10);
    expect((await stat(world.secretsFile)).mode & 0o777).toBe(0o600);
    const { webhooks } = await world.stack.twin.listWebhooks(agent);
    expect(webhooks.map((w) => w.webhook_id)).toContain(value.webhook_id);
  });

  it('webhooks register never prints the signing secret', async () => {
    const result = await world.twinflow([
      '--json',
      'webhooks',
      'register',
      '--agent',
      agent,
      '--url',
      'https://quiet.example.com/h',
    ]);

    const { webhook_id } = JSON.parse(result.stdout) as Registered;
    const secret = (await readSecretsFile(world.secretsFile)).webhooks.find(
      (w) => w.webhook_id === webhook_id,
    )?.signing_secret;
    expect(secret).toBeDefined();
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('refuses a webhook URL that is not http(s)', async () => {
    const result = await world.twinflow([
      'webhooks',
      'register',
      '--agent',
      agent,
      '--url',
      'file:///etc/passwd',
    ]);

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('webhook URL must be http or https');
  });

  it('warns about plain http to a host that is not loopback, and allows it on loopback', async () => {
    const remote = await world.twinflow([
      'webhooks',
      'register',
      '--agent',
      agent,
      '--url',
      'http://hooks.example.com/h',
    ]);
    const local = await world.twinflow([
      'webhooks',
      'register',
      '--agent',
      agent,
      '--url',
      'http://127.0.0.1:8787/webhooks/twin',
    ]);

    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stderr).toContain('plain http on a non-loopback host');
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).not.toContain('warning');
  });

  it('webhooks list shows each webhook and whether its secret is stored', async () => {
    const other = await world.stack.newAgent([{ durationMs: 100 }], { webhook: false });
    const foreign = await world.stack.twin.createWebhook(other, {
      url: 'https://elsewhere.example.com/h',
      events: ['run.completed'],
    });

    const { value } = await world.twinflowJson<{ webhook_id: string; secret_stored: boolean }[]>([
      'webhooks',
      'list',
      '--agent',
      other,
    ]);

    expect(value).toEqual([
      expect.objectContaining({ webhook_id: foreign.webhook_id, secret_stored: false }),
    ]);
  });

  it('webhooks rotate adds a new webhook and keeps both secrets until the old one is deleted', async () => {
    const rotating = await world.stack.newAgent([{ durationMs: 100 }], { webhook: false });
    const first = (
      await world.twinflowJson<Registered>([
        'webhooks',
        'register',
        '--agent',
        rotating,
        '--url',
        'https://rotate.example.com/h',
      ])
    ).value;

    const rotated = await world.twinflowJson<{ old: string; new: Registered }>([
      'webhooks',
      'rotate',
      '--agent',
      rotating,
    ]);

    expect(rotated.code).toBe(0);
    const stored = (await readSecretsFile(world.secretsFile)).webhooks.map((w) => w.webhook_id);
    expect(stored).toEqual(expect.arrayContaining([first.webhook_id, rotated.value.new.webhook_id]));

    const deleted = await world.twinflow([
      'webhooks',
      'delete',
      '--agent',
      rotating,
      '--webhook',
      first.webhook_id,
    ]);

    expect(deleted.code, deleted.stderr).toBe(0);
    const after = (await readSecretsFile(world.secretsFile)).webhooks.map((w) => w.webhook_id);
    expect(after).toContain(rotated.value.new.webhook_id);
    expect(after).not.toContain(first.webhook_id);
    expect((await world.stack.twin.listWebhooks(rotating)).webhooks.map((w) => w.webhook_id)).toEqual([
      rotated.value.new.webhook_id,
    ]);
  });

  it('schedules set with a bad cron exits 2, says what is wrong and shows the 7-field format', async () => {
    const result = await world.twinflow(['schedules', 'set', agent, '0 9 * * *']);

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('invalid cron "0 9 * * *": expected 7 fields');
    expect(result.stderr).toContain('sec min hour day-of-month month day-of-week year');
    expect((await world.stack.twin.getSchedule(agent)).schedule).toBeNull();
  });

  it('schedules set explains the cron and get shows it back', async () => {
    const set = await world.twinflow(['schedules', 'set', agent, '0 0 9 * * MON-FRI *']);
    const got = await world.twinflowJson<{
      schedule: { cron: string; paused: boolean };
      explanation: { description: string };
    }>(['schedules', 'get', agent]);

    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('at 09:00:00 on Monday through Friday (UTC)');
    expect(got.value.schedule).toEqual({ cron: '0 0 9 * * MON-FRI *', paused: false });
    expect(got.value.explanation.description).toContain('Monday through Friday');
  });

  it('schedules pause, resume and delete reach Twin', async () => {
    await world.twinflow(['schedules', 'set', agent, '0 30 * * * * *']);

    expect((await world.twinflow(['schedules', 'pause', agent])).code).toBe(0);
    expect((await world.stack.twin.getSchedule(agent)).schedule?.paused).toBe(true);
    expect((await world.twinflow(['schedules', 'resume', agent])).code).toBe(0);
    expect((await world.stack.twin.getSchedule(agent)).schedule?.paused).toBe(false);
    expect((await world.twinflow(['schedules', 'delete', agent])).code).toBe(0);
    expect((await world.stack.twin.getSchedule(agent)).schedule).toBeNull();
  });

  it('schedules get of a paused schedule shows no upcoming fire times', async () => {
    await world.twinflow(['schedules', 'set', agent, '0 0 9 * * MON-FRI *']);
    await world.twinflow(['schedules', 'pause', agent]);

    const result = await world.twinflow(['schedules', 'get', agent]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`agent ${agent}: paused`);
    expect(result.stdout).toContain('next: none while paused');
    expect(result.stdout).not.toMatch(/next: \d{4}-/);
    await world.twinflow(['schedules', 'delete', agent]);
  });

  it("Twin's 401 exits 4 and points at TWIN_API_KEY", async () => {
    const result = await world.twinflow(['schedules', 'get', agent], { TWIN_API_KEY: 'not-a-real-key' });

    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain('refused the API key (401');
    expect(result.stderr).toContain('check TWIN_API_KEY');
  });

  it('without TWIN_API_KEY and without a local stack, Twin commands explain what to set', async () => {
    const env = { ...world.env };
    delete env.TWIN_API_KEY;

    const result = await runCli(['webhooks', 'list'], env, world.dir);

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('TWIN_API_KEY is not set');
  });
});
