// Keeps one process of the local stack alive. A crash is announced loudly and followed by a restart after an
// exponentially growing pause (so a process that dies at start does not spin the CPU); the pause shrinks back
// once the process has stayed up for a while. The first start is different: its failure is the caller's to
// report, because a stack that cannot start at all should stop and say why rather than retry forever.
import { spawn, type ChildProcess } from 'node:child_process';
import type { FSWatcher } from 'node:fs';
import { watchSource } from '../pipelines/source-watch.js';
import { createInterface } from 'node:readline';
import { EXIT_CONFIG } from '../shared/exit-codes.js';
import { stopProcess } from '../shared/processes.js';
import type { StackLog } from './stack-log.js';

export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** A process that ran this long before dying starts over from initialMs. */
  stableAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000, stableAfterMs: 60_000 };

export interface SupervisedService {
  name: string;
  /** Starts the process and resolves once it runs; `output` receives each line it prints. */
  launch(output: (line: string) => void): Promise<ChildProcess>;
}

export interface Supervision {
  name: string;
  /** The running process, if there is one right now. */
  current(): ChildProcess | undefined;
  restarts(): number;
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  log: StackLog;
  backoff?: Backoff;
  /**
   * True once the whole group is shutting down. A terminal's Ctrl-C reaches every process of the group at
   * once, so children may exit before stop() reaches them: those exits are expected, not crashes.
   */
  shuttingDown?: () => boolean;
  /**
   * Folders and files that define what the process loads (the project's config and pipelines). A change restarts it, so the CLI (which reads
   * them at every call) and the running services never disagree about the set; and a process that refused its
   * configuration or pipelines (exit EXIT_CONFIG) is not restarted in a loop, but once one of these changes.
   */
  sources?: string[];
}

/** Editors write a file in several steps: one restart for a burst of changes. */
const SOURCE_CHANGE_DEBOUNCE_MS = 300;

/** Resolves once the first launch succeeded; rejects (and gives up) when it failed. */
export async function supervise(service: SupervisedService, options: SuperviseOptions): Promise<Supervision> {
  const { log, backoff = DEFAULT_BACKOFF } = options;
  const output = (line: string) => log.service(service.name, line);
  let child: ChildProcess | undefined = await service.launch(output);
  log.info(`${service.name} started (pid ${child.pid})`);
  let stopRequested = false;
  const stopping = () => stopRequested || options.shuttingDown?.() === true;
  let restarts = 0;
  let delayMs = backoff.initialMs;
  let timer: NodeJS.Timeout | undefined;
  let refused = false;
  let reloading = false;
  let debounce: NodeJS.Timeout | undefined;

  const onSourceChange = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      if (stopping()) return;
      if (refused) {
        refused = false;
        delayMs = backoff.initialMs;
        schedule();
      } else if (child) {
        log.info(`pipeline sources changed; restarting ${service.name} so new runs take the new definitions`);
        reloading = true;
        void stopProcess(child);
      }
    }, SOURCE_CHANGE_DEBOUNCE_MS);
  };
  const watchers: FSWatcher[] = (options.sources ?? []).flatMap(
    (source) => watchSource(source, onSourceChange) ?? [],
  );
  const stopWatching = () => {
    clearTimeout(debounce);
    for (const watcher of watchers) watcher.close();
  };

  /** Restarting cannot fix a refused definition: wait for the user's next edit instead. */
  const waitForChange = () => {
    const folders = options.sources ?? [];
    log.alarm(
      `${service.name} refused its configuration or pipeline definitions (see above); ` +
        (folders.length > 0
          ? `it starts again when a file under ${folders.join(', ')} changes`
          : 'fix it and start the stack again'),
    );
    refused = true;
  };

  const watch = (process: ChildProcess) => {
    const startedAt = Date.now();
    process.once('exit', (code, signal) => {
      child = undefined;
      if (stopping()) {
        log.info(`${service.name} exited`);
        return;
      }
      if (reloading) {
        reloading = false;
        delayMs = backoff.initialMs;
        timer = setTimeout(() => void relaunch(), 0);
        return;
      }
      if (code === EXIT_CONFIG) {
        waitForChange();
        return;
      }
      if (Date.now() - startedAt >= backoff.stableAfterMs) delayMs = backoff.initialMs;
      const how = signal ? `by signal ${signal}` : `with code ${code}`;
      log.alarm(
        `${service.name} died ${how}; restarting in ${formatDelay(delayMs)} (restart #${restarts + 1})`,
      );
      schedule();
    });
  };

  const schedule = () => {
    timer = setTimeout(() => void relaunch(), delayMs);
    delayMs = Math.min(delayMs * 2, backoff.maxMs);
  };

  const relaunch = async () => {
    if (stopping()) return;
    restarts++;
    try {
      const next = await service.launch(output);
      if (stopping()) {
        await stopProcess(next);
        return;
      }
      child = next;
      watch(next);
      log.info(`${service.name} is running again (pid ${next.pid})`);
    } catch (error) {
      log.alarm(
        `${service.name} failed to start again: ${errorMessage(error)}; next try in ${formatDelay(delayMs)}`,
      );
      schedule();
    }
  };

  watch(child);
  return {
    name: service.name,
    current: () => child,
    restarts: () => restarts,
    stop: async () => {
      stopRequested = true;
      clearTimeout(timer);
      stopWatching();
      if (child) await stopProcess(child);
    },
  };
}

export interface NodeServiceSpec {
  name: string;
  /** A TypeScript entry point, run through tsx's loader in a plain node process (one pid per service). */
  entry: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A service that is a TypeScript entry point of this repository. */
/** Resolved from twinflow's own folder: a project's child processes run in the project, which may not list tsx. */
const TSX_LOADER = import.meta.resolve('tsx');

export function nodeService(spec: NodeServiceSpec): SupervisedService {
  return {
    name: spec.name,
    launch: async (output) => {
      const child = spawn(process.execPath, ['--import', TSX_LOADER, spec.entry], {
        cwd: spec.cwd,
        env: spec.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      forwardLines(child, output);
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      return child;
    },
  };
}

function forwardLines(child: ChildProcess, output: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      if (line.trim() !== '') output(line);
    });
  }
}

function formatDelay(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
