import { describe, expect, it } from 'vitest';
import { definePipeline, type StepDefinition } from '../../workflows/pipeline-definition.js';
import { stepsReadByOthers } from '../../workflows/step-readers.js';

function readers(...steps: StepDefinition[]): string[] {
  return [...stepsReadByOthers(definePipeline({ name: 'readers', steps }))].sort();
}

describe('which steps another step reads', () => {
  it('counts a template naming a step field as a read of that step', () => {
    expect(
      readers(
        { id: 'scan', kind: 'agent', agent: 'a' },
        { id: 'fix', kind: 'agent', agent: 'b', after: ['scan'], message: 'Fix {{ steps.scan.json.items }}' },
      ),
    ).toEqual(['scan']);
  });

  it('does not count dependencies, conditions or compensations as reads', () => {
    expect(
      readers(
        { id: 'check', kind: 'agent', agent: 'a' },
        { id: 'undo', kind: 'agent', agent: 'c' },
        {
          id: 'fix',
          kind: 'agent',
          agent: 'b',
          after: ['check'],
          when: { step: 'check', outcome: 'fail' },
          onFailure: { compensate: 'undo' },
          message: 'Fix {{input.repo}}',
        },
      ),
    ).toEqual([]);
  });

  it('counts a template that reads all steps at once as a read of every step', () => {
    expect(
      readers(
        { id: 'a', kind: 'agent', agent: 'a' },
        { id: 'b', kind: 'agent', agent: 'b' },
        { id: 'report', kind: 'agent', agent: 'c', after: ['a', 'b'], message: 'All: {{steps}}' },
      ),
    ).toEqual(['a', 'b', 'report']);
  });

  it('counts a field that names another step, as a session turn names the session it continues', () => {
    expect(
      readers(
        { id: 'open', kind: 'session', agent: 'agent-1', message: 'Hello' },
        { id: 'more', kind: 'session', continues: 'open', after: ['open'], message: 'And then?' },
      ),
    ).toEqual(['open']);
  });

  it('counts a template in an agent reference as a read', () => {
    expect(
      readers(
        { id: 'route', kind: 'agent', agent: 'router' },
        { id: 'work', kind: 'agent', agent: '{{steps.route.json.agent}}', after: ['route'] },
      ),
    ).toEqual(['route']);
  });
});
