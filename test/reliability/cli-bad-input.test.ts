// The `twinflow` command given bad input, beyond the cases test/integration/cli-*.test.ts cover: input that is
// not an object, unreadable or too large for Temporal, bad run keys and filters, webhook URLs with credentials,
// and crons that are almost right. Each must end with exit code 2 and a sentence naming what was wrong, never a
// stack trace or a library's raw error. And registering a webhook URL never makes the CLI itself call it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../services/cli/errors.js';
import { startCliWorld, type CliResult, type CliWorld } from '../integration/cli-fixture.js';
import { listenOnEphemeralPort, type Listening } from '../support/receiver.js';

let world: CliWorld;
let agent: string;
let validInput: Record<string, unknown>;

function expectUsageError(result: CliResult, says: RegExp): void {
  expect(result.code, result.stderr).toBe(EXIT.usage);
  expect(result.stderr).toMatch(says);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

beforeAll(async () => {
  world = await startCliWorld();
  agent = await world.stack.newAgent([{ durationMs: 50 }]);
  validInput = { repo: 'acme/shop', agents: { collector: agent, writer: agent, publisher: agent } };
  await writeFile(
    path.join(world.dir, 'big.json'),
    JSON.stringify({ ...validInput, repo: 'x'.repeat(3 * 1024 * 1024) }),
  );
});

afterAll(async () => {
  await world?.close();
});

describe.concurrent('twinflow run', () => {
  it('refuses input that is a JSON array, saying it must be an object', async () => {
    expectUsageError(
      await world.twinflow(['run', 'nightly-digest', '--input', '[1,2]']),
      /must be a JSON object/,
    );
  });

  it('refuses an input file that does not exist, naming it', async () => {
    expectUsageError(
      await world.twinflow(['run', 'nightly-digest', '--input', '@nowhere.json']),
      /cannot read input file nowhere\.json/,
    );
  });

  it('refuses an input too large to travel with the workflow, before Temporal does', async () => {
    expectUsageError(
      await world.twinflow(['run', 'nightly-digest', '--input', '@big.json']),
      /input.*(large|bytes|size)/i,
    );
  });

  it('refuses a run key that cannot be part of a workflow ID', async () => {
    const result = await world.twinflow([
      'run',
      'nightly-digest',
      '--input',
      JSON.stringify(validInput),
      '--id',
      '../other',
    ]);
    expectUsageError(result, /idempotency key/);
  });
});

describe.concurrent('twinflow status and list', () => {
  it('refuses a pipeline run ID that is not pipeline/<name>/<key>', async () => {
    expectUsageError(await world.twinflow(['status', 'run_123']), /not a pipeline run ID/);
  });

  it('refuses a non-numeric --limit', async () => {
    expectUsageError(await world.twinflow(['list', '--limit', 'many']), /--limit/);
  });
});

describe.concurrent('twinflow schedules set', () => {
  it.each([
    ['six fields', ['0', '0', '9', '*', '*', 'MON-FRI']],
    ['a seconds field of 60', ['60 0 9 * * * *']],
    ['a year that has passed', ['0 0 9 1 1 * 2001']],
    ['a macro instead of fields', ['@daily']],
  ])('refuses a cron with %s, showing the 7-field format', async (_what, cron) => {
    expectUsageError(await world.twinflow(['schedules', 'set', agent, ...cron]), /cron/);
  });
});

describe('twinflow webhooks register', () => {
  let listener: Listening;
  let requestsSeen = 0;

  beforeAll(async () => {
    listener = await listenOnEphemeralPort((_req, res) => {
      requestsSeen++;
      res.end();
    });
  });

  afterAll(async () => {
    await listener?.close();
  });

  const register = (url: string) => world.twinflow(['webhooks', 'register', '--agent', agent, '--url', url]);

  it('refuses a URL that carries credentials', async () => {
    expectUsageError(await register('https://user:pass@hooks.example.com/webhooks/twin'), /credentials/);
  });

  it.each([
    ['the IPv4 cloud metadata address', 'https://169.254.169.254/latest/meta-data'],
    ['the same address written as one number', 'http://2852039166/'],
    ['an IPv6 link-local address', 'https://[fe80::1]/webhooks/twin'],
  ])('refuses %s, a link-local target', async (_what, url) => {
    expectUsageError(await register(url), /link-local/);
  });

  it('never requests the URL it is given: only Twin delivers to it', async () => {
    const result = await register(`${listener.url}/webhooks/twin`);
    expect(result.code, result.stderr).toBe(0);
    expect(requestsSeen).toBe(0);
  });
});
