import { describe, it, expect } from 'vitest';
import { decideReadySteps, evaluateCondition, triggerMatches } from '../../workflows/pipeline-scheduling.js';
import { definePipeline, type StepState, type StepStatus } from '../../workflows/pipeline-definition.js';

function state(id: string, status: StepStatus, extra: Partial<StepState> = {}): StepState {
  return { id, kind: 'agent', status, attempts: 0, runIds: [], ...extra };
}

function states(...list: StepState[]): Record<string, StepState> {
  return Object.fromEntries(list.map((s) => [s.id, s]));
}

const checkAndFix = definePipeline({
  name: 'check-and-fix',
  steps: [
    { id: 'check', kind: 'agent', agent: 'a' },
    { id: 'fix', kind: 'agent', agent: 'b', after: ['check'], when: { step: 'check', outcome: 'fail' } },
    { id: 'report', kind: 'agent', agent: 'c', after: ['check', 'fix'] },
    { id: 'undo', kind: 'agent', agent: 'd' },
    { id: 'deploy', kind: 'agent', agent: 'e', after: ['report'], onFailure: { compensate: 'undo' } },
  ],
});

describe('conditions on earlier steps', () => {
  it('holds when the step ended with the named outcome', () => {
    expect(
      evaluateCondition(
        { step: 'check', outcome: 'fail' },
        states(state('check', 'succeeded', { outcome: 'fail' })),
      ),
    ).toBe(true);
  });

  it('does not hold for another outcome', () => {
    expect(
      evaluateCondition(
        { step: 'check', outcome: 'fail' },
        states(state('check', 'succeeded', { outcome: 'success' })),
      ),
    ).toBe(false);
  });

  it('accepts a list of outcomes', () => {
    const steps = states(state('check', 'succeeded', { outcome: 'partial' }));
    expect(evaluateCondition({ step: 'check', outcome: ['fail', 'partial'] }, steps)).toBe(true);
  });

  it('tests the step status', () => {
    expect(evaluateCondition({ step: 'check', status: 'failed' }, states(state('check', 'failed')))).toBe(
      true,
    );
  });

  it('needs both outcome and status when both are given', () => {
    const steps = states(state('check', 'failed', { outcome: 'success' }));
    expect(evaluateCondition({ step: 'check', status: 'failed', outcome: 'fail' }, steps)).toBe(false);
  });

  const mixed = states(
    state('lint', 'succeeded', { outcome: 'success' }),
    state('test', 'succeeded', { outcome: 'fail' }),
  );
  const eitherFailed = [
    { step: 'lint', outcome: 'fail' as const },
    { step: 'test', outcome: 'fail' as const },
  ];

  it('with any, holds when one part holds', () => {
    expect(evaluateCondition({ any: eitherFailed }, mixed)).toBe(true);
  });

  it('with all, needs every part to hold', () => {
    expect(evaluateCondition({ all: eitherFailed }, mixed)).toBe(false);
  });

  it('with not, inverts', () => {
    expect(evaluateCondition({ not: { any: eitherFailed } }, mixed)).toBe(false);
  });

  it('does not hold for a step that has no state', () => {
    expect(evaluateCondition({ step: 'ghost', status: 'pending' }, {})).toBe(false);
  });
});

describe('which steps are ready', () => {
  it('starts with the steps that have no dependencies, never a compensation step', () => {
    const steps = states(
      state('check', 'pending'),
      state('fix', 'pending'),
      state('report', 'pending'),
      state('undo', 'pending'),
      state('deploy', 'pending'),
    );
    expect(decideReadySteps(checkAndFix, steps)).toEqual([{ stepId: 'check', run: true }]);
  });

  it('runs a conditional step when its condition holds', () => {
    const steps = states(
      state('check', 'succeeded', { outcome: 'fail' }),
      state('fix', 'pending'),
      state('report', 'pending'),
    );
    expect(decideReadySteps(checkAndFix, steps)).toEqual([{ stepId: 'fix', run: true }]);
  });

  it('skips a conditional step when its condition does not hold', () => {
    const steps = states(
      state('check', 'succeeded', { outcome: 'success' }),
      state('fix', 'pending'),
      state('report', 'pending'),
    );
    expect(decideReadySteps(checkAndFix, steps)).toEqual([{ stepId: 'fix', run: false }]);
  });

  it('fans in only once every dependency has settled, and a skipped dependency does not block', () => {
    const steps = states(state('check', 'succeeded'), state('fix', 'skipped'), state('report', 'pending'));
    expect(decideReadySteps(checkAndFix, steps)).toEqual([{ stepId: 'report', run: true }]);
  });

  it('skips a step without a condition when a dependency failed', () => {
    const steps = states(state('check', 'failed'), state('fix', 'skipped'), state('report', 'pending'));
    expect(decideReadySteps(checkAndFix, steps)).toEqual([{ stepId: 'report', run: false }]);
  });

  it('waits while a dependency is still running', () => {
    const steps = states(state('check', 'succeeded'), state('fix', 'running'), state('report', 'pending'));
    expect(decideReadySteps(checkAndFix, steps)).toEqual([]);
  });
});

describe('triggers', () => {
  const trigger = { event: 'run.completed' as const, agent: 'agent_x', outcome: 'success' as const };

  it('match a terminal run of the agent with the named event and outcome', () => {
    expect(triggerMatches(trigger, { agentId: 'agent_x', status: 'completed', outcome: 'success' })).toBe(
      true,
    );
  });

  it('do not match another outcome', () => {
    expect(triggerMatches(trigger, { agentId: 'agent_x', status: 'completed', outcome: 'fail' })).toBe(false);
  });

  it('do not match another agent', () => {
    expect(triggerMatches(trigger, { agentId: 'agent_y', status: 'completed', outcome: 'success' })).toBe(
      false,
    );
  });

  it('do not match another event', () => {
    expect(triggerMatches(trigger, { agentId: 'agent_x', status: 'failed' })).toBe(false);
  });
});
