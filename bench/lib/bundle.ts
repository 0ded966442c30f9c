// Bundles workflows/index.ts once per bench run, so no benchmark pays webpack's start-up inside a measurement
// or several times over; the worker processes load the file.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../services/shared/temporal-dev-server.js';

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

export function lazyWorkflowBundle(tempDir: string): () => Promise<string> {
  let bundled: Promise<string> | undefined;
  return () =>
    (bundled ??= (async () => {
      const { code } = await bundleWorkflowCode({
        workflowsPath: path.join(PROJECT_ROOT, 'workflows/index.ts'),
        logger: quiet,
      });
      const codePath = path.join(tempDir, 'workflow-bundle.js');
      await writeFile(codePath, code);
      return codePath;
    })());
}
