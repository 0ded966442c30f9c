// Each peer's workflows in a bundle of their own (twinflow's bundle is not involved), built in the bench process
// so no worker pays webpack's time or memory, and written to the bench run's scratch space.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

/** `workflows` is relative to bench/peers/, e.g. `polling/workflows.ts`; resolves with the bundle's path. */
export async function bundlePeerWorkflows(workflows: string, tempDir: string): Promise<string> {
  const workflowsPath = fileURLToPath(new URL(workflows, import.meta.url));
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  const codePath = path.join(tempDir, `peer-${path.dirname(workflows)}-bundle.js`);
  await writeFile(codePath, code);
  return codePath;
}
