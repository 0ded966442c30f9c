// Where the workflow code lives and how it is bundled ahead of time. The worker bundles at start; the test
// suite and the benchmarks bundle once and hand the file to every worker they start, so none of them pays
// webpack's start-up more than once. The bundler reports only warnings and errors.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

const warningsOnly = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

/** The bundled workflow code, as `workflowBundle: { code }` or a file for `{ codePath }` takes it. */
export async function bundleWorkflows(): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: warningsOnly });
  return code;
}
