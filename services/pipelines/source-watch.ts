// A worker or receiver loads the pipeline definitions once, at start. If their files change afterwards, the
// process is running an outdated set while the CLI (which loads them at every call) already sees the new one: it
// says so, once, instead of disagreeing in silence. The local stack restarts both on such a change anyway.
import { statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

/**
 * Watches a folder (recursively) or a single file for changes. A file is watched through its folder, because
 * editors save by writing a new file and renaming it over the old one, which ends a watch on the file itself.
 * Returns undefined when the path does not exist: a bundled deployment without sources cannot drift from them.
 */
export function watchSource(source: string, onChange: (changed: string) => void): FSWatcher | undefined {
  try {
    if (statSync(source).isDirectory()) {
      return watch(source, { recursive: true }, (_event, file) =>
        onChange(file ? path.join(source, file) : source),
      );
    }
    const name = path.basename(source);
    return watch(path.dirname(source), (_event, file) => {
      if (file === name) onChange(source);
    });
  } catch {
    return undefined;
  }
}

/** Warns once when a pipeline source changes; returns a function that stops watching. */
export function warnWhenPipelinesChange(logger: Logger, sources: readonly string[]): () => void {
  let warned = false;
  const onChange = (changed: string) => {
    if (warned) return;
    warned = true;
    logger.warn(
      { changed },
      'pipeline definitions changed on disk since this process loaded them: it still serves the old set; restart it to load the new one',
    );
  };
  const watchers = sources.flatMap((source) => watchSource(source, onChange) ?? []);
  return () => watchers.forEach((w) => w.close());
}
