// Twin.ai steps at load time (fields, actions, literal lengths, conditions on an ask's answer), how conditions
// on the answer evaluate, and the activities' guards that need no Twin.ai: a worker without a key, and an ask an
// earlier attempt may have sent, which is never sent again.
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createTwinAiActivities } from '../../providers/twin-ai/activities/twin-ai.js';
import { TWIN_AI_LIMITS, TwinAiClient } from '../../providers/twin-ai/index.js';
import { findDefinitionProblems } from '../../workflows/pipeline-validation.js';
import { evaluateCondition } from '../../workflows/pipeline-scheduling.js';
import {
  definePipeline,
  type Condition,
  type StepDefinition,
  type StepState,
} from '../../workflows/pipeline-definition.js';
import { TWIN_AI_FAILURES, TWIN_AI_TEXT_LIMITS } from '../../providers/twin-ai/workflows/twin-ai-api.js';

function problems(steps: StepDefinition[]): string[] {
  return findDefinitionProblems(definePipeline({ name: 'demo', steps })).map(
    (p) => `${p.step ?? '-'}: ${p.message}`,
  );
}

const ask: StepDefinition = { id: 'ask', kind: 'twinai.ask', message: 'What is {{input.topic}}?' };
const after = (when: Condition): StepDefinition => ({
  id: 'next',
  kind: 'agent',
  agent: 'a',
  after: ['ask'],
  when,
});

describe('twinai step definitions', () => {
  it('accept an ask, KB changes and a resolve whose templates read the answer', () => {
    expect(
      problems([
        { ...ask, context: '{{input.context}}', askedBy: 'pipeline' },
        {
          id: 'learn',
          kind: 'twinai.kb',
          action: 'add',
          after: ['ask'],
          title: 'FAQ: {{input.topic}}',
          content: '{{steps.ask.output}} ({{steps.ask.confidence}}, {{steps.ask.sources}})',
        },
        {
          id: 'forget',
          kind: 'twinai.kb',
          action: 'delete',
          after: ['learn'],
          documentId: '{{steps.learn.documentId}}',
        },
        {
          id: 'resolve',
          kind: 'twinai.resolveEscalation',
          after: ['ask'],
          when: { step: 'ask', shouldEscalate: true },
          escalationId: '{{steps.ask.escalationId}}',
          resolution: 'Answered by hand: {{steps.ask.escalateReason ?? "no reason"}}',
        },
      ]),
    ).toEqual([]);
  });

  it('need their texts, and refuse a literal longer than Twin.ai takes', () => {
    expect(problems([{ id: 'a', kind: 'twinai.ask', message: ' ' }])).toEqual(['a: "message" is required']);
    expect(problems([{ id: 'a', kind: 'twinai.ask', message: 'x'.repeat(2_001) }])).toEqual([
      'a: message is 2001 characters; Twin.ai takes at most 2000',
    ]);
    expect(problems([{ id: 'a', kind: 'twinai.ask', message: 'm', context: 'c'.repeat(4_001) }])).toEqual([
      'a: context is 4001 characters; Twin.ai takes at most 4000',
    ]);
    // A template's length is known only once rendered: the step checks it then.
    expect(problems([{ id: 'a', kind: 'twinai.ask', message: `{{input.q}}${'x'.repeat(2_000)}` }])).toEqual(
      [],
    );
    expect(problems([{ id: 'r', kind: 'twinai.resolveEscalation', escalationId: '' }])).toEqual([
      'r: "escalationId" is required',
    ]);
  });

  it('take title and content to add, a document ID to delete, and nothing else', () => {
    expect(problems([{ id: 'k', kind: 'twinai.kb', action: 'add', title: 't' }])).toEqual([
      'k: "content" is required',
    ]);
    expect(
      problems([{ id: 'k', kind: 'twinai.kb', action: 'add', title: 't', content: 'c', documentId: 'd' }]),
    ).toEqual(['k: "documentId" goes with action "delete", not "add"']);
    expect(problems([{ id: 'k', kind: 'twinai.kb', action: 'delete', title: 't' }])).toEqual([
      'k: "title" and "content" go with action "add", not "delete"',
      'k: "documentId" is required',
    ]);
    expect(problems([{ id: 'k', kind: 'twinai.kb', action: 'update' as 'add' }])).toEqual([
      'k: action "update" is not one of add, delete',
    ]);
  });

  it('name misplaced and misspelt fields', () => {
    expect(
      problems([{ id: 'a', kind: 'twinai.ask', message: 'm', agent: 'x', contxt: 'c' } as StepDefinition]),
    ).toEqual([
      'a: unknown field "agent" (it belongs to agent, reschedule, instructions, session and twig.query steps)',
      'a: unknown field "contxt" (did you mean "context"?)',
    ]);
  });
});

describe('conditions on an ask’s answer', () => {
  it('are checked at load: an ask step, a boolean, bounds from 0 to 1 that can hold', () => {
    expect(problems([ask, after({ step: 'ask', shouldEscalate: true, confidence: { below: 0.7 } })])).toEqual(
      [],
    );
    expect(
      problems([
        { id: 'run', kind: 'agent', agent: 'a' },
        {
          id: 'next',
          kind: 'agent',
          agent: 'b',
          after: ['run'],
          when: { step: 'run', shouldEscalate: true },
        },
      ]),
    ).toEqual(['next: "when" reads the answer of step "run", which is not a twinai.ask step']);
    expect(problems([ask, after({ step: 'ask', confidence: { below: 1.5 } })])).toEqual([
      'next: "when" confidence below 1.5 is not a number from 0 to 1',
    ]);
    expect(problems([ask, after({ step: 'ask', confidence: {} })])).toEqual([
      'next: "when" confidence needs "below" or "atLeast"',
    ]);
    expect(problems([ask, after({ step: 'ask', confidence: { atLeast: 0.8, below: 0.5 } })])).toEqual([
      'next: "when" confidence atLeast 0.8 and below 0.5 can never both hold',
    ]);
    expect(
      problems([ask, after({ step: 'ask', confidence: { under: 0.5 } } as unknown as Condition)]),
    ).toEqual([
      'next: when.confidence: unknown field "under"',
      'next: "when" confidence needs "below" or "atLeast"',
    ]);
  });

  it('hold on the answer, strictly below and at least, and never for a step without one', () => {
    const state = (s: Partial<StepState>): Record<string, StepState> => ({
      ask: { id: 'ask', kind: 'twinai.ask', status: 'succeeded', attempts: 0, runIds: [], ...s },
    });
    const answered = state({ confidence: 0.7, shouldEscalate: false });
    expect(evaluateCondition({ step: 'ask', confidence: { below: 0.7 } }, answered)).toBe(false);
    expect(evaluateCondition({ step: 'ask', confidence: { atLeast: 0.7 } }, answered)).toBe(true);
    expect(evaluateCondition({ step: 'ask', shouldEscalate: false }, answered)).toBe(true);
    expect(evaluateCondition({ step: 'ask', shouldEscalate: true }, answered)).toBe(false);
    const skipped = state({ status: 'skipped' });
    expect(evaluateCondition({ step: 'ask', confidence: { below: 1 } }, skipped)).toBe(false);
    expect(evaluateCondition({ step: 'ask', shouldEscalate: false }, skipped)).toBe(false);
  });
});

describe('twinai activities', () => {
  it('keep the step’s text limits equal to the client’s', () => {
    expect(TWIN_AI_TEXT_LIMITS).toEqual({
      message: TWIN_AI_LIMITS.message,
      context: TWIN_AI_LIMITS.context,
      content: TWIN_AI_LIMITS.content,
    });
  });

  it('fail at once, naming the setting, on a worker without Twin.ai configured', async () => {
    const activities = createTwinAiActivities({});
    await expect(
      activities.askTwinAi({ message: 'm', requestedAt: new Date().toISOString() }),
    ).rejects.toMatchObject({
      type: TWIN_AI_FAILURES.notConfigured,
      nonRetryable: true,
      message: expect.stringContaining('TWIN_AI_API_KEY'),
    });
  });

  it('never send again an ask an earlier attempt may have sent', async () => {
    const fetch = () => Promise.reject(new Error('nothing may be sent'));
    const client = new TwinAiClient({ apiKey: 'twin_live_sk_test', fetch });
    const activities = createTwinAiActivities({ client });
    const env = new MockActivityEnvironment(
      { attempt: 2, heartbeatDetails: { phase: 'sending' } },
      { logger: new DefaultLogger('ERROR') },
    );
    await expect(
      env.run(activities.askTwinAi, { message: 'm', requestedAt: new Date().toISOString() }),
    ).rejects.toMatchObject({ type: TWIN_AI_FAILURES.askUnconfirmed, nonRetryable: true });
  });
});
