// Runs the real `twinflow` command (node bin/twinflow.mjs) as a child process against a real world: the test
// run's Temporal dev server, an emulator on an ephemeral port, and twinflow's production workers on a task
// queue of the file's own. Each call gets an explicit environment and a private working directory, so neither
// a developer's .env nor a local stack's .data can leak into a test.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import { startTwinflowStack, type TwinflowStack } from '../support/twinflow-stack.js';

export const CLI = path.join(PROJECT_ROOT, 'bin/twinflow.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliWorld {
  stack: TwinflowStack;
  /** The working directory of every call: holds the secrets file and the (empty) data directory. */
  dir: string;
  secretsFile: string;
  env: Record<string, string>;
  twinflow(args: string[], env?: Record<string, string>): Promise<CliResult>;
  /** Parses stdout of a `--json` call. */
  twinflowJson<T = unknown>(
    args: string[],
    env?: Record<string, string>,
  ): Promise<{ code: number; value: T; stderr: string }>;
  close(): Promise<void>;
}

/** This repository's project: the CLI runs in a private folder, so it is named rather than found. */
export const REPOSITORY_CONFIG = path.join(PROJECT_ROOT, 'twinflow.config.ts');

/** Only what a shell would pass anyway (PATH, HOME) and the project: the configuration is all explicit. */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  const shell = Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
  return { ...shell, TWINFLOW_CONFIG: REPOSITORY_CONFIG };
}

export function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function startCliWorld(): Promise<CliWorld> {
  const stack = await startTwinflowStack();
  const dir = await mkdtemp(path.join(tmpdir(), 'twinflow-cli-'));
  const secretsFile = path.join(dir, 'secrets', 'webhook-secrets.json');
  const env = {
    ...baseEnv(),
    LOG_LEVEL: 'silent',
    TEMPORAL_ADDRESS: stack.config.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: stack.config.TEMPORAL_TASK_QUEUE,
    TWIN_API_BASE_URL: stack.emulator.url,
    TWIN_API_KEY: stack.apiKey,
    WEBHOOK_SECRETS_FILE: secretsFile,
    TWINFLOW_DATA_DIR: path.join(dir, 'data'),
  };
  const twinflow = (args: string[], extra: Record<string, string> = {}) =>
    runCli(args, { ...env, ...extra }, dir);
  return {
    stack,
    dir,
    secretsFile,
    env,
    twinflow,
    async twinflowJson<T>(args: string[], extra: Record<string, string> = {}) {
      const result = await twinflow(['--json', ...args], extra);
      try {
        return { code: result.code, value: JSON.parse(result.stdout) as T, stderr: result.stderr };
      } catch {
        throw new Error(
          `twinflow --json ${args.join(' ')} printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
        );
      }
    },
    async close() {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** TWINFLOW_AGENT_<ROLE> for the nightly-digest example, each role played by the given agent. */
export function digestAgents(agents: {
  collector: string;
  writer: string;
  publisher: string;
}): Record<string, string> {
  return {
    TWINFLOW_AGENT_COLLECTOR: agents.collector,
    TWINFLOW_AGENT_WRITER: agents.writer,
    TWINFLOW_AGENT_PUBLISHER: agents.publisher,
  };
}
