// The CLI's line mode (CI logs, pipes): polled snapshots become lines in causal order, with nothing skipped.
import { describe, expect, it } from 'vitest';
import type { PipelineRunStatus } from '../../services/control/pipelines.js';
import { createLineStream } from '../../services/cli/live-view.js';
import type { StepState } from '../../workflows/pipeline-definition.js';
import type { PipelineState } from '../../workflows/pipeline-api.js';

const WORKFLOW_ID = 'pipeline/demo/k1';

function step(id: string, status: StepState['status'], extra: Partial<StepState> = {}): StepState {
  return { id, kind: 'agent', status, attempts: extra.runIds?.length ?? 0, runIds: [], ...extra };
}

function snapshot(status: PipelineState['status'], steps: StepState[], closed = false): PipelineRunStatus {
  return {
    workflowId: WORKFLOW_ID,
    name: 'demo',
    key: 'k1',
    execution: closed ? 'COMPLETED' : 'RUNNING',
    startTime: '2026-12-03T10:00:00Z',
    ...(closed && { closeTime: '2026-12-03T10:01:00Z' }),
    kind: 'declared',
    runIds: [],
    state: {
      name: 'demo',
      workflowId: WORKFLOW_ID,
      status,
      paused: false,
      startedAt: '2026-12-03T10:00:00Z',
      steps,
      agentIds: [],
      continuedAsNew: 0,
    },
  };
}

describe('the line stream', () => {
  it("prints the pipeline's end after its last step's end", () => {
    const lines = createLineStream(undefined);
    lines.next(snapshot('running', [step('a', 'running', { runIds: ['r1'], runId: 'r1' })]));
    const last = lines.next(
      snapshot(
        'succeeded',
        [step('a', 'succeeded', { runIds: ['r1'], runId: 'r1', outcome: 'success' })],
        true,
      ),
    );
    expect(last).toEqual([`  a succeeded outcome=success run=r1`, `${WORKFLOW_ID} succeeded`]);
  });

  it('prints a running step once, then each run it starts', () => {
    const lines = createLineStream(undefined);
    const first = lines.next(snapshot('running', [step('a', 'running')]));
    const second = lines.next(snapshot('running', [step('a', 'running', { runIds: ['r1'], runId: 'r1' })]));
    expect(first).toEqual([`${WORKFLOW_ID} running`, '  a queued (agent busy)']);
    expect(second).toEqual(['  a running run=r1', '  a attempt 1 started run=r1']);
  });

  it('prints every attempt even when a poll missed one', () => {
    const lines = createLineStream(undefined);
    lines.next(snapshot('running', [step('a', 'running', { runIds: ['r1'], runId: 'r1' })]));
    const later = lines.next(
      snapshot('running', [step('a', 'running', { runIds: ['r1', 'r2', 'r3'], runId: 'r3' })]),
    );
    expect(later).toEqual(['  a attempt 2 started run=r2', '  a attempt 3 started run=r3']);
  });

  it('prints the approve command when a step waits for a person', () => {
    const lines = createLineStream(undefined);
    const out = lines.next(snapshot('running', [{ ...step('gate', 'waiting_approval'), kind: 'approval' }]));
    expect(out.at(-1)).toContain(`twinflow approve ${WORKFLOW_ID} gate`);
  });

  it('prints each session event once, as the running step’s latest events move on', () => {
    const lines = createLineStream(undefined);
    const event = (n: number) => ({ id: `e${n}`, type: 'progress', text: `part ${n}` });
    const session = (latest: number[]) =>
      step('s', 'running', { kind: 'session', sessionId: 'sess_1', latestEvents: latest.map(event) });
    lines.next(snapshot('running', [session([1, 2])]));
    const next = lines.next(snapshot('running', [session([2, 3, 4])]));
    const later = lines.next(snapshot('running', [session([7, 8])]));
    expect(next).toEqual(['  s · progress: part 3', '  s · progress: part 4']);
    expect(later).toEqual(['  s · progress: part 7', '  s · progress: part 8']);
  });

  it('prints a running sync step’s progress each time it changes', () => {
    const lines = createLineStream(undefined);
    const sync = (status: string, percent: number) =>
      step('kb', 'running', { kind: 'twig.sync', syncProgress: { status, percent } });
    lines.next(snapshot('running', [sync('processing', 10)]));
    const same = lines.next(snapshot('running', [sync('processing', 10)]));
    const moved = lines.next(snapshot('running', [sync('processing', 60)]));
    expect(same).toEqual([]);
    expect(moved).toEqual(['  kb · sync processing 60%']);
  });
});
