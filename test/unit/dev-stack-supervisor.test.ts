// The local stack's supervisor: a process that refused its configuration or pipeline definitions (exit
// EXIT_CONFIG) is shown once and started again only after a file it watches changes, never in a restart loop.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { supervise, type SupervisedService } from '../../services/dev-stack/supervisor.js';
import type { StackLog } from '../../services/dev-stack/stack-log.js';
import { EXIT_CONFIG } from '../../services/shared/exit-codes.js';

const FAST = { initialMs: 20, maxMs: 40, stableAfterMs: 60_000 };

function recordingLog(): StackLog & { alarms: string[] } {
  const alarms: string[] = [];
  return {
    alarms,
    info: () => {},
    alarm: (line: string) => alarms.push(line),
    service: () => {},
  } as unknown as StackLog & {
    alarms: string[];
  };
}

/** A process that exits at once with `code`, counting its launches. */
function exiting(code: number): SupervisedService & { launches: number } {
  const service = {
    name: 'worker',
    launches: 0,
    launch: async () => {
      service.launches++;
      const child = spawn(process.execPath, ['-e', `process.exit(${code})`], { stdio: 'ignore' });
      await new Promise((resolve) => child.once('spawn', resolve));
      return child;
    },
  };
  return service;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `done`, bounded: a loaded machine may take seconds to spawn a process, never minutes. */
async function until(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (let waited = 0; !done(); waited += 25) {
    if (waited > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
let folder: string | undefined;
afterEach(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('supervise', () => {
  it('restarts a process that crashed', async () => {
    const service = exiting(1);
    const supervision = await supervise(service, { log: recordingLog(), backoff: FAST });
    await until('three launches', () => service.launches >= 3).finally(() => supervision.stop());
    expect(service.launches).toBeGreaterThanOrEqual(3);
  });

  it('does not restart a process that refused its definitions until a watched file changes', async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'twinflow-supervisor-'));
    const service = exiting(EXIT_CONFIG);
    const log = recordingLog();
    const supervision = await supervise(service, { log, backoff: FAST, sources: [folder] });
    try {
      await until('the refusal to be shown', () => log.alarms.length > 0);
      // Ten times the restart backoff: a restart loop would have launched it again by now.
      await sleep(10 * FAST.maxMs);
      expect(service.launches).toBe(1);
      expect(log.alarms.join('\n')).toContain('refused its configuration or pipeline definitions');
      await writeFile(path.join(folder, 'pipeline.ts'), 'export {};\n');
      await until('the launch after the change', () => service.launches === 2);
    } finally {
      await supervision.stop();
    }
  });

  it('restarts a running process when a watched file changes, without calling it a crash', async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'twinflow-supervisor-'));
    const service = running();
    const log = recordingLog();
    const supervision = await supervise(service, { log, backoff: FAST, sources: [folder] });
    await writeFile(path.join(folder, 'pipeline.ts'), 'export {};\n');
    await until('the relaunch', () => service.launches === 2).finally(() => supervision.stop());
    expect(log.alarms).toEqual([]);
  });
});

/** A process that stays up until stopped, counting its launches. */
function running(): SupervisedService & { launches: number } {
  const service = {
    name: 'worker',
    launches: 0,
    launch: async () => {
      service.launches++;
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      await new Promise((resolve) => child.once('spawn', resolve));
      return child;
    },
  };
  return service;
}

describe('exitCodeOf', () => {
  it('names a refused definition or configuration EXIT_CONFIG, and anything else a plain failure', async () => {
    const { exitCodeOf } = await import('../../services/pipelines/startup-errors.js');
    const { PipelineDefinitionError } = await import('../../workflows/pipeline-validation.js');
    const { ConfigError } = await import('../../services/shared/config.js');
    expect(exitCodeOf(new PipelineDefinitionError('p', [{ message: 'bad' }]))).toBe(EXIT_CONFIG);
    expect(exitCodeOf(new ConfigError(['PORT: bad']))).toBe(EXIT_CONFIG);
    expect(exitCodeOf(new Error('Temporal is down'))).toBe(1);
  });
});
