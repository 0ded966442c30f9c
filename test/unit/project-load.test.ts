// A project's twinflow.config.ts as every process loads it: found in the working folder or named by
// TWINFLOW_CONFIG, checked for shape, and any invalid pipeline reported at the user's own file and step.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfigFile, loadProject, ProjectError } from '../../services/project/load.js';
import { EXIT_CONFIG } from '../../services/shared/exit-codes.js';
import { exitCodeOf } from '../../services/pipelines/startup-errors.js';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';

const ENTRY = JSON.stringify(path.join(PROJECT_ROOT, 'index.ts'));
let root: string;
let count = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'twinflow-project-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A project folder of its own per test: module caching must not hand one test another's config. */
async function project(files: Record<string, string>): Promise<string> {
  const dir = path.join(root, `p${++count}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

const PIPELINE = (after: string) => `import { definePipeline } from ${ENTRY};
export const triage = definePipeline({
  name: 'triage',
  steps: [
    { id: 'lint', kind: 'agent', agent: 'agent_a' },
    { id: 'fix', kind: 'agent', agent: 'agent_b', after: [${JSON.stringify(after)}] },
  ],
});
`;

const CONFIG = `import { defineConfig } from ${ENTRY};
import { triage } from './pipelines/triage.ts';
export default defineConfig({ pipelines: [triage], taskQueue: 'triage-queue' });
`;

describe('loading a project', () => {
  it("registers the config's pipelines and keeps its settings", async () => {
    const dir = await project({ 'twinflow.config.ts': CONFIG, 'pipelines/triage.ts': PIPELINE('lint') });

    const loaded = await loadProject({ cwd: dir, env: {} });

    expect(loaded.registry.list().map((p) => p.name)).toEqual(['triage']);
    expect(loaded.config.taskQueue).toBe('triage-queue');
    expect(loaded.file).toBe(path.join(dir, 'twinflow.config.ts'));
  });

  it('reports an invalid pipeline at its own file and step', async () => {
    const dir = await project({ 'twinflow.config.ts': CONFIG, 'pipelines/triage.ts': PIPELINE('gate') });

    const failure = loadProject({ cwd: dir, env: {} });

    await expect(failure).rejects.toThrow(ProjectError);
    await expect(failure).rejects.toThrow(
      `${path.join(dir, 'pipelines/triage.ts')}: step "fix": "after" names unknown step "gate"`,
    );
  });

  it('refuses a setting it does not know, naming it', async () => {
    const dir = await project({
      'twinflow.config.ts': `export default { pipelines: [], taskQeue: 'x' };\n`,
    });

    await expect(loadProject({ cwd: dir, env: {} })).rejects.toThrow(/taskQeue/);
  });

  it('hands the function form the environment it is loaded with', async () => {
    const dir = await project({
      'twinflow.config.ts': `export default ({ env }) => ({ pipelines: [], taskQueue: env.QUEUE });\n`,
    });

    const loaded = await loadProject({ cwd: dir, env: { QUEUE: 'from-env' } });

    expect(loaded.config.taskQueue).toBe('from-env');
  });

  it('says how to create a project when there is none', async () => {
    const dir = await project({ 'README.md': '# nothing here\n' });

    expect(() => findConfigFile(dir, {})).toThrow(/no twinflow.config.ts in .*twinflow init/);
  });

  it('finds the config TWINFLOW_CONFIG names, from anywhere', async () => {
    const dir = await project({
      'conf/twinflow.config.ts': CONFIG.replace('./pipelines', '../pipelines'),
      'pipelines/triage.ts': PIPELINE('lint'),
    });

    expect(findConfigFile(root, { TWINFLOW_CONFIG: path.join(dir, 'conf/twinflow.config.ts') })).toBe(
      path.join(dir, 'conf/twinflow.config.ts'),
    );
  });

  it('is a configuration error: a process that meets it exits with EXIT_CONFIG', () => {
    expect(exitCodeOf(new ProjectError('twinflow.config.ts: pipelines: required'))).toBe(EXIT_CONFIG);
  });
});
