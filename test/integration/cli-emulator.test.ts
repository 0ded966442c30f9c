// `twinflow emulator agents …` against the emulator of a local stack, found through the stack's state file as
// `npm start` writes it: agents with scripted runs, a webhook at the stack's receiver, scripts replaced, listed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSecretsFile } from '../../services/shared/secrets-file.js';
import { writeStackState } from '../../services/dev-stack/stack-state.js';
import { runCli, startCliWorld, type CliWorld } from './cli-fixture.js';

let world: CliWorld;
/** The CLI as on a machine where `npm start` runs and no TWIN_API_KEY is set. */
function twinflowLocal(args: string[]) {
  const { TWIN_API_KEY: _key, ...env } = world.env;
  return runCli(args, env, world.dir);
}

beforeAll(async () => {
  world = await startCliWorld();
  await writeStackState(world.env.TWINFLOW_DATA_DIR as string, {
    emulator: { url: world.stack.emulator.url, apiKey: world.stack.apiKey },
    temporalAddress: world.stack.config.TEMPORAL_ADDRESS,
    webUiUrl: 'http://127.0.0.1:8233',
    receiverUrl: 'http://127.0.0.1:8787',
  });
});
afterAll(() => world?.close());

describe('twinflow emulator agents', () => {
  it('create makes a deployed agent with its script and a webhook at the local receiver', async () => {
    const runs = JSON.stringify([{ durationMs: 50, output: 'hello' }]);
    const { code, stdout, stderr } = await twinflowLocal([
      '--json',
      'emulator',
      'agents',
      'create',
      '--id',
      'cli-made-agent',
      '--runs',
      runs,
    ]);
    expect(code, stderr).toBe(0);
    const value = JSON.parse(stdout) as {
      agent: { agent_id: string; deployment_state: string };
      webhook: { webhook_id: string; url: string };
    };
    expect(value.agent).toMatchObject({ agent_id: 'cli-made-agent', deployment_state: 'deployed' });
    expect(value.webhook.url).toBe('http://127.0.0.1:8787/webhooks/twin');
    const secrets = await readSecretsFile(world.secretsFile);
    expect(secrets.webhooks.map((w) => w.agent_id)).toContain('cli-made-agent');
  });

  it('script replaces the runs an agent will make', async () => {
    const runs = JSON.stringify([{ durationMs: 50, result: 'failed', reason: 'on purpose' }]);
    const result = await twinflowLocal(['emulator', 'agents', 'script', 'cli-made-agent', '--runs', runs]);
    expect(result.code, result.stderr).toBe(0);
    const { run } = await world.stack.twin.startRun('cli-made-agent', { run_mode: 'run' });
    await expect
      .poll(
        async () => (await world.stack.runsOf('cli-made-agent')).find((r) => r.run_id === run.run_id)?.status,
        {
          timeout: 10_000,
        },
      )
      .toBe('error');
  });

  it('list shows the agents of the emulator', async () => {
    const result = await twinflowLocal(['emulator', 'agents', 'list']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('cli-made-agent');
  });

  it('refuses a script that is not a list of behaviours, saying what to write', async () => {
    const result = await twinflowLocal([
      'emulator',
      'agents',
      'script',
      'cli-made-agent',
      '--runs',
      '{"x":1}',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--runs must be a JSON array of run behaviours');
  });

  it('refuses to touch a real Twin', async () => {
    const result = await world.twinflow(['emulator', 'agents', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('TWIN_API_KEY points at a real Twin');
  });
});
