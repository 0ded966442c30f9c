// twinflow's own processes for the process-fault tests: `node --import tsx services/worker/main.ts` and
// the receiver's main.ts, started with an environment of the test's choosing and no tsx CLI process in between
// (it would take the signal and orphan the service), so `kill -9` is a real
// SIGKILL of a real process. Output (stdout and stderr, across restarts) is appended to one log file per
// service, which the secrets audit reads afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';

export const WORKER_MAIN = path.join(PROJECT_ROOT, 'services/worker/main.ts');
export const RECEIVER_MAIN = path.join(PROJECT_ROOT, 'services/receiver/main.ts');

export interface ServiceProcessOptions {
  name: string;
  script: string;
  /** The whole environment besides PATH and HOME: nothing leaks in from the test's own. */
  env: Record<string, string>;
  logFile: string;
  /** The `msg` of the log line that says the service is up. */
  readyMessage: string;
  readyTimeoutMs?: number;
}

export interface ServiceProcess {
  readonly logFile: string;
  /** SIGKILL, as `kill -9`: no shutdown handler runs. */
  kill9(): Promise<void>;
  /** Starts it again with the same environment and waits until it is up. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

export async function startService(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  let child = await launch(options, log);
  return {
    logFile: options.logFile,
    async kill9() {
      await killGroup(child, 'SIGKILL');
    },
    async restart() {
      child = await launch(options, log);
    },
    async stop() {
      await killGroup(child, 'SIGTERM');
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}

/**
 * `tsx` runs the service in a node child of its own, so the signal goes to the whole process group (the
 * service was started as its leader), and this waits until no process of the group is left: only then is its
 * port free again. A SIGTERM that is not obeyed within the grace period becomes a SIGKILL.
 */
async function killGroup(child: ChildProcess, signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
  const group = child.pid;
  if (group === undefined || !groupAlive(group)) return;
  process.kill(-group, signal);
  const deadline = Date.now() + graceMs;
  while (groupAlive(group)) {
    if (signal !== 'SIGKILL' && Date.now() > deadline) process.kill(-group, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once the ready line is logged; rejects if the process exits first or takes too long. */
async function launch(options: ServiceProcessOptions, log: WriteStream): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', options.script], {
    cwd: PROJECT_ROOT,
    detached: true,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `${options.name} not ready within ${options.readyTimeoutMs ?? 60_000} ms:\n${output.slice(-20).join('\n')}`,
          ),
        ),
      options.readyTimeoutMs ?? 60_000,
    );
    const onLine = (line: string) => {
      if (!log.writableEnded) log.write(`${line}\n`);
      if (output.length < 200) output.push(line);
      if (messageOf(line) === options.readyMessage) {
        clearTimeout(timer);
        resolve();
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${options.name} exited (${signal ?? code}) before it was ready:\n${output.slice(-20).join('\n')}`,
        ),
      );
    });
  });
  // Detached children outlive a test process that dies: make sure they do not.
  const group = child.pid;
  const orphanGuard = () => {
    if (group !== undefined && groupAlive(group)) process.kill(-group, 'SIGKILL');
  };
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  try {
    await ready;
  } catch (error) {
    await killGroup(child, 'SIGKILL');
    throw error;
  }
  return child;
}

function messageOf(line: string): string | undefined {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown };
    return typeof parsed.msg === 'string' ? parsed.msg : undefined;
  } catch {
    return undefined;
  }
}
