// Bundles workflows/index.ts once per bench run, so no benchmark pays webpack's start-up inside a measurement
// or several times over; the worker processes load the file.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflows } from '../../services/worker/workflow-bundle.js';

export function lazyWorkflowBundle(tempDir: string): () => Promise<string> {
  let bundled: Promise<string> | undefined;
  return () =>
    (bundled ??= (async () => {
      const codePath = path.join(tempDir, 'workflow-bundle.js');
      await writeFile(codePath, await bundleWorkflows());
      return codePath;
    })());
}
