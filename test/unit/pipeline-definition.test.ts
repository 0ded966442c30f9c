import { describe, it, expect } from 'vitest';
import {
  assertValidPipeline,
  findDefinitionProblems,
  PipelineDefinitionError,
} from '../../workflows/pipeline-validation.js';
import {
  definePipeline,
  type PipelineDefinition,
  type StepDefinition,
} from '../../workflows/pipeline-definition.js';
import { findUnknownFields } from '../../workflows/definition-fields.js';
import { validateTwinCron } from '../../providers/twin/vocabulary/cron.js';

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

/** A definition as it arrives from JSON or a spread: the compiler cannot see its extra fields. */
const untyped = (value: unknown) => value as PipelineDefinition;

describe('unknown fields in a definition', () => {
  it('rejects a misspelt step field, naming the step and suggesting the field', () => {
    const definition = untyped({
      name: 'demo',
      steps: [
        { id: 'build', kind: 'agent', agent: 'a' },
        { id: 'ship', kind: 'agent', agent: 'b', afterr: ['build'] },
      ],
    });
    expect(messages(definition)).toEqual(['ship: unknown field "afterr" (did you mean "after"?)']);
    expect(() => assertValidPipeline(definition)).toThrow(
      /invalid pipeline "demo":\n {2}- step "ship": unknown field "afterr"/,
    );
  });

  it('suggests retry for retries, and the field inside a retry policy', () => {
    const definition = untyped({
      name: 'demo',
      steps: [
        { id: 'a', kind: 'agent', agent: 'a', retries: { maximumAttempts: 3 } },
        { id: 'b', kind: 'agent', agent: 'b', retry: { maximumAttempts: 3, maxInterval: '1 minute' } },
      ],
    });
    expect(messages(definition)).toEqual([
      'a: unknown field "retries" (did you mean "retry"?)',
      'b: retry: unknown field "maxInterval" (did you mean "maximumInterval"?)',
    ]);
  });

  it('checks every kind of step against its own fields, and says where a misplaced one belongs', () => {
    const definition = untyped({
      name: 'demo',
      steps: [
        { id: 'agent', kind: 'agent', agent: 'a', cron: '0 0 9 * * * *' },
        { id: 'reschedule', kind: 'reschedule', agent: 'a', action: 'pause', message: 'x' },
        { id: 'instructions', kind: 'instructions', agent: 'a', content: 'c', contnet: 'c' },
        { id: 'wait', kind: 'wait', duration: '1s', retry: { maximumAttempts: 2 } },
        { id: 'approval', kind: 'approval', promt: 'ok?' },
      ],
    });
    expect(messages(definition)).toEqual([
      'agent: unknown field "cron" (it belongs to reschedule steps)',
      'reschedule: unknown field "message" (it belongs to agent, session and twinai.ask steps)',
      'instructions: unknown field "contnet" (did you mean "content"?)',
      'wait: unknown field "retry" (it belongs to agent, reschedule and instructions steps)',
      'approval: unknown field "promt" (did you mean "prompt"?)',
    ]);
  });

  it('rejects unknown fields in conditions, compensations, triggers, options and the pipeline itself', () => {
    const definition = untyped({
      name: 'demo',
      descripton: 'typo',
      options: { continueAsNewAfter: 10 },
      triggers: [{ event: 'run.completed', agnet: 'agent_x' }],
      steps: [
        { id: 'check', kind: 'agent', agent: 'a' },
        {
          id: 'fix',
          kind: 'agent',
          agent: 'b',
          after: ['check'],
          when: { any: [{ step: 'check', outcom: 'fail' }] },
          onFailure: { compensate: 'undo', than: 'continue' },
        },
        { id: 'undo', kind: 'agent', agent: 'c' },
      ],
    });
    const problems = messages(definition);
    expect(problems).toEqual(
      expect.arrayContaining([
        '-: unknown field "descripton" (did you mean "description"?)',
        '-: options: unknown field "continueAsNewAfter" (did you mean "continueAsNewAfterSteps"?)',
        '-: trigger 1: unknown field "agnet" (did you mean "agent"?)',
        'fix: when.any[0]: unknown field "outcom" (did you mean "outcome"?)',
        'fix: onFailure: unknown field "than" (did you mean "then"?)',
      ]),
    );
    expect(problems.some((p) => p.includes('"agent_x"'))).toBe(false);
  });

  it('names a field far from every known one without guessing', () => {
    const definition = untyped({
      name: 'demo',
      steps: [{ id: 'a', kind: 'agent', agent: 'a', dependsOnEverything: true }],
    });
    expect(messages(definition)).toEqual(['a: unknown field "dependsOnEverything"']);
  });

  it('rejects a condition that mixes a step test with a combinator', () => {
    const definition = untyped({
      name: 'demo',
      steps: [
        { id: 'a', kind: 'agent', agent: 'a' },
        { id: 'b', kind: 'agent', agent: 'b', after: ['a'], when: { not: { step: 'a' }, step: 'a' } },
      ],
    });
    expect(messages(definition)).toEqual(['b: when: unknown field "step"']);
  });
});

describe('unknown fields in the types', () => {
  it('are refused in a literal passed to definePipeline', () => {
    // Each @ts-expect-error fails `tsc --noEmit` (npm run typecheck) the day the type accepts the field again.
    const definitions = [
      // @ts-expect-error — `afterr` is not a step field
      definePipeline({ name: 'a', steps: [{ id: 's', kind: 'agent', agent: 'x', afterr: [] }] }),
      definePipeline({
        name: 'b',
        // @ts-expect-error — `retries` is not a step field
        steps: [{ id: 's', kind: 'agent', agent: 'x', retries: { maximumAttempts: 2 } }],
      }),
      definePipeline({
        name: 'c',
        // @ts-expect-error — `maxAttempts` is not a retry field
        steps: [{ id: 's', kind: 'agent', agent: 'x', retry: { maxAttempts: 2 } }],
      }),
      // @ts-expect-error — `option` is not a pipeline field
      definePipeline({ name: 'd', steps: [], option: {} }),
    ];
    expect(definitions.map((d) => findUnknownFields(d).length)).toEqual([1, 1, 1, 1]);
  });
});
