// Starts the single Temporal dev server of a test run and bundles the workflow code once. A missing
// Temporal binary is a failure with a clear message, never a silent skip.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import { startTemporalDevServer } from '../../services/dev-stack/temporal-dev-server.js';
import { loadProject } from '../../services/project/load.js';
import { bundleWorkflows } from '../../services/worker/workflow-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTemporalDevServer({ headless: true });
  // The repository's own project: twinflow's workflows plus the code-first example its config names.
  const { workflowsPath, dir } = await loadProject({ cwd: PROJECT_ROOT, env: {} });
  const code = await bundleWorkflows(workflowsPath, dir);
  const bundleDir = path.join(PROJECT_ROOT, '.data/test');
  await mkdir(bundleDir, { recursive: true });
  const workflowBundlePath = path.join(bundleDir, `workflow-bundle-${process.pid}.js`);
  await writeFile(workflowBundlePath, code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', workflowBundlePath);
  return () => server.stop();
}
