// A pipeline written as a plain workflow function (examples/code-first.ts) is a pipeline like any other to the
// CLI: it is listed, started, shown and cancelled by name; what only the interpreter can do (pause, approve)
// is refused with a sentence saying why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineRunStatus } from '../../services/control/pipelines.js';
import { EXIT } from '../../services/cli/exit-codes.js';
import { eventually } from '../support/twinflow-stack.js';
import { startCliWorld, type CliWorld } from './cli-fixture.js';

const NAME = 'check-then-fix-code';

let world: CliWorld;
beforeAll(async () => {
  world = await startCliWorld();
});
afterAll(() => world?.close());

async function input(checkerScript: Parameters<CliWorld['stack']['newAgent']>[0]): Promise<string> {
  const checker = await world.stack.newAgent(checkerScript);
  const fixer = await world.stack.newAgent([{ durationMs: 50, result: 'completed', outcome: 'success' }]);
  return JSON.stringify({ repo: 'acme/shop', agents: { checker, fixer } });
}

describe('a pipeline written as code', () => {
  it('is listed with its input schema', async () => {
    const { code, value } = await world.twinflowJson<{ name: string; kind: string }[]>(['pipelines']);
    expect(code).toBe(EXIT.ok);
    expect(value).toContainEqual(expect.objectContaining({ name: NAME, kind: 'code' }));
    const text = await world.twinflow(['pipelines']);
    expect(text.stdout).toContain(`${NAME}  written as code`);
    expect(text.stdout).toContain('input: { repo: string, agents: { checker: string, fixer: string } }');
  });

  it('runs to the end with --wait, and status shows it', async () => {
    const run = await world.twinflow([
      'run',
      NAME,
      '--input',
      await input([{ durationMs: 100, result: 'completed', outcome: 'success' }]),
      '--id',
      'cf-1',
      '--wait',
    ]);
    expect(run.code, run.stderr).toBe(EXIT.ok);

    const status = await world.twinflow(['status', `${NAME}/cf-1`]);

    expect(status.code, status.stderr).toBe(EXIT.ok);
    expect(status.stdout).toMatch(new RegExp(`pipeline/${NAME}/cf-1\\s+succeeded`));
    expect(status.stdout).toMatch(/written as code: no step details; Twin runs: \S+/);
  });

  it('cannot be paused or approved, and says so', async () => {
    const pause = await world.twinflow(['pause', `${NAME}/cf-1`]);
    expect(pause.code, pause.stderr).toBe(EXIT.usage);
    expect(pause.stderr).toContain(
      `pipeline "${NAME}" is written as code (workflow checkThenFixWorkflow) and cannot be paused`,
    );
    const approve = await world.twinflow(['approve', `${NAME}/cf-1`, 'check']);
    expect(approve.code, approve.stderr).toBe(EXIT.usage);
  });

  it('is cancelled by name, and status shows the reason', async () => {
    const slow = await input([{ durationMs: 60_000, result: 'completed' }]);
    await world.twinflow(['run', NAME, '--input', slow, '--id', 'cf-cancel']);

    const cancel = await world.twinflow(['cancel', `${NAME}/cf-cancel`, '--reason', 'wrong repo']);

    expect(cancel.code, cancel.stderr).toBe(EXIT.ok);
    const status = await eventually(
      'the run to close',
      async () => {
        const { value } = await world.twinflowJson<PipelineRunStatus>(['status', `${NAME}/cf-cancel`]);
        return value.execution === 'RUNNING' ? undefined : value;
      },
      30_000,
    );
    expect(status).toMatchObject({ execution: 'CANCELLED', kind: 'code', cancelReason: 'wrong repo' });
    const text = await world.twinflow(['status', `${NAME}/cf-cancel`]);
    expect(text.stdout).toContain('cancelled: wrong repo');
  });

  it('has no graph: graph says it is written as code', async () => {
    const graph = await world.twinflow(['graph', NAME]);
    expect(graph.code).toBe(EXIT.usage);
    expect(graph.stderr).toContain('is written as code');
  });
});
