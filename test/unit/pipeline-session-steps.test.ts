import { describe, expect, it } from 'vitest';
import { findDefinitionProblems } from '../../workflows/pipeline-validation.js';
import { definePipeline, type StepDefinition } from '../../workflows/pipeline-definition.js';
import {
  SESSION_FAILURES,
  type SessionProgress,
} from '../../providers/managed-agents/workflows/managed-session-api.js';
import { createManagedSessionActivities } from '../../providers/managed-agents/activities/managed-sessions.js';
import { recordEvent } from '../../providers/managed-agents/activities/follow-session.js';

function problems(steps: StepDefinition[]): string[] {
  return findDefinitionProblems(definePipeline({ name: 'demo', steps })).map(
    (p) => `${p.step ?? '-'}: ${p.message}`,
  );
}

describe('session step definitions', () => {
  it('accept a session, a turn in it and a Twin step reading both', () => {
    expect(
      problems([
        {
          id: 'research',
          kind: 'session',
          agent: '{{input.agent}}',
          agentVersion: 2,
          message: 'Look into {{input.topic}}',
        },
        {
          id: 'refine',
          kind: 'session',
          continues: 'research',
          after: ['research'],
          message: 'Shorter, please',
        },
        {
          id: 'report',
          kind: 'agent',
          agent: 'writer',
          after: ['refine'],
          message:
            '{{steps.refine.output}} ({{steps.research.sessionId}}, {{steps.refine.eventCount}} events)',
        },
      ]),
    ).toEqual([]);
  });

  it('need exactly one of agent and continues', () => {
    expect(problems([{ id: 's', kind: 'session', message: 'hi' }])).toEqual([
      's: a session step needs exactly one of "agent" (a new session) or "continues" (a turn in one)',
    ]);
  });

  it('need a message', () => {
    expect(problems([{ id: 's', kind: 'session', agent: 'a', message: '' }])).toEqual([
      expect.stringMatching(/^s: .*message/),
    ]);
  });

  it('pin only a positive integer version, and only with agent', () => {
    expect(problems([{ id: 's', kind: 'session', agent: 'a', agentVersion: 0, message: 'm' }])).toEqual([
      's: agentVersion 0 is not a positive integer',
    ]);
    expect(
      problems([
        { id: 'a', kind: 'session', agent: 'x', message: 'm' },
        { id: 'b', kind: 'session', continues: 'a', agentVersion: 2, after: ['a'], message: 'm' },
      ]),
    ).toEqual(['b: "agentVersion" goes with "agent": a turn stays on its session\'s']);
  });

  it('continue only an ancestor session step', () => {
    expect(
      problems([
        { id: 'a', kind: 'session', agent: 'x', message: 'm' },
        { id: 'b', kind: 'session', continues: 'a', message: 'm' },
      ]),
    ).toEqual(['b: "continues" names step "a", which is not an ancestor (add it to "after")']);
    expect(
      problems([
        { id: 'twin', kind: 'agent', agent: 'x' },
        { id: 'b', kind: 'session', continues: 'twin', after: ['twin'], message: 'm' },
      ]),
    ).toEqual(['b: "continues" names step "twin", which is not a session step']);
    expect(problems([{ id: 'b', kind: 'session', continues: 'ghost', message: 'm' }])).toEqual([
      'b: "continues" names unknown step "ghost"',
    ]);
  });

  it('chain turns instead of continuing one step twice', () => {
    expect(
      problems([
        { id: 'a', kind: 'session', agent: 'x', message: 'm' },
        { id: 'b', kind: 'session', continues: 'a', after: ['a'], message: 'm' },
        { id: 'c', kind: 'session', continues: 'a', after: ['b'], message: 'm' },
      ]),
    ).toEqual(['c: step "b" already continues "a": continue "b" instead, so the turns form one chain']);
  });
});

describe('session activities', () => {
  it('fail at once, naming the setting, on a worker without the platform configured', async () => {
    const activities = createManagedSessionActivities({});
    await expect(
      activities.startManagedSession({ agentId: 'a', message: 'm', requestedAt: new Date().toISOString() }),
    ).rejects.toMatchObject({
      type: SESSION_FAILURES.notConfigured,
      nonRetryable: true,
      message: expect.stringContaining('MANAGED_AGENTS_API_KEY'),
    });
  });

  it('record progress as a new snapshot per event, keeping the latest lines, output and status', () => {
    const start: SessionProgress = { sessionId: 's', eventCount: 0, latest: [], reconnects: 0 };
    let progress = start;
    for (let i = 1; i <= 7; i++)
      progress = recordEvent(progress, { id: `e${i}`, type: 'tool', data: { content: `t${i}` } });
    progress = recordEvent(progress, {
      id: 'e8',
      type: 'message',
      data: { role: 'assistant', content: '{"ok":true}' },
    });
    progress = recordEvent(progress, { id: 'e9', type: 'session.status', data: { status: 'idle' } });
    expect(start.eventCount).toBe(0);
    expect(progress).toMatchObject({
      lastEventId: 'e9',
      eventCount: 9,
      output: '{"ok":true}',
      status: 'idle',
    });
    expect(progress.latest.map((l) => l.text)).toEqual(['t5', 't6', 't7', 'assistant: {"ok":true}', 'idle']);
  });
});
