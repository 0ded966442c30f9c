// Every measured piece runs in a Node process of its own, so the load generator, the code under test and the
// orchestrator never share an event loop or a heap, and peak RSS can be read per process from the kernel.
// TypeScript entries run through tsx's loader in one plain `node` process (no wrapper pid in between).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import { stopProcess } from '../../services/shared/processes.js';

export interface NodeProcessOptions {
  /** For messages: "worker", "receiver". */
  name: string;
  /** Path relative to the project root. */
  entry: string;
  args?: string[];
  env?: Record<string, string>;
  /** Directory for `--cpu-prof` output; written when the process exits cleanly. */
  cpuProfileDir?: string;
}

export interface NodeProcess {
  /** Resolves with the first IPC message whose `type` matches. */
  message<T extends { type: string }>(type: T['type'], timeoutMs?: number): Promise<T>;
  send(message: unknown): void;
  /** VmHWM from /proc: the most resident memory the process ever had; undefined off Linux. */
  peakRssBytes(): Promise<number | undefined>;
  /** User + system CPU time the process has used so far; undefined off Linux. */
  cpuSeconds(): Promise<number | undefined>;
  stop(): Promise<void>;
}

const STDERR_TAIL_LINES = 30;

export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  // One directory per process: each thread (tsx's loader runs in one) writes a profile of its own.
  const profile = options.cpuProfileDir
    ? ['--cpu-prof', '--cpu-prof-dir', path.join(options.cpuProfileDir, `${options.name}-${Date.now()}`)]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', path.join(PROJECT_ROOT, options.entry), ...(options.args ?? [])],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...options.env },
      // stdout is discarded: services log one JSON line per request at info, and writing it is part of their cost.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  const stderrTail: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail.push(...chunk.toString().split('\n').filter(Boolean));
    stderrTail.splice(0, Math.max(0, stderrTail.length - STDERR_TAIL_LINES));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const describeExit = () =>
    `${options.name} exited (code ${child.exitCode}, signal ${child.signalCode}): ${stderrTail.join('\n')}`;

  return {
    message<T extends { type: string }>(type: T['type'], timeoutMs = 120_000) {
      return new Promise<T>((resolve, reject) => {
        const onMessage = (message: T) => {
          if (message?.type !== type) return;
          cleanup();
          resolve(message);
        };
        const onExit = () => {
          cleanup();
          reject(new Error(describeExit()));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `${options.name}: no "${type}" message within ${timeoutMs} ms; stderr: ${stderrTail.join('\n')}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
      });
    },
    send(message) {
      child.send(message as object);
    },
    peakRssBytes: () => peakRssOf(child.pid),
    cpuSeconds: () => cpuSecondsOf(child.pid),
    stop: () => stopProcess(child, 10_000),
  };
}

/** VmHWM from /proc: the most resident memory the process ever had; undefined off Linux or once it is gone. */
export async function peakRssOf(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/<pid>/stat times: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** The fields of /proc/<pid>/stat after the parenthesised command name; undefined once the process is gone. */
async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU time of one process so far; undefined off Linux or once it is gone. */
export async function cpuSecondsOf(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const fields = await statFields(pid);
  // utime and stime are the 12th and 13th fields after the command name.
  return fields && (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * CPU time every core of the machine has spent busy (anything but idle and I/O wait) since boot, whoever used
 * it: set beside the stack's own processes, it says how much the machine's other jobs took. Undefined off Linux.
 */
export async function machineBusySeconds(): Promise<number | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
    // cpu  user nice system idle iowait irq softirq steal …
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((sum, t) => sum + t, 0);
    return (total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * CPU time of a process and all its descendants, those alive (read one by one) and those it has reaped
 * (cutime/cstime): PostgreSQL runs one backend per connection, and a backend that exits between two samples
 * must still count. Undefined off Linux or when the process is gone.
 */
export async function treeCpuSecondsOf(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const fields = await statFields(pid);
  if (!fields) return undefined;
  // cutime and cstime (14th and 15th) already include what reaped children's own reaped children used.
  let ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  for (const child of children.split(' ').filter(Boolean)) {
    ticks += ((await treeCpuSecondsOf(Number(child))) ?? 0) * CLOCK_TICKS;
  }
  return ticks / CLOCK_TICKS;
}

/**
 * On SIGINT/SIGTERM the bench stops its direct children (servers, services, load generators) before it exits,
 * so an interrupted run leaves nothing behind. Linux lists them in /proc; elsewhere this is a no-op.
 */
export function stopChildrenOnSignal(): void {
  const stop = async (signal: NodeJS.Signals) => {
    try {
      const children = await readFile(`/proc/self/task/${process.pid}/children`, 'utf8');
      for (const pid of children.split(' ').filter(Boolean)) process.kill(Number(pid), 'SIGTERM');
    } catch {
      // not Linux, or nothing to stop
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, (s) => void stop(s));
}

/** Polls an HTTP URL until it answers 2xx: services started as processes announce nothing else. */
export async function waitForHttp(url: string, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer at ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops processes in reverse start order, never throwing: clean-up must finish even after a failure. */
export async function stopAll(processes: ReadonlyArray<{ stop(): Promise<void> }>): Promise<void> {
  for (const p of [...processes].reverse()) {
    try {
      await p.stop();
    } catch (error) {
      console.error('bench: clean-up failed', error);
    }
  }
}
