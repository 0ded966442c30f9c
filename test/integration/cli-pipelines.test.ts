// The pipeline side of the `twinflow` CLI, run as a real child process: exit codes scripts can rely on, the
// live view, and a clear message for each way a request can be wrong.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineRunStatus, PipelineRunSummary } from '../../services/control/pipelines.js';
import { freePort } from '../../services/shared/processes.js';
import { eventually } from '../support/twinflow-stack.js';
import { digestAgents, runCli, startCliWorld, type CliWorld } from './cli-fixture.js';

const INPUT = JSON.stringify({ repo: 'acme/shop' });

describe('twinflow pipeline commands', () => {
  let world: CliWorld;
  let happy: Record<string, string>;

  beforeAll(async () => {
    world = await startCliWorld();
    const agent = () =>
      world.stack.newAgent([{ durationMs: 300, result: 'completed', outcome: 'success', summary: 'done' }]);
    happy = digestAgents({ collector: await agent(), writer: await agent(), publisher: await agent() });
  });

  afterAll(async () => {
    await world?.close();
  });

  it('run --wait follows a pipeline to success, shows each step, and exits 0', async () => {
    const result = await world.twinflow(
      ['run', 'nightly-digest', '--input', INPUT, '--id', 'cli-success', '--wait'],
      happy,
    );

    expect(result.stderr).toContain('started pipeline/nightly-digest/cli-success');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/pipeline\/nightly-digest\/cli-success\s+succeeded/);
    // The final table: step, state, outcome, agent, Twin run ID, attempt.
    for (const step of ['collect', 'write', 'publish'])
      expect(result.stdout).toMatch(
        new RegExp(`^\\s+${step}\\s+succeeded\\s+success\\s+\\S+\\s+\\S+\\s+1\\s`, 'm'),
      );
  });

  it('run --wait exits non-zero with the failed step when the pipeline fails', async () => {
    const failing = await world.stack.newAgent([
      { durationMs: 100, result: 'failed', summary: 'collector broke' },
    ]);
    const env = { ...happy, ...digestAgents({ collector: failing, writer: failing, publisher: failing }) };

    const result = await world.twinflow(
      ['run', 'nightly-digest', '--input', INPUT, '--id', 'cli-failure', '--wait'],
      env,
    );

    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /pipeline pipeline\/nightly-digest\/cli-failure ended failed at step collect/,
    );
  });

  it('rerun starts a new run of a failed one and names both', async () => {
    const result = await world.twinflow(
      ['rerun', 'pipeline/nightly-digest/cli-failure', '--id', 'cli-failure-again'],
      happy,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'rerun of pipeline/nightly-digest/cli-failure started as pipeline/nightly-digest/cli-failure-again',
    );
  });

  it('run without --wait prints the run ID and exits at once', async () => {
    const { code, value, stderr } = await world.twinflowJson<{ workflowId: string; started: boolean }>(
      ['run', 'nightly-digest', '--input', INPUT, '--id', 'cli-nowait'],
      happy,
    );

    expect(code, stderr).toBe(0);
    expect(value).toMatchObject({ workflowId: 'pipeline/nightly-digest/cli-nowait', started: true });
  });

  it('run with --input @file reads the input from the file', async () => {
    const file = path.join(world.dir, 'input.json');
    await writeFile(file, INPUT);

    const { code, value, stderr } = await world.twinflowJson<{ workflowId: string }>(
      ['run', 'nightly-digest', '--input', `@${file}`, '--id', 'cli-file'],
      happy,
    );

    expect(code, stderr).toBe(0);
    expect(value.workflowId).toBe('pipeline/nightly-digest/cli-file');
  });

  it('status shows a finished run with every step', async () => {
    const { code, value, stderr } = await world.twinflowJson<PipelineRunStatus>([
      'status',
      'pipeline/nightly-digest/cli-success',
    ]);

    expect(code, stderr).toBe(0);
    expect(value.execution).toBe('COMPLETED');
    expect(value.state?.steps.map((s) => [s.id, s.status])).toEqual([
      ['collect', 'succeeded'],
      ['write', 'succeeded'],
      ['publish', 'succeeded'],
    ]);
  });

  it('status of a run that does not exist exits non-zero and says so', async () => {
    const result = await world.twinflow(['status', 'nightly-digest/no-such-key']);

    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toContain('no pipeline run pipeline/nightly-digest/no-such-key');
  });

  it('list filters runs by pipeline and status', async () => {
    const succeeded = await eventually('the successful run to be listed', async () => {
      const { value } = await world.twinflowJson<PipelineRunSummary[]>([
        'list',
        '--pipeline',
        'nightly-digest',
        '--status',
        'succeeded',
      ]);
      return value.some((r) => r.workflowId === 'pipeline/nightly-digest/cli-success') ? value : undefined;
    });

    expect(succeeded.every((r) => r.status === 'succeeded')).toBe(true);
    expect(succeeded.map((r) => r.workflowId)).not.toContain('pipeline/nightly-digest/cli-failure');
  });

  it('cancel stops a running pipeline, with its reason recorded', async () => {
    const slow = await world.stack.newAgent([{ durationMs: 60_000, result: 'completed' }]);
    const env = digestAgents({ collector: slow, writer: slow, publisher: slow });
    await world.twinflow(['run', 'nightly-digest', '--input', INPUT, '--id', 'cli-cancel'], env);

    const cancelled = await world.twinflow([
      'cancel',
      'pipeline/nightly-digest/cli-cancel',
      '--reason',
      'changed my mind',
    ]);

    expect(cancelled.code, cancelled.stderr).toBe(0);
    const status = await eventually(
      'the pipeline to be cancelled',
      async () => {
        const { value } = await world.twinflowJson<PipelineRunStatus>([
          'status',
          'pipeline/nightly-digest/cli-cancel',
        ]);
        return value.execution === 'RUNNING' ? undefined : value;
      },
      30_000,
    );
    expect(status.state?.status ?? status.execution).toMatch(/^cancell?ed$/i);
    const history = await world.stack.client.workflow
      .getHandle('pipeline/nightly-digest/cli-cancel')
      .fetchHistory();
    const request = history.events?.find((e) => e.workflowExecutionCancelRequestedEventAttributes);
    expect(request?.workflowExecutionCancelRequestedEventAttributes?.cause).toBe('changed my mind');
  });

  it('pause holds back the next step until resume', async () => {
    // The collector's run ends only when the test says so, after the pause: no race with a slow machine.
    const collector = await world.stack.newAgent([{ result: 'never' }]);
    const env = { ...happy, TWINFLOW_AGENT_COLLECTOR: collector };
    await world.twinflow(['run', 'nightly-digest', '--input', INPUT, '--id', 'cli-pause'], env);

    const paused = await world.twinflow(['pause', 'nightly-digest/cli-pause']);

    expect(paused.code, paused.stderr).toBe(0);
    const [run] = await eventually('the collector run', async () => {
      const runs = await world.stack.runsOf(collector);
      return runs.length > 0 ? runs : undefined;
    });
    await world.stack.control.moveRun(run?.run_id ?? '', 'complete', { outcome: 'success' });
    const held = await eventually(
      'the collector to finish while paused',
      async () => {
        const { value } = await world.twinflowJson<PipelineRunStatus>(['status', 'nightly-digest/cli-pause']);
        return value.state?.steps[0]?.status === 'succeeded' ? value : undefined;
      },
      30_000,
    );
    expect(held.state?.paused).toBe(true);
    expect(held.state?.steps[1]?.status).toBe('pending');

    const resumed = await world.twinflow(['resume', 'nightly-digest/cli-pause']);

    expect(resumed.code, resumed.stderr).toBe(0);
    const done = await eventually(
      'the pipeline to finish',
      async () => {
        const { value } = await world.twinflowJson<PipelineRunStatus>(['status', 'nightly-digest/cli-pause']);
        return value.execution === 'RUNNING' ? undefined : value;
      },
      30_000,
    );
    expect(done.state?.status).toBe('succeeded');
  });

  it('approve lets a pipeline waiting for a person go on to the end', async () => {
    const worker = await world.stack.newAgent([{ durationMs: 100, result: 'completed', outcome: 'success' }]);
    const input = JSON.stringify({
      instructions: 'Be brief.',
      previousInstructions: 'Be thorough.',
      agents: { worker },
    });
    await world.twinflow(['run', 'schedule-rollout', '--input', input, '--id', 'cli-approve']);
    await eventually(
      'the approval step to wait',
      async () => {
        const { value } = await world.twinflowJson<PipelineRunStatus>([
          'status',
          'schedule-rollout/cli-approve',
        ]);
        return value.state?.status === 'waiting_approval' ? true : undefined;
      },
      30_000,
    );

    const approved = await world.twinflow([
      'approve',
      'schedule-rollout/cli-approve',
      'approve',
      '--comment',
      'ship it',
    ]);

    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('step approve approved');
    const status = await eventually(
      'the pipeline to finish',
      async () => {
        const { value } = await world.twinflowJson<PipelineRunStatus>([
          'status',
          'schedule-rollout/cli-approve',
        ]);
        return value.execution === 'RUNNING' ? undefined : value;
      },
      30_000,
    );
    expect(status.state?.status).toBe('succeeded');
    expect((await world.stack.twin.getSchedule(worker)).schedule?.cron).toBe('0 0 9 * * MON-FRI *');
  });

  it('pipelines lists the registered pipelines', async () => {
    const { code, value, stderr } = await world.twinflowJson<{ name: string }[]>(['pipelines']);

    expect(code, stderr).toBe(0);
    expect(value.map((p) => p.name)).toEqual(
      expect.arrayContaining(['nightly-digest', 'check-and-fix', 'schedule-rollout']),
    );
  });

  it('graph prints a Mermaid flowchart of the steps and their dependencies', async () => {
    const result = await world.twinflow(['graph', 'check-and-fix']);

    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(lines.filter((l) => l.includes('-->'))).toHaveLength(5);
    expect(result.stdout).toContain('"lint<br/>');
  });

  it('an unknown pipeline exits 2 and points at the list', async () => {
    const result = await world.twinflow(['run', 'no-such-pipeline']);

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('no pipeline named "no-such-pipeline" is registered');
    expect(result.stderr).toContain('twinflow pipelines');
  });

  it('input that is not JSON exits 2 and quotes the parse error', async () => {
    const result = await world.twinflow(['run', 'nightly-digest', '--input', '{"repo": acme}'], happy);

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('--input is not valid JSON');
  });

  it('input the pipeline does not accept exits 2 and names the field', async () => {
    const result = await world.twinflow(['run', 'nightly-digest', '--input', '{"channel":"#x"}'], happy);

    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/invalid input for pipeline "nightly-digest": repo:/);
  });

  it('an unreachable Temporal exits 3 with the address and what to do', async () => {
    const closed = await freePort();

    const result = await world.twinflow(['list'], { TEMPORAL_ADDRESS: `127.0.0.1:${closed}` });

    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`cannot reach Temporal at 127.0.0.1:${closed} (TEMPORAL_ADDRESS)`);
    expect(result.stderr).toContain('npm start');
  });

  it('without TEMPORAL_ADDRESS, talks to the Temporal the local stack recorded', async () => {
    const dataDir = path.join(world.dir, 'stack-data');
    await mkdir(dataDir, { recursive: true });
    const recorded = {
      temporalAddress: world.stack.config.TEMPORAL_ADDRESS,
      webUiUrl: 'http://127.0.0.1:8233',
      receiverUrl: 'http://127.0.0.1:8787',
    };
    await writeFile(path.join(dataDir, 'dev-stack.json'), JSON.stringify(recorded));
    const { TEMPORAL_ADDRESS: _unset, ...env } = world.env;

    const result = await runCli(
      ['status', 'nightly-digest/cli-success'],
      { ...env, TWINFLOW_DATA_DIR: dataDir },
      world.dir,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/pipeline\/nightly-digest\/cli-success\s+succeeded/);
  });

  it('run --wait outside a terminal prints how to approve a step that waits', async () => {
    const worker = await world.stack.newAgent([{ durationMs: 100, result: 'completed', outcome: 'success' }]);
    const input = JSON.stringify({
      instructions: 'Be brief.',
      previousInstructions: 'Be thorough.',
      agents: { worker },
    });
    const waiting = world.twinflow([
      'run',
      'schedule-rollout',
      '--input',
      input,
      '--id',
      'cli-hint',
      '--wait',
    ]);
    await eventually(
      'the approval step to wait',
      async () => {
        const { value } = await world.twinflowJson<PipelineRunStatus>([
          'status',
          'schedule-rollout/cli-hint',
        ]);
        return value.state?.status === 'waiting_approval' ? true : undefined;
      },
      30_000,
    );
    // One poll of the live view after the step started waiting, then let the run go on.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await world.twinflow(['approve', 'schedule-rollout/cli-hint', 'approve']);

    const result = await waiting;

    expect(result.code, result.stderr).toBe(0);
    const [before] = result.stdout.split('succeeded  ');
    expect(before).toMatch(
      /approve waiting_approval.*\n.*waiting for approval: twinflow approve pipeline\/schedule-rollout\/cli-hint approve/,
    );
  });

  it("run --wait shows a step held back by its agent's concurrency limit as queued", async () => {
    const busy = await world.stack.newAgent([{ durationMs: 2_000, result: 'completed', outcome: 'success' }]);
    const env = {
      TWINFLOW_AGENT_LINTER: busy,
      TWINFLOW_AGENT_TESTER: busy,
      TWINFLOW_AGENT_FIXER: busy,
      TWINFLOW_AGENT_REPORTER: busy,
    };

    const result = await world.twinflow(
      ['run', 'check-and-fix', '--input', INPUT, '--id', 'cli-queued', '--wait'],
      env,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ (lint|test) queued \(agent busy\)/);
  });

  it('status shows why a run was cancelled', async () => {
    const result = await world.twinflow(['status', 'pipeline/nightly-digest/cli-cancel']);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('cancelled: changed my mind');
  });

  it('pipelines shows the input each pipeline takes', async () => {
    const result = await world.twinflow(['pipelines'], happy);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('input: { repo: string, channel?: string = "#engineering" }');
  });

  it('errors are JSON too with --json', async () => {
    const { code, value, stderr } = await world.twinflowJson<{
      error: { message: string; exitCode: number };
    }>(['graph', 'nope']);

    expect(code, stderr).toBe(2);
    expect(value.error).toMatchObject({ exitCode: 2, message: expect.stringContaining('"nope"') });
  });
});
