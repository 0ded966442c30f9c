import { describe, it, expect } from 'vitest';
import {
  assertValidPipeline,
  definePipeline,
  findDefinitionProblems,
  PipelineDefinitionError,
  type PipelineDefinition,
  type StepDefinition,
} from '../../workflows/pipeline-definition.js';
import { validateTwinCron } from '../../services/twin-api/cron.js';

function pipeline(steps: StepDefinition[], extra: Partial<PipelineDefinition> = {}): PipelineDefinition {
  return definePipeline({ name: 'demo', steps, ...extra });
}

function messages(definition: PipelineDefinition): string[] {
  return findDefinitionProblems(definition).map((p) => `${p.step ?? '-'}: ${p.message}`);
}

describe('pipeline definition validation', () => {
  it('accepts a sequence, a fan-out/fan-in with a condition and a compensation', () => {
    const definition = pipeline([
      { id: 'check', kind: 'agent', agent: '{{input.checker}}', message: 'check {{input.repo}}' },
      {
        id: 'fix',
        kind: 'agent',
        agent: 'b',
        after: ['check'],
        when: { step: 'check', outcome: 'fail' },
        message: '{{steps.check.summary}}',
      },
      { id: 'notify', kind: 'agent', agent: 'c', after: ['check'] },
      {
        id: 'report',
        kind: 'agent',
        agent: 'c',
        after: ['fix', 'notify'],
        message: '{{steps.check.runId}} {{steps.fix.outcome}}',
      },
      { id: 'deploy', kind: 'agent', agent: 'd', after: ['report'], onFailure: { compensate: 'rollback' } },
      {
        id: 'rollback',
        kind: 'agent',
        agent: 'd',
        message: 'undo {{steps.deploy.runId}} after {{steps.report.summary}}',
      },
    ]);
    expect(findDefinitionProblems(definition)).toEqual([]);
  });

  it('throws an error that names the pipeline and the step', () => {
    const definition = pipeline([{ id: 'check', kind: 'agent', agent: 'a', after: ['nope'] }]);
    expect(() => assertValidPipeline(definition)).toThrow(PipelineDefinitionError);
    expect(() => assertValidPipeline(definition)).toThrow(
      /pipeline "demo"[\s\S]*step "check": "after" names unknown step "nope"/,
    );
  });

  it('rejects a dependency cycle and shows it', () => {
    const definition = pipeline([
      { id: 'a', kind: 'agent', agent: 'x', after: ['c'] },
      { id: 'b', kind: 'agent', agent: 'x', after: ['a'] },
      { id: 'c', kind: 'agent', agent: 'x', after: ['b'] },
    ]);
    expect(messages(definition)).toEqual(['a: dependency cycle: a → b → c → a']);
  });

  it('rejects a step that comes after itself', () => {
    expect(messages(pipeline([{ id: 'a', kind: 'agent', agent: 'x', after: ['a'] }]))).toContain(
      'a: a step cannot come after itself',
    );
  });

  it('rejects duplicate step ids', () => {
    const definition = pipeline([
      { id: 'a', kind: 'agent', agent: 'x' },
      { id: 'a', kind: 'agent', agent: 'y' },
    ]);
    expect(messages(definition)).toContain('a: duplicate step id');
  });

  it('rejects a template naming an unknown step', () => {
    const definition = pipeline([{ id: 'a', kind: 'agent', agent: 'x', message: '{{steps.ghost.summary}}' }]);
    expect(messages(definition)).toEqual([
      'a: message: "{{steps.ghost.summary}}" names unknown step "ghost"',
    ]);
  });

  it('rejects a template reading a step that is not an ancestor', () => {
    const definition = pipeline([
      { id: 'a', kind: 'agent', agent: 'x' },
      { id: 'b', kind: 'agent', agent: 'x', message: 'after {{steps.a.summary}}' },
    ]);
    expect(messages(definition)).toEqual([
      'b: message: "{{steps.a.summary}}" reads step "a", which is not an ancestor (add it to "after")',
    ]);
  });

  it('lets a template read a transitive ancestor', () => {
    const definition = pipeline([
      { id: 'a', kind: 'agent', agent: 'x' },
      { id: 'b', kind: 'agent', agent: 'x', after: ['a'] },
      { id: 'c', kind: 'agent', agent: 'x', after: ['b'], message: '{{steps.a.summary}}' },
    ]);
    expect(messages(definition)).toEqual([]);
  });

  it('rejects an unknown step field in a template', () => {
    const definition = pipeline([
      { id: 'a', kind: 'agent', agent: 'x' },
      { id: 'b', kind: 'agent', agent: 'x', after: ['a'], message: '{{steps.a.secret}}' },
    ]);
    expect(messages(definition)[0]).toMatch(
      /^b: message: "\{\{steps.a.secret\}\}" — step fields are status, outcome, output, json/,
    );
  });

  it('rejects a template with an unknown root', () => {
    const definition = pipeline([{ id: 'a', kind: 'agent', agent: 'x', message: '{{env.TWIN_API_KEY}}' }]);
    expect(messages(definition)[0]).toMatch(
      /^a: message: "\{\{env.TWIN_API_KEY\}\}" — a template reads "input.\*"/,
    );
  });

  it('rejects a template with a syntax error', () => {
    const definition = pipeline([{ id: 'a', kind: 'agent', agent: 'x', message: 'hello {{input.name' }]);
    expect(messages(definition)[0]).toMatch(/^a: message: unclosed "\{\{"/);
  });

  it('rejects a condition on a step that is not a dependency', () => {
    const definition = pipeline([
      { id: 'a', kind: 'agent', agent: 'x' },
      { id: 'b', kind: 'agent', agent: 'x', when: { step: 'a', outcome: 'fail' } },
    ]);
    expect(messages(definition)).toEqual([
      'b: "when" reads step "a", which is not among its dependencies (add it to "after")',
    ]);
  });

  it('rejects a condition on an unknown step', () => {
    const definition = pipeline([
      { id: 'a', kind: 'agent', agent: 'x', when: { not: { step: 'ghost', status: 'failed' } } },
    ]);
    expect(messages(definition)).toEqual(['a: "when" names unknown step "ghost"']);
  });

  it('rejects a compensation with an unknown step', () => {
    const definition = pipeline([{ id: 'a', kind: 'agent', agent: 'x', onFailure: { compensate: 'ghost' } }]);
    expect(messages(definition)).toEqual(['a: onFailure compensates with unknown step "ghost"']);
  });

  it('rejects a compensation step that sits in the graph', () => {
    const definition = pipeline([
      { id: 'a', kind: 'agent', agent: 'x', onFailure: { compensate: 'undo' } },
      { id: 'undo', kind: 'agent', agent: 'x', after: ['a'] },
    ]);
    expect(messages(definition)).toContain(
      'undo: a compensation step cannot have "after": it runs when the step it compensates fails',
    );
  });

  it('rejects a set-schedule step without a cron', () => {
    const definition = pipeline([{ id: 'r', kind: 'reschedule', agent: 'x', action: 'set' }]);
    expect(messages(definition)).toEqual(['r: action "set" needs a "cron"']);
  });

  it('rejects a cron on a pause-schedule step', () => {
    const definition = pipeline([
      { id: 'r', kind: 'reschedule', agent: 'x', action: 'pause', cron: '0 0 9 * * * *' },
    ]);
    expect(messages(definition)).toEqual(['r: "cron" only goes with action "set", not "pause"']);
  });

  it('rejects a 5-field cron under Twin’s 7-field validator', () => {
    const definition = pipeline([
      { id: 'r', kind: 'reschedule', agent: 'x', action: 'set', cron: '0 9 * * *' },
    ]);
    expect(findDefinitionProblems(definition, { validateCron: validateTwinCron })).toEqual([
      {
        step: 'r',
        message:
          'cron "0 9 * * *" is invalid: expected 7 fields (sec min hour day-of-month month day-of-week year), got 5',
      },
    ]);
  });

  it('accepts a 7-field cron under Twin’s validator', () => {
    const definition = pipeline([
      { id: 'r', kind: 'reschedule', agent: 'x', action: 'set', cron: '0 0 9 * * MON-FRI *' },
    ]);
    expect(findDefinitionProblems(definition, { validateCron: validateTwinCron })).toEqual([]);
  });

  it('rejects a wait with both a duration and a time', () => {
    const definition = pipeline([
      { id: 'w', kind: 'wait', duration: '1 minute', until: '2030-01-01T00:00:00Z' },
    ]);
    expect(messages(definition)).toEqual(['w: a wait needs exactly one of "duration" or "until"']);
  });

  it('rejects a duration that is not one', () => {
    const definition = pipeline([{ id: 'w', kind: 'wait', duration: 'soonish' as '1s' }]);
    expect(messages(definition)[0]).toMatch(/^w: "duration" is not a duration/);
  });

  it('rejects a retry policy with no attempts', () => {
    const definition = pipeline([{ id: 'a', kind: 'agent', agent: 'x', retry: { maximumAttempts: 0 } }]);
    expect(messages(definition)).toEqual(['a: retry.maximumAttempts must be an integer of at least 1']);
  });

  it('rejects an approval timeout action without a timeout', () => {
    expect(messages(pipeline([{ id: 'ok', kind: 'approval', onTimeout: 'approve' }]))).toEqual([
      'ok: "onTimeout" needs a "timeout"',
    ]);
  });

  it('rejects a pipeline name that cannot be part of a workflow ID', () => {
    const definition = definePipeline({
      name: 'Nightly Fix/2',
      steps: [{ id: 'a', kind: 'agent', agent: 'x' }],
    });
    expect(messages(definition)[0]).toMatch(/^-: name must be lower-case/);
  });

  it('rejects a trigger whose input reads something other than the event', () => {
    const definition = pipeline([{ id: 'a', kind: 'agent', agent: 'x' }], {
      triggers: [{ event: 'run.completed', agent: 'agent_x', input: { run: '{{steps.a.runId}}' } }],
    });
    expect(messages(definition)[0]).toMatch(
      /^-: trigger 1: input.run: "\{\{steps.a.runId\}\}" — trigger input reads event/,
    );
  });

  it('rejects a trigger outcome on an event that has none', () => {
    const definition = pipeline([{ id: 'a', kind: 'agent', agent: 'x' }], {
      triggers: [{ event: 'run.failed', agent: 'agent_x', outcome: 'fail' }],
    });
    expect(messages(definition)).toEqual(['-: trigger 1: "outcome" only goes with event "run.completed"']);
  });
});
