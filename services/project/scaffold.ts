// What `twinflow init` writes: a project that runs as it is (`npx twinflow dev`), with one example pipeline,
// a test of it on the testing kit, and the environment it reads. A file that exists is left alone unless the
// user asked for --force: init must never destroy work, and says which files it kept.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ScaffoldResult {
  created: string[];
  /** Existing files init did not touch (no --force). */
  kept: string[];
  /** Existing files init added lines to (README section, .gitignore entries). */
  extended: string[];
}

const CONFIG = `// The project's twinflow configuration: every twinflow process started in this folder loads it.
import { defineConfig } from 'twinflow';
import { summarise } from './pipelines/summarise.JS';

export default defineConfig({
  pipelines: [summarise],
  // Defaults of TEMPORAL_TASK_QUEUE, AGENT_CONCURRENCY_DEFAULT and TWIN_API_BASE_URL; the environment wins.
  taskQueue: 'twinflow',
  agentConcurrency: 1,
  twinBaseUrl: 'https://build.twin.so',
  providers: ['twin'],
});
`;

const PIPELINE = `// A writer drafts a summary of a topic, a reviewer checks it: the draft's output is the review's input.
import { definePipeline } from 'twinflow';

export const summarise = definePipeline({
  name: 'summarise',
  description: 'draft a summary, then review it',
  steps: [
    {
      id: 'draft',
      kind: 'agent',
      agent: '{{input.agents.writer}}',
      message: 'Write a short summary of {{input.topic}}.',
    },
    {
      id: 'review',
      kind: 'agent',
      agent: '{{input.agents.reviewer}}',
      after: ['draft'],
      message: 'Review this summary of {{input.topic}}:\\n{{steps.draft.output}}',
    },
  ],
});
`;

const TEST = `// The pipeline against the Twin emulator and a real Temporal, started once for the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from 'twinflow/testing';

let env: TestEnvironment;
beforeAll(async () => {
  env = await createTestEnvironment();
}, 180_000);
afterAll(() => env?.close());

describe('summarise', () => {
  it("hands the writer's draft to the reviewer", async () => {
    const writer = await env.agent([{ output: 'Temporal makes workflows durable.' }]);
    const reviewer = await env.agent([{ output: 'Accurate and short.' }]);

    const state = await env.runPipeline('summarise', { topic: 'Temporal', agents: { writer, reviewer } });

    expect(state.status).toBe('succeeded');
    expect(state.steps.find((step) => step.id === 'review')?.output).toBe('Accurate and short.');
  }, 60_000);
});
`;

const ENV_EXAMPLE = `# twinflow reads these from the environment (or from .env in this folder).
# Without TWIN_API_KEY, \`npx twinflow dev\` runs the Twin emulator instead of talking to Twin.
# TWIN_API_KEY=
# TWIN_API_BASE_URL=https://build.twin.so
# Temporal: \`twinflow dev\` starts a dev server here; workers and receivers in production point at yours.
# TEMPORAL_ADDRESS=localhost:7233
# TEMPORAL_NAMESPACE=default
# Webhook receiver (and control API) port, and the bearer token of the control API.
# RECEIVER_PORT=8787
# CONTROL_API_TOKEN=
`;

const README_SECTION = `
## Pipelines (twinflow)

This project runs durable multi-agent pipelines with [twinflow](https://www.npmjs.com/package/twinflow).

- \`npx twinflow dev\` starts everything locally (Temporal dev server and Web UI, worker, webhook receiver,
  Twin emulator) with the pipelines of the twinflow config, and restarts the services when they change.
- \`npx twinflow pipelines\` lists them; \`npx twinflow run summarise --input '{...}' --wait\` runs one.
- \`npx vitest run\` runs the test in \`test/\` on the testing kit (\`twinflow/testing\`).
- In production: \`npx twinflow worker\` and \`npx twinflow receiver\`, with TWIN_API_KEY and TEMPORAL_ADDRESS set.
`;

const GITIGNORE_LINES = ['node_modules/', '.data/', '.twinflow/', '.env'];

/**
 * twinflow's config and pipelines are ES modules. In a package that is not `"type": "module"` (npm init writes
 * `"type": "commonjs"`) a .ts file would be compiled as CommonJS, so there the scaffold writes .mts files,
 * which are ES modules whatever the package says, instead of changing the user's package.json.
 */
async function moduleExtensions(dir: string): Promise<{ ts: string; js: string }> {
  const manifest = path.join(dir, 'package.json');
  const type = existsSync(manifest)
    ? (JSON.parse(await readFile(manifest, 'utf8')) as { type?: string }).type
    : undefined;
  return type === 'module' ? { ts: 'ts', js: 'js' } : { ts: 'mts', js: 'mjs' };
}

async function scaffoldFiles(dir: string): Promise<Record<string, string>> {
  const ext = await moduleExtensions(dir);
  return {
    [`twinflow.config.${ext.ts}`]: CONFIG.replace('.JS', `.${ext.js}`),
    [`pipelines/summarise.${ext.ts}`]: PIPELINE,
    [`test/summarise.test.${ext.ts}`]: TEST,
    '.env.example': ENV_EXAMPLE,
  };
}

/** Writes the project into `dir`. With `force`, the scaffold's own files are replaced; nothing else is. */
export async function scaffoldProject(dir: string, { force = false } = {}): Promise<ScaffoldResult> {
  const result: ScaffoldResult = { created: [], kept: [], extended: [] };
  for (const [name, content] of Object.entries(await scaffoldFiles(dir))) {
    const file = path.join(dir, name);
    if (existsSync(file) && !force) {
      result.kept.push(name);
      continue;
    }
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    result.created.push(name);
  }
  await extend(
    dir,
    'README.md',
    (text) => (text.includes('## Pipelines (twinflow)') ? '' : README_SECTION),
    result,
  );
  await extend(
    dir,
    '.gitignore',
    (text) => {
      const present = new Set(text.split('\n').map((line) => line.trim()));
      const missing = GITIGNORE_LINES.filter((line) => !present.has(line));
      if (missing.length === 0) return '';
      return `${text === '' || text.endsWith('\n') ? '' : '\n'}${missing.join('\n')}\n`;
    },
    result,
  );
  return result;
}

/** Adds what `addition` returns to a file, creating it when absent; an empty addition leaves it alone. */
async function extend(
  dir: string,
  name: string,
  addition: (existing: string) => string,
  result: ScaffoldResult,
): Promise<void> {
  const file = path.join(dir, name);
  const exists = existsSync(file);
  const existing = exists ? await readFile(file, 'utf8') : '';
  const text = addition(existing);
  if (text === '') {
    if (exists) result.kept.push(name);
    return;
  }
  if (!exists) {
    await writeFile(file, name === 'README.md' ? `# ${path.basename(dir)}\n${text}` : text);
    result.created.push(name);
    return;
  }
  await appendFile(file, text);
  result.extended.push(name);
}
