// Which agent a status row names: the ID the step's template rendered to, since `{{input.agent}}` tells a
// reader nothing about the run in front of them.
import { describe, expect, it } from 'vitest';
import type { PipelineRunStatus } from '../../services/control/pipelines.js';
import { stepRows } from '../../services/cli/live-view.js';
import { definePipeline, type StepState } from '../../workflows/pipeline-definition.js';

const definition = definePipeline({
  name: 'by-input',
  steps: [{ kind: 'agent', id: 'work', agent: '{{input.agent}}' }],
});

function statusWith(step: StepState): PipelineRunStatus {
  return {
    workflowId: 'pipeline/by-input/k1',
    name: 'by-input',
    key: 'k1',
    execution: 'RUNNING',
    startTime: '2026-12-04T10:00:00Z',
    kind: 'declared',
    runIds: [],
    state: {
      name: 'by-input',
      workflowId: 'pipeline/by-input/k1',
      status: 'running',
      paused: false,
      startedAt: '2026-12-04T10:00:00Z',
      steps: [step],
      agentIds: [],
      continuedAsNew: 0,
    },
  };
}

describe('status rows', () => {
  it('name the agent ID a started step resolved, not its template', () => {
    const step: StepState = { id: 'work', kind: 'agent', status: 'running', attempts: 1, runIds: ['r1'] };
    const [row] = stepRows(statusWith({ ...step, agentId: 'agent-42' }), definition);
    expect(row?.agent).toBe('agent-42');
  });

  it('show the template of a step that has not resolved one yet', () => {
    const step: StepState = { id: 'work', kind: 'agent', status: 'pending', attempts: 0, runIds: [] };
    const [row] = stepRows(statusWith(step), definition);
    expect(row?.agent).toBe('{{input.agent}}');
  });
});
