// The worker as a process (services/worker/main.ts): it refuses to run without a Twin API key, polls both of
// its task queues, exposes Temporal's metrics for Prometheus, and exits cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXIT_CONFIG } from '../../services/shared/exit-codes.js';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import { freePort } from '../../services/shared/processes.js';
import { pollTaskQueue } from '../../services/worker/worker.js';
import type { RunObservation } from '../../providers/twin/vocabulary/run-status.js';
import { observeRunSignal, runTrackerWorkflowId } from '../../providers/twin/workflows/run-tracker-api.js';
import { runTrackerWorkflow } from '../../providers/twin/workflows/run-tracker.js';
import { connectTemporal, uniqueTaskQueue, type TemporalTestContext } from '../support/temporal.js';

/** Values of temporal.api.enums.v1.TaskQueueType (the proto package is not a direct dependency). */
const WORKFLOW_QUEUE = 1;
const ACTIVITY_QUEUE = 2;
const MAIN = path.join(PROJECT_ROOT, 'services/worker/main.ts');

interface WorkerProcess {
  child: ChildProcess;
  output: string[];
}

function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output };
}

/** A worker with everything it needs to run; its Twin is a closed port, since these tests never call Twin. */
function spawnConfiguredWorker(taskQueue: string, metricsPort: number): WorkerProcess {
  return spawnWorker({
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    TWIN_API_KEY: 'key-for-a-worker-that-never-calls-twin',
    TWIN_API_BASE_URL: 'http://127.0.0.1:9',
    WORKER_METRICS_PORT: String(metricsPort),
  });
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('the worker process', () => {
  let temporal: TemporalTestContext;
  beforeAll(async () => {
    temporal = await connectTemporal();
  });
  afterAll(() => temporal.close());

  it('refuses to start without a Twin API key, says which variable is missing and exits 78', async () => {
    const worker = spawnWorker({ TEMPORAL_ADDRESS: inject('temporalAddress') });
    expect(await exitCode(worker.child)).toBe(EXIT_CONFIG);
    expect(worker.output.join('')).toContain('TWIN_API_KEY is not set');
  });

  it('polls both task queues, serves metrics and stops on SIGTERM', { timeout: 90_000 }, async () => {
    const taskQueue = uniqueTaskQueue('worker-main');
    const metricsPort = await freePort();
    const worker = spawnConfiguredWorker(taskQueue, metricsPort);
    try {
      const polled = async (name: string, taskQueueType: number) => {
        const { pollers } = await temporal.client.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name },
          taskQueueType,
        });
        return (pollers ?? []).length > 0;
      };
      await expect
        .poll(
          async () =>
            (await polled(taskQueue, WORKFLOW_QUEUE)) &&
            (await polled(pollTaskQueue(taskQueue), ACTIVITY_QUEUE)),
          {
            timeout: 60_000,
            interval: 500,
          },
        )
        .toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toContain('temporal_');
      worker.child.kill('SIGTERM');
      expect(await exitCode(worker.child)).toBe(0);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
  });

  it(
    'counts finished Twin runs per agent, status and outcome in its metrics',
    { timeout: 90_000 },
    async () => {
      const taskQueue = uniqueTaskQueue('worker-metrics');
      const metricsPort = await freePort();
      const worker = spawnConfiguredWorker(taskQueue, metricsPort);
      try {
        const runId = `run_metrics_${taskQueue}`;
        const observation: RunObservation = {
          runId,
          agentId: 'agent_metered',
          status: 'failed',
          summary: 'policy error',
          observedAt: new Date().toISOString(),
          source: 'poll',
        };
        await temporal.client.workflow.signalWithStart(runTrackerWorkflow, {
          workflowId: runTrackerWorkflowId(runId),
          taskQueue,
          args: [{ runId, agentId: 'agent_metered', graceMs: 1 }],
          signal: observeRunSignal,
          signalArgs: [observation],
        });
        await temporal.client.workflow.getHandle(runTrackerWorkflowId(runId)).result();
        await expect
          .poll(async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(), {
            timeout: 30_000,
          })
          .toMatch(/twinflow_twin_runs_finished\{[^}]*agent_id="agent_metered"[^}]*status="failed"[^}]*\} 1/);
      } finally {
        worker.child.kill('SIGKILL');
      }
    },
  );
});
