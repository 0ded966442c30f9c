// Determinism guard: the example pipelines run against the emulator, their histories (and those of the run
// trackers and agent lanes they used) are replayed against the current workflow bundle, and so are histories
// committed under test/fixtures/histories/. A change to workflow
// code that would break running pipelines fails here rather than in production. After an intended change,
// record new fixtures with TWINFLOW_RECORD_HISTORIES=1 (and say why in the commit).
import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkThenFixWorkflow, CODE_FIRST_PIPELINE } from '../../examples/code-first.js';
import { examplePipelines } from '../../examples/index.js';
import { approveStep } from '../../services/control/pipelines.js';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import { pipelineStateQuery, pipelineWorkflowId } from '../../workflows/pipeline-api.js';
import { agentLaneWorkflowId } from '../../providers/twin/workflows/agent-lane-api.js';
import { runTrackerWorkflowId } from '../../providers/twin/workflows/run-tracker-api.js';
import { eventually } from '../support/twinflow-stack.js';
import { startPipelineWorld, type PipelineWorld } from './pipeline-fixture.js';
import { historyText } from '../support/history.js';

const FIXTURES = path.join(PROJECT_ROOT, 'test/fixtures/histories');
const RECORD = process.env.TWINFLOW_RECORD_HISTORIES === '1';

let world: PipelineWorld;
const recorded = new Map<string, WorkflowHandle>();

beforeAll(async () => {
  world = await startPipelineWorld(examplePipelines({}));
  const runs = await Promise.all([
    runNightlyDigest(),
    runCheckAndFix(),
    runScheduleRollout(),
    runCodeFirst(),
  ]);
  for (const [name, handle] of runs) recorded.set(name, handle);
  if (RECORD) await recordFixtures();
}, 180_000);
afterAll(() => world.close());

async function runNightlyDigest(): Promise<[string, WorkflowHandle]> {
  const agents = {
    collector: await world.stack.newAgent([
      { durationMs: 50, result: 'failed' },
      { durationMs: 50, output: '3 merged PRs' },
    ]),
    writer: await world.stack.newAgent([{ durationMs: 50, output: 'digest text' }]),
    publisher: await world.stack.newAgent([{ durationMs: 50 }]),
  };
  const { handle } = await world.start('nightly-digest', { repo: 'acme/api', agents });
  await handle.result();
  return ['nightly-digest', handle];
}

async function runCheckAndFix(): Promise<[string, WorkflowHandle]> {
  const agents = {
    linter: await world.stack.newAgent([{ durationMs: 50, output: 'clean' }]),
    tester: await world.stack.newAgent([{ durationMs: 50, outcome: 'fail', output: '1 test fails' }]),
    fixer: await world.stack.newAgent([{ durationMs: 50, output: 'fixed' }]),
    reporter: await world.stack.newAgent([{ durationMs: 50 }]),
  };
  const { handle } = await world.start('check-and-fix', { repo: 'acme/api', agents });
  await handle.result();
  return ['check-and-fix', handle];
}

async function runScheduleRollout(): Promise<[string, WorkflowHandle]> {
  const worker = await world.stack.newAgent([{ durationMs: 50, output: 'dry run fine' }]);
  const input = {
    instructions: 'Triage new issues.',
    previousInstructions: 'Do nothing.',
    agents: { worker },
  };
  const { key, handle } = await world.start('schedule-rollout', input);
  await eventually('the approval step to wait', async () =>
    (await handle.query(pipelineStateQuery)).status === 'waiting_approval' ? true : undefined,
  );
  await approveStep(
    world.control,
    { name: 'schedule-rollout', key },
    { stepId: 'approve', approved: true, by: 'replay-test' },
  );
  await handle.result();
  return ['schedule-rollout', handle];
}

async function runCodeFirst(): Promise<[string, WorkflowHandle]> {
  const agents = {
    checker: await world.stack.newAgent([{ durationMs: 50, outcome: 'fail', output: 'lint errors' }]),
    fixer: await world.stack.newAgent([{ durationMs: 50 }]),
  };
  const handle = await world.stack.client.workflow.start(checkThenFixWorkflow, {
    taskQueue: world.stack.config.TEMPORAL_TASK_QUEUE,
    workflowId: pipelineWorkflowId(CODE_FIRST_PIPELINE, randomUUID()),
    args: [{ repo: 'acme/api', agents }],
  });
  await handle.result();
  return [CODE_FIRST_PIPELINE, handle];
}

async function recordFixtures(): Promise<void> {
  await mkdir(FIXTURES, { recursive: true });
  for (const [name, handle] of recorded) {
    const history = await handle.fetchHistory();
    await writeFile(path.join(FIXTURES, `${name}.json`), `${JSON.stringify(history, null, 1)}\n`);
  }
}

const replayOptions = () => ({ workflowBundle: { codePath: inject('workflowBundlePath') } });

describe('replaying pipeline histories', () => {
  it('replays the fresh history of every example without non-determinism', async () => {
    const histories = await Promise.all(
      [...recorded.values()].map(async (handle) => ({
        workflowId: handle.workflowId,
        history: await handle.fetchHistory(),
      })),
    );
    const failures = [];
    for await (const result of Worker.runReplayHistories(replayOptions(), histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(histories).toHaveLength(4);
    expect(failures).toEqual([]);
  });

  it('replays the fresh history of every run tracker and agent lane the examples used', async () => {
    // The trackers read outputs and wait for outcomes now; their histories must replay as well as the steps'.
    const runs = await world.stack.control.runs();
    const workflowIds = [
      ...runs.map((run) => runTrackerWorkflowId(run.run_id)),
      ...new Set(runs.map((run) => agentLaneWorkflowId(run.agent_id))),
    ];
    const histories = await Promise.all(
      workflowIds.map(async (workflowId) => ({
        workflowId,
        history: await world.stack.client.workflow.getHandle(workflowId).fetchHistory(),
      })),
    );
    const failures = [];
    for await (const result of Worker.runReplayHistories(replayOptions(), histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(runs.length).toBeGreaterThanOrEqual(8);
    expect(failures).toEqual([]);
  });

  it('replays every committed fixture history', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json'));
    const failures = [];
    for (const file of files) {
      const history = temporal.api.history.v1.History.fromObject(
        JSON.parse(await readFile(path.join(FIXTURES, file), 'utf8')),
      );
      try {
        await Worker.runReplayHistory(replayOptions(), history, file);
      } catch (error) {
        failures.push(`${file}: ${String(error)}`);
      }
    }
    expect(files.sort()).toEqual([
      'check-and-fix.json',
      `${CODE_FIRST_PIPELINE}.json`,
      'nightly-digest.json',
      'schedule-rollout.json',
    ]);
    expect(failures).toEqual([]);
  });

  it('keeps the Twin API key out of every example history', async () => {
    for (const handle of recorded.values()) {
      expect(historyText(await handle.fetchHistory())).not.toContain(world.stack.apiKey);
    }
  });
});
