// A local stack (`npm start`, or `twinflow dev` in a project) as a child process of a test, on free ports: its
// output is collected, readiness is the banner's READY_LINE, and SIGINT stops it as Ctrl-C would.
import { spawn, type ChildProcess } from 'node:child_process';
import { READY_LINE } from '../../services/dev-stack/banner.js';
import { freePort } from '../../services/shared/processes.js';

export const READY_TIMEOUT_MS = 240_000;

export interface StackPorts {
  temporal: number;
  ui: number;
  receiver: number;
  emulator: number;
  managedAgents: number;
  twinAi: number;
  twig: number;
  metrics: number;
}

export interface StackProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export async function freeStackPorts(): Promise<StackPorts> {
  return {
    temporal: await freePort(),
    ui: await freePort(),
    receiver: await freePort(),
    emulator: await freePort(),
    managedAgents: await freePort(),
    twinAi: await freePort(),
    twig: await freePort(),
    metrics: await freePort(),
  };
}

/** The variables that put every listener of the stack on `ports`, on loopback. */
export function stackPortEnv(ports: StackPorts): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_UI_PORT: String(ports.ui),
    RECEIVER_HOST: '127.0.0.1',
    RECEIVER_PORT: String(ports.receiver),
    EMULATOR_PORT: String(ports.emulator),
    MANAGED_AGENTS_EMULATOR_PORT: String(ports.managedAgents),
    TWIN_AI_EMULATOR_PORT: String(ports.twinAi),
    TWIG_EMULATOR_PORT: String(ports.twig),
    WORKER_METRICS_PORT: String(ports.metrics),
  };
}

/** Runs `node <args>` in `cwd`; the stack's own processes inherit `env` and nothing else. */
export function spawnStack(args: string[], env: Record<string, string>, cwd: string): StackProcess {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function waitForReady(stack: StackProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!stack.output().includes(READY_LINE)) {
    if (stack.child.exitCode !== null)
      throw new Error(`the stack exited with ${stack.child.exitCode}:\n${stack.output()}`);
    if (Date.now() > deadline)
      throw new Error(`the stack was not ready within ${READY_TIMEOUT_MS} ms:\n${stack.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function stopStack(stack: StackProcess): Promise<number | null> {
  if (stack.child.exitCode === null) stack.child.kill('SIGINT');
  return stack.exited;
}
