// `npm start` end to end: the supervisor (services/dev-stack/main.ts) as a child process, every port chosen
// free and a temporary data directory, so it runs beside anything else on the machine. It must become ready,
// run the demo pipeline through the CLI (with webhooks flowing from the emulator to the receiver), stop every
// process on SIGINT, and on a second start reuse its data without seeding anything twice.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_INPUT, DEMO_PIPELINE } from '../../services/dev-stack/demo-agents.js';
import { readSecretsFile } from '../../services/shared/secrets-file.js';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import { REPOSITORY_CONFIG, runCli } from '../integration/cli-fixture.js';
import {
  freeStackPorts,
  READY_TIMEOUT_MS,
  spawnStack,
  stackPortEnv,
  stopStack,
  waitForReady,
  type StackPorts,
  type StackProcess,
} from '../support/dev-stack-process.js';
import { eventually } from '../support/twinflow-stack.js';

const MAIN = path.join(PROJECT_ROOT, 'services/dev-stack/main.ts');
const TSX_LOADER = import.meta.resolve('tsx');

function startStack(env: Record<string, string>, cwd: string): StackProcess {
  return spawnStack(['--import', TSX_LOADER, MAIN], env, cwd);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** What a person's shell holds after `npm start` in another terminal: the CLI finds the stack through it. */
function cliEnvOf(env: Record<string, string>): Record<string, string> {
  return {
    PATH: env.PATH ?? '',
    TWINFLOW_CONFIG: REPOSITORY_CONFIG,
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS ?? '',
    TWINFLOW_DATA_DIR: env.TWINFLOW_DATA_DIR ?? '',
  };
}

describe('npm start (services/dev-stack/main.ts)', () => {
  let dir: string;
  let ports: StackPorts;
  let env: Record<string, string>;
  let first: StackProcess;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'twinflow-stack-'));
    ports = await freeStackPorts();
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      TWINFLOW_CONFIG: REPOSITORY_CONFIG,
      ...stackPortEnv(ports),
      TWINFLOW_DATA_DIR: path.join(dir, 'data'),
      WEBHOOK_SECRETS_FILE: path.join(dir, 'data', 'webhook-secrets.json'),
    };
    first = startStack(env, dir);
    await waitForReady(first);
  }, READY_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    for (const stack of [first]) if (stack?.child.exitCode === null) await stopStack(stack);
    await rm(dir, { recursive: true, force: true });
  });

  it('prints where everything is once it is ready', () => {
    const output = first.output();
    for (const prefix of [
      '[temporal]',
      '[emulator]',
      '[managed-agents]',
      '[twin-ai]',
      '[twig]',
      '[receiver]',
      '[worker]',
    ])
      expect(output).toContain(prefix);
    expect(output).toContain(`http://127.0.0.1:${ports.ui}`);
    expect(output).toContain(`http://127.0.0.1:${ports.receiver}`);
    expect(output).toContain(`http://127.0.0.1:${ports.emulator}`);
    expect(output).toMatch(
      new RegExp(`Managed agents +http://127\\.0\\.0\\.1:${ports.managedAgents} .*demo-researcher`),
    );
    expect(output).toMatch(/Control token +data\/control-api-token/);
    expect(output).toContain(`npx twinflow run ${DEMO_PIPELINE}`);
  });

  it('runs the demo pipeline through the CLI to success, with webhooks reaching the receiver', async () => {
    const cliEnv = cliEnvOf(env);

    const result = await runCli(
      ['run', DEMO_PIPELINE, '--input', JSON.stringify(DEMO_INPUT), '--id', 'stack-e2e', '--wait'],
      cliEnv,
      dir,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/pipeline\/nightly-digest\/stack-e2e\s+succeeded/);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.receiver}/metrics`)).text();
    expect(metrics).toMatch(/twinflow_receiver_deliveries_total\{[^}]*result="delivered"[^}]*\} [1-9]/);
  });

  it('runs the example mixing a managed-agent session and a Twin agent, showing the session’s events', async () => {
    const cliEnv = cliEnvOf(env);
    const input = JSON.stringify({ topic: 'durable agent pipelines' });
    const result = await runCli(
      ['run', 'research-report', '--input', input, '--id', 'mixed', '--wait'],
      cliEnv,
      dir,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/pipeline\/research-report\/mixed\s+succeeded/);
    expect(result.stdout).toMatch(/research · tool_call: /);
    expect(result.stdout).toMatch(/findings → \{"findings":/);
  });

  it('runs the example across Twin, Twin.ai and Twig, with a person approving the unsure answer', async () => {
    const cliEnv = cliEnvOf(env);
    const input = JSON.stringify({ subject: 'Broken blender', message: 'It broke after 45 days. A refund?' });
    const run = runCli(
      ['run', 'support-escalation', '--input', input, '--id', 'three', '--wait'],
      cliEnv,
      dir,
    );
    const id = 'pipeline/support-escalation/three';
    await eventually(
      'the review to be approved',
      async () => ((await runCli(['approve', id, 'review'], cliEnv, dir)).code === 0 ? true : undefined),
      60_000,
    );

    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/pipeline\/support-escalation\/three\s+succeeded/);
    expect(result.stdout).toMatch(/policy → Refunds after 30 days need a manager/);
    expect(result.stdout).toMatch(/resolve → Approved by /);
    expect(result.stdout).toMatch(/remember → kb_/);
  });

  it('restarts a service that dies, and says so loudly', async () => {
    const pid = Number(/receiver started \(pid (\d+)\)/.exec(first.output())?.[1]);

    process.kill(pid, 'SIGKILL');

    await eventually('the receiver to be restarted', async () =>
      /receiver is running again/.test(first.output()) ? true : undefined,
    );
    expect(first.output()).toContain('!!! receiver died by signal SIGKILL; restarting in 1 s (restart #1)');
    await eventually('the new receiver to answer', async () =>
      (await fetch(`http://127.0.0.1:${ports.receiver}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
        ? true
        : undefined,
    );
  });

  it('stops every process on SIGINT', async () => {
    const code = await stopStack(first);

    expect(code).toBe(0);
    expect(first.output()).toContain('everything stopped');
    for (const [name, port] of Object.entries(ports))
      expect(await portOpen(port), `${name} port ${port}`).toBe(false);
  });

  it(
    'reuses its data on a second start without seeding anything twice',
    async () => {
      const secretsBefore = await readSecretsFile(env.WEBHOOK_SECRETS_FILE ?? '');
      const second = startStack(env, dir);
      try {
        await waitForReady(second);
        const cliEnv = cliEnvOf(env);

        const listed = await runCli(['--json', 'list', '--pipeline', DEMO_PIPELINE], cliEnv, dir);

        expect(second.output()).toContain('emulator already seeded');
        expect((await readSecretsFile(env.WEBHOOK_SECRETS_FILE ?? '')).webhooks).toEqual(
          secretsBefore.webhooks,
        );
        expect(listed.stdout).toContain('pipeline/nightly-digest/stack-e2e');
      } finally {
        expect(await stopStack(second)).toBe(0);
      }
    },
    READY_TIMEOUT_MS + 30_000,
  );
});
