// twinflow as a team meets it: `npm pack` this repository, install the tarball into a fresh folder outside it,
// `twinflow init`, add a pipeline and a code-first workflow of their own, `twinflow dev`, run all three through
// the CLI (one with an approval), and stop. No file of the repository is touched; the project's dependencies come from the npm
// registry (or its cache), and the Temporal CLI this repository already provisioned is lent through
// TEMPORAL_CLI_PATH, the route scripts/ensure-temporal.sh documents for machines that have one.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, TEMPORAL_BINARY } from '../../services/shared/project-paths.js';
import {
  freeStackPorts,
  READY_TIMEOUT_MS,
  spawnStack,
  stackPortEnv,
  stopStack,
  waitForReady,
  type StackProcess,
} from '../support/dev-stack-process.js';

const exec = promisify(execFile);
const INSTALL_TIMEOUT_MS = 600_000;

const RELEASE_PIPELINE = `import { definePipeline } from 'twinflow';

export const release = definePipeline({
  name: 'release',
  description: 'build, then a person approves, then ship',
  steps: [
    { id: 'build', kind: 'agent', agent: '{{input.agents.builder}}', message: 'Build {{input.version}}.' },
    { id: 'go', kind: 'approval', after: ['build'], prompt: 'Ship {{input.version}}?' },
    { id: 'ship', kind: 'agent', agent: '{{input.agents.shipper}}', after: ['go'], message: 'Ship: {{steps.build.output}}' },
  ],
});
`;

/** What `twinflow --json status` prints, as far as this test reads it. */
interface RunStatus {
  status: string;
  state?: { steps: { id: string; status: string; output?: string }[] };
}

const GREET_WORKFLOW = `import { runAgent } from 'twinflow';

export async function greetWorkflow(input: { agent: string; name: string }): Promise<string | undefined> {
  const result = await runAgent(input.agent, { stepKey: 'greet', userMessage: \`Greet \${input.name}.\` });
  return result.output;
}
`;

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let env: Record<string, string>;
let stack: StackProcess | undefined;

/** The project's own `npx twinflow`: the bin npm linked into node_modules/.bin from the tarball. */
async function twinflow(args: string[]): Promise<Cli> {
  const bin = path.join(dir, 'node_modules', '.bin', 'twinflow');
  try {
    const { stdout, stderr } = await exec(bin, args, { cwd: dir, env, timeout: 180_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function twinflowJson<T>(args: string[]): Promise<T> {
  const result = await twinflow(['--json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'twinflow-user-'));
  const packed = await exec('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: PROJECT_ROOT });
  const tarball = path.join(dir, packed.stdout.trim().split('\n').at(-1) ?? '');
  await exec('npm', ['init', '-y'], { cwd: dir });
  await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], {
    cwd: dir,
    timeout: INSTALL_TIMEOUT_MS,
  });
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    TEMPORAL_CLI_PATH: TEMPORAL_BINARY,
    ...stackPortEnv(await freeStackPorts()),
  };
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  if (stack) await stopStack(stack);
  await rm(dir, { recursive: true, force: true });
});

describe('an installed twinflow, in a project of its own', () => {
  it('init scaffolds the config, an example pipeline, its test and the environment', async () => {
    const result = await twinflow(['init']);

    expect(result.code, result.stderr).toBe(0);
    // `npm init` makes a CommonJS package, where init writes its ES modules as .mts.
    for (const file of [
      'twinflow.config.mts',
      'pipelines/summarise.mts',
      'test/summarise.test.mts',
      '.env.example',
    ])
      expect(existsSync(path.join(dir, file)), file).toBe(true);
    expect(await readFile(path.join(dir, 'README.md'), 'utf8')).toContain('npx twinflow dev');
  });

  it('init keeps files that exist unless told --force', async () => {
    await writeFile(
      path.join(dir, 'pipelines/summarise.mts'),
      await readFile(path.join(dir, 'pipelines/summarise.mts')),
    );
    const result = await twinflow(['init']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('kept     pipelines/summarise.mts');
  });

  it("lists the project's pipelines, a second one added by hand included", async () => {
    await writeFile(path.join(dir, 'pipelines/release.mts'), RELEASE_PIPELINE);
    await mkdir(path.join(dir, 'workflows'));
    await writeFile(path.join(dir, 'workflows/index.mts'), GREET_WORKFLOW);
    const config = await readFile(path.join(dir, 'twinflow.config.mts'), 'utf8');
    await writeFile(
      path.join(dir, 'twinflow.config.mts'),
      config
        .replace(
          "import { summarise } from './pipelines/summarise.mjs';",
          "import { summarise } from './pipelines/summarise.mjs';\nimport { release } from './pipelines/release.mjs';",
        )
        .replace(
          'pipelines: [summarise],',
          "pipelines: [summarise, release, { name: 'greet', workflowType: 'greetWorkflow' }],\n  workflows: './workflows/index.mts',",
        ),
    );

    const listed = await twinflowJson<{ name: string }[]>(['pipelines']);

    expect(listed.map((p) => p.name)).toEqual(['summarise', 'release', 'greet']);
  });

  it(
    'dev starts the whole local stack on the project',
    async () => {
      const bin = path.join(dir, 'node_modules', 'twinflow', 'bin', 'twinflow.mjs');
      stack = spawnStack([bin, 'dev'], env, dir);
      await waitForReady(stack);

      expect(stack.output()).toContain('npx twinflow run summarise');
      expect(stack.output()).toContain('demo-writer');
    },
    READY_TIMEOUT_MS + 10_000,
  );

  it("runs the scaffold's pipeline to success, each step with its agent's output", async () => {
    const input = { topic: 'Temporal', agents: { writer: 'demo-writer', reviewer: 'demo-reviewer' } };
    const result = await twinflow([
      'run',
      'summarise',
      '--input',
      JSON.stringify(input),
      '--id',
      'e2e',
      '--wait',
    ]);

    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/pipeline\/summarise\/e2e\s+succeeded/);
    const { state } = await twinflowJson<RunStatus>(['status', 'pipeline/summarise/e2e']);
    expect(state?.steps.map((step) => [step.id, step.status, Boolean(step.output)])).toEqual([
      ['draft', 'succeeded', true],
      ['review', 'succeeded', true],
    ]);
  });

  it('runs the added pipeline through its approval', async () => {
    const input = { version: '1.2.0', agents: { builder: 'demo-builder', shipper: 'demo-shipper' } };
    const started = await twinflow(['run', 'release', '--input', JSON.stringify(input), '--id', 'e2e']);
    expect(started.code, started.stderr).toBe(0);
    await waitForStep('pipeline/release/e2e', 'go', 'waiting_approval');

    const approved = await twinflow(['approve', 'pipeline/release/e2e', 'go', '--by', 'e2e']);
    const waited = await twinflow([
      'run',
      'release',
      '--input',
      JSON.stringify(input),
      '--id',
      'e2e',
      '--wait',
    ]);

    expect(approved.code, approved.stderr).toBe(0);
    expect(waited.code, `${waited.stdout}\n${waited.stderr}`).toBe(0);
    const status = await twinflowJson<RunStatus>(['status', 'pipeline/release/e2e']);
    expect(status.status).toBe('succeeded');
    expect(status.state?.steps.map((s) => [s.id, s.status])).toEqual([
      ['build', 'succeeded'],
      ['go', 'succeeded'],
      ['ship', 'succeeded'],
    ]);
  });

  it('runs a code-first workflow of the project, bundled into the worker from the config', async () => {
    const input = { agent: 'demo-writer', name: 'Ada' };
    const result = await twinflow([
      'run',
      'greet',
      '--input',
      JSON.stringify(input),
      '--id',
      'e2e',
      '--wait',
    ]);

    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const status = await twinflowJson<RunStatus>(['status', 'pipeline/greet/e2e']);
    expect(status.status).toBe('succeeded');
  });

  it('stops everything on Ctrl-C', async () => {
    const code = stack ? await stopStack(stack) : undefined;

    expect(code).toBe(0);
    expect(stack?.output()).toContain('everything stopped');
  });
});

async function waitForStep(id: string, step: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { state } = await twinflowJson<RunStatus>(['status', id]);
    if (state?.steps.find((s) => s.id === step)?.status === status) return;
    if (Date.now() > deadline) throw new Error(`step ${step} of ${id} never became ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
