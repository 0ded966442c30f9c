// A production-shaped Temporal cluster for one test file or benchmark: scripts/cluster.sh builds the real server
// from its Go module (once per machine, cached in .tools/bin), starts PostgreSQL and the server on free loopback
// ports in a private directory, and registers the namespace and twinflow's search attributes. The helper adds
// faults a test can inject (restart the server process, restart PostgreSQL) and tears everything down at the
// end, also when the process dies. A failed build or start is an error that says what failed and where its log
// is. It lives beside the script rather than in test/ because the cluster tests and `npm run bench` share it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../services/shared/project-paths.js';

export const CLUSTER_SCRIPT = path.join(PROJECT_ROOT, 'scripts/cluster.sh');

/** A cold build takes ~5 minutes on 2 idle cores; a loaded CI machine can take twice that. */
const BUILD_TIMEOUT_MS = 25 * 60_000;
const COMMAND_TIMEOUT_MS = 5 * 60_000;

export interface ClusterTimings {
  /** Seconds `go install` took; undefined when the binaries were already built. */
  buildSeconds?: number;
  /** Seconds from `cluster.sh start` to ready: PostgreSQL, schemas, server, namespace and search attributes. */
  startSeconds: number;
}

export interface TemporalCluster {
  address: string;
  namespace: string;
  dir: string;
  historyShards: number;
  serverLog: string;
  serverConfig: string;
  dynamicConfig: string;
  timings: ClusterTimings;
  /** SIGTERM to the server process, then a new one from the same config; resolves once it serves again. */
  restartServer(): Promise<number>;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  /** pg_ctl stop (mode fast unless told) and start of the same data directory; seconds it took. */
  restartPostgres(mode?: PostgresStopMode): Promise<number>;
  stopPostgres(mode?: PostgresStopMode): Promise<void>;
  startPostgres(): Promise<void>;
  /** The server process's pid (it changes with every restart); undefined while it is stopped. */
  serverPid(): Promise<number | undefined>;
  /** PostgreSQL's postmaster pid (the backends are its children); undefined while it is stopped. */
  postgresPid(): Promise<number | undefined>;
  /** `cluster.sh status`: what runs where. */
  status(): Promise<string>;
  /** Stops the server and PostgreSQL and removes the directory; later calls wait for the first. */
  close(): Promise<void>;
}

/** pg_ctl's stop modes: `immediate` is a crash (recovery from the WAL at the next start). */
export type PostgresStopMode = 'smart' | 'fast' | 'immediate';

export class ClusterError extends Error {
  override name = 'ClusterError';
}

interface CommandResult {
  stdout: string;
  stderr: string;
  seconds: number;
}

function runScript(
  args: string[],
  env: Record<string, string>,
  timeoutMs = COMMAND_TIMEOUT_MS,
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [CLUSTER_SCRIPT, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new ClusterError(`could not run ${CLUSTER_SCRIPT}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      if (code === 0) {
        resolve({ stdout, stderr, seconds });
        return;
      }
      const why = signal
        ? `was killed (${signal}) after ${Math.round(seconds)} s`
        : `exited with code ${code}`;
      const tail = `${stderr}\n${stdout}`.trim().split('\n').slice(-40).join('\n');
      reject(new ClusterError(`scripts/cluster.sh ${args.join(' ')} ${why}:\n${tail}`));
    });
  });
}

function keyValues(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) values[match[1] as string] = match[2] as string;
  }
  return values;
}

export interface ClusterOptions {
  /** Prefix of the cluster's directory (on tmpfs when there is one). */
  prefix?: string;
  /**
   * false: never run the Go build, and fail at once with a ClusterError when the binaries are missing. For
   * callers that must not spend minutes compiling where they measure time (`npm run bench`). Default true.
   */
  build?: boolean;
}

export interface ClusterBinaries {
  built: boolean;
  /** What `cluster.sh status` says of them, e.g. "temporal-server v1.32.0, temporal-sql-tool v1.32.0 (want v1.32.0)". */
  detail: string;
}

/** Whether temporal-server and temporal-sql-tool of the version the script wants are in .tools/bin. */
export async function clusterBinaries(): Promise<ClusterBinaries> {
  // A directory that does not exist: status then reports on the binaries only, never on a running cluster.
  const { stdout } = await runScript(['status'], {
    CLUSTER_DIR: path.join(tmpdir(), `no-cluster-${process.pid}-${Date.now()}`),
  });
  const line = /^binaries: (.*)$/m.exec(stdout)?.[1] ?? stdout.trim();
  const match = /temporal-server (\S*), temporal-sql-tool (\S*) \(want (\S+)\)/.exec(line);
  const built = match !== null && match[1] === match[3] && match[2] === match[3];
  return { built, detail: line };
}

/** Reads a pid from the first line of a pid file and checks that the process is alive. */
async function livePid(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * Builds (when needed) and starts a cluster of its own; throws a ClusterError naming the failed step, with the
 * tail of its output, when the Go build, PostgreSQL, the schema tool or the server fail.
 */
export async function startTemporalCluster(options: ClusterOptions = {}): Promise<TemporalCluster> {
  // tmpfs when there is one: PostgreSQL's fsyncs on this VM's disk would dominate; restarts keep the data either way.
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = await mkdtemp(path.join(base, `${options.prefix ?? 'twinflow-cluster'}-`));
  // PostgreSQL runs as an unprivileged user when the tests run as root: it must reach its directory.
  await chmod(dir, 0o755);
  const env = { CLUSTER_DIR: dir };
  const guard = () => {
    spawnSync('bash', [CLUSTER_SCRIPT, 'destroy'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  };
  process.once('exit', guard);

  let buildSeconds: number | undefined;
  let startSeconds: number;
  let values: Record<string, string>;
  try {
    if (options.build === false) {
      const binaries = await clusterBinaries();
      if (!binaries.built)
        throw new ClusterError(
          `the Temporal cluster's binaries are not built (${binaries.detail}): run \`bash scripts/cluster.sh build\` ` +
            `(a few minutes cold; needs Go >= 1.25 and the Go module proxy)`,
        );
    } else {
      const build = await runScript(['build'], env, BUILD_TIMEOUT_MS).catch((error: unknown) => {
        throw new ClusterError(
          `building the Temporal server failed (scripts/cluster.sh build: go install go.temporal.io/server/cmd/server, ` +
            `needs Go >= 1.25 and the Go module proxy):\n${(error as Error).message}`,
        );
      });
      const built = keyValues(build.stdout).build_seconds;
      buildSeconds = built === undefined ? undefined : Number(built);
    }
    const start = await runScript(['start'], env).catch(async (error: unknown) => {
      throw new ClusterError(
        `starting the Temporal cluster in ${dir} failed:\n${(error as Error).message}\n${await logTails(dir)}`,
      );
    });
    values = keyValues(start.stdout);
    startSeconds = Number(values.start_seconds ?? start.seconds);
  } catch (error) {
    await runScript(['destroy'], env).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    process.off('exit', guard);
    throw error;
  }

  const address = values.TEMPORAL_ADDRESS;
  if (!address) throw new ClusterError(`scripts/cluster.sh start printed no TEMPORAL_ADDRESS:\n${values}`);
  let closing: Promise<void> | undefined;
  return {
    address,
    namespace: values.TEMPORAL_NAMESPACE ?? 'default',
    dir,
    historyShards: Number(values.HISTORY_SHARDS),
    serverLog: values.SERVER_LOG ?? path.join(dir, 'temporal-server.log'),
    serverConfig: values.SERVER_CONFIG ?? path.join(dir, 'config/temporal.yaml'),
    dynamicConfig: values.DYNAMIC_CONFIG ?? path.join(dir, 'config/dynamicconfig.yaml'),
    timings: { buildSeconds, startSeconds },
    async restartServer() {
      return (await runScript(['server-restart'], env)).seconds;
    },
    async stopServer() {
      await runScript(['server-stop'], env);
    },
    async startServer() {
      await runScript(['server-start'], env);
    },
    async restartPostgres(mode = 'fast') {
      return (await runScript(['pg-restart'], { ...env, CLUSTER_PG_STOP_MODE: mode })).seconds;
    },
    async stopPostgres(mode = 'fast') {
      await runScript(['pg-stop'], { ...env, CLUSTER_PG_STOP_MODE: mode });
    },
    async startPostgres() {
      await runScript(['pg-start'], env);
    },
    serverPid: () => livePid(path.join(dir, 'temporal-server.pid')),
    postgresPid: () => livePid(path.join(dir, 'postgres', 'postmaster.pid')),
    async status() {
      return (await runScript(['status'], env)).stdout;
    },
    close: () =>
      (closing ??= (async () => {
        await runScript(['destroy'], env).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
        process.off('exit', guard);
      })()),
  };
}

/** The last lines of the server's and PostgreSQL's logs, for an error message. */
async function logTails(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const name of ['temporal-server.log', 'postgres.log', 'schema.log', 'initdb.log']) {
    const text = await readFile(path.join(dir, name), 'utf8').catch(() => undefined);
    if (text) parts.push(`--- ${name}\n${text.trim().split('\n').slice(-15).join('\n')}`);
  }
  return parts.join('\n');
}
