// Exit codes are an interface: scripts branch on them. Each code of services/cli/exit-codes.ts is produced here by
// the real CLI against the real stack, and the table in `twinflow --help` and in docs/operations.md is the
// module's own, word for word.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODE_MEANINGS } from '../../services/cli/exit-codes.js';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import { freePort } from '../../services/shared/processes.js';
import { digestAgents, runCli, startCliWorld, type CliWorld } from './cli-fixture.js';

const INPUT = JSON.stringify({ repo: 'acme/shop' });

let world: CliWorld;
let happy: Record<string, string>;

beforeAll(async () => {
  world = await startCliWorld();
  const agent = () => world.stack.newAgent([{ durationMs: 100, result: 'completed', outcome: 'success' }]);
  happy = digestAgents({ collector: await agent(), writer: await agent(), publisher: await agent() });
  const done = await world.twinflow(
    ['run', 'nightly-digest', '--input', INPUT, '--id', 'done', '--wait'],
    happy,
  );
  expect(done.code, done.stderr).toBe(EXIT.ok);
});
afterAll(() => world?.close());

describe('the exit code table', () => {
  it('is printed by --help', async () => {
    const help = await world.twinflow(['--help']);
    expect(help.code).toBe(EXIT.ok);
    for (const [code, meaning] of Object.entries(EXIT_CODE_MEANINGS))
      expect(help.stdout).toContain(`  ${code}  ${meaning}`);
  });

  it('is the one in docs/operations.md', async () => {
    const doc = await readFile(path.join(PROJECT_ROOT, 'docs/operations.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| (\d) +\| (.+?) +\|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(EXIT_CODE_MEANINGS);
  });
});

describe('each exit code', () => {
  it('1: run with the key of a run that failed says so, and that a new key starts a new run', async () => {
    const failing = await world.stack.newAgent([{ durationMs: 50, result: 'failed' }]);
    const env = digestAgents({ collector: failing, writer: failing, publisher: failing });
    const args = ['run', 'nightly-digest', '--input', INPUT, '--id', 'failed-once'];
    expect((await world.twinflow([...args, '--wait'], env)).code).toBe(EXIT.failed);

    const again = await world.twinflow(args, env);

    expect(again.code, again.stderr).toBe(EXIT.failed);
    expect(again.stderr).toContain(
      'pipeline run pipeline/nightly-digest/failed-once already ran with this key and failed; nothing was started',
    );
    expect(again.stderr).toContain('a new --id (or none) starts a new run');
  });

  it('0: run with the key of a run that succeeded says it already ran', async () => {
    const again = await world.twinflow(['run', 'nightly-digest', '--input', INPUT, '--id', 'done'], happy);
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(again.stdout).toContain('already ran with this key and succeeded: pipeline/nightly-digest/done');
  });

  it('2: an approval of a step the pipeline does not have', async () => {
    const result = await world.twinflow(['approve', 'nightly-digest/done', 'ghost']);
    expect(result.code, result.stderr).toBe(EXIT.usage);
    expect(result.stderr).toContain('has no step "ghost"');
  });

  it('3: Temporal cannot be reached', async () => {
    const result = await world.twinflow(['list'], { TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` });
    expect(result.code, result.stderr).toBe(EXIT.unavailable);
  });

  it('4: Twin refuses the API key', async () => {
    const result = await world.twinflow(['webhooks', 'list'], { TWIN_API_KEY: 'twin_wrong_key' });
    expect(result.code, result.stderr).toBe(EXIT.unauthorized);
  });

  it('5: no such run', async () => {
    const result = await world.twinflow(['pause', 'nightly-digest/never-started']);
    expect(result.code, result.stderr).toBe(EXIT.notFound);
    expect(result.stderr).toContain('no pipeline run pipeline/nightly-digest/never-started');
  });

  it.each(['pause', 'resume', 'cancel'])(
    '6: %s of a finished run says it has already ended',
    async (command) => {
      const result = await world.twinflow([command, 'nightly-digest/done']);
      expect(result.code, result.stderr).toBe(EXIT.conflict);
      expect(result.stderr).toContain(
        'pipeline run pipeline/nightly-digest/done has already ended (succeeded)',
      );
    },
  );

  it('6: approve on a finished run says it has already ended', async () => {
    const result = await world.twinflow(['approve', 'nightly-digest/done', 'publish']);
    expect(result.code, result.stderr).toBe(EXIT.conflict);
    expect(result.stderr).toContain('has already ended (succeeded)');
  });

  it('6: approve of a step that is not an approval step, on a running pipeline', async () => {
    const slow = await world.stack.newAgent([{ durationMs: 30_000, result: 'completed' }]);
    const env = digestAgents({ collector: slow, writer: slow, publisher: slow });
    await world.twinflow(['run', 'nightly-digest', '--input', INPUT, '--id', 'running'], env);

    const result = await world.twinflow(['approve', 'nightly-digest/running', 'collect']);

    expect(result.code, result.stderr).toBe(EXIT.conflict);
    expect(result.stderr).toContain('is not an approval step');
    await world.twinflow(['cancel', 'nightly-digest/running']);
  });

  it('7: a local stack state file that cannot be read', async () => {
    const dataDir = path.join(world.dir, 'corrupt-data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'dev-stack.json'), '{ not json');
    const { TEMPORAL_ADDRESS: _unset, ...env } = world.env;
    const result = await runCli(['list'], { ...env, TWINFLOW_DATA_DIR: dataDir }, world.dir);
    expect(result.code, result.stderr).toBe(EXIT.internal);
    expect(result.stderr).toContain('dev-stack.json is not valid JSON');
  });
});
