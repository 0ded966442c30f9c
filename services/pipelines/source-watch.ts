// A worker or receiver loads the pipeline definitions once, at start. If their files change afterwards, the
// process is running an outdated set while the CLI (which loads them at every call) already sees the new one: it
// says so, once, instead of disagreeing in silence. The local stack restarts both on such a change anyway.
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { PROJECT_ROOT } from '../shared/temporal-dev-server.js';

/** Where the definitions this repository registers live (services/pipelines/registered.ts and examples/). */
export const PIPELINE_SOURCE_DIRS = ['examples', 'services/pipelines'].map((dir) =>
  path.join(PROJECT_ROOT, dir),
);

/** Warns once when a pipeline source changes; returns a function that stops watching. */
export function warnWhenPipelinesChange(logger: Logger, dirs = PIPELINE_SOURCE_DIRS): () => void {
  let warned = false;
  const watchers: FSWatcher[] = [];
  const onChange = (dir: string) => (_event: string, file: string | null) => {
    if (warned) return;
    warned = true;
    logger.warn(
      { changed: file ? path.join(dir, file) : dir },
      'pipeline definitions changed on disk since this process loaded them: it still serves the old set; restart it to load the new one',
    );
  };
  for (const dir of dirs) {
    try {
      watchers.push(watch(dir, { recursive: true }, onChange(dir)));
    } catch {
      // An image without the sources (a bundled deployment) cannot drift from them.
    }
  }
  return () => watchers.forEach((w) => w.close());
}
