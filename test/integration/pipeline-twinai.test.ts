// Twin.ai steps against the Twin.ai emulator through real Temporal: an ask's answer in later templates, conditions
// branching on shouldEscalate and on a confidence threshold, a document added, used and deleted, an escalation
// resolved with the ID its ask found, and the failures a step must get right: 402 stops at once with Twin.ai's
// message, 429 is waited out per Retry-After, an oversized rendering sends nothing, and an ask whose answer was
// lost is never asked again (the emulator's truth counts what Twin.ai really performed).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTwinAiEmulator } from '../../providers/twin-ai/emulator/server.js';
import type { ScriptedAnswerInput } from '../../providers/twin-ai/emulator/answers.js';
import { definePipeline, type Condition, type StepDefinition } from '../../workflows/pipeline-definition.js';
import { pipelineStateQuery } from '../../workflows/pipeline-api.js';
import { TWIN_AI_FAILURES } from '../../providers/twin-ai/workflows/twin-ai-api.js';
import { historyEvents } from '../support/twinflow-stack.js';
import { startPipelineWorld, stepsById, withoutMarker, type PipelineWorld } from './pipeline-fixture.js';

/** A Twin agent step that runs after the ask when `when` holds. */
const afterAsk = (id: string, when: Condition, message: string): StepDefinition => ({
  id,
  kind: 'agent',
  agent: '{{input.agent}}',
  after: ['ask'],
  when,
  message,
});

const triage = definePipeline({
  name: 'twinai-triage',
  steps: [
    {
      id: 'ask',
      kind: 'twinai.ask',
      message: 'Customer asks: {{input.question}}',
      askedBy: '{{input.asker}}',
    },
    afterAsk(
      'reply',
      {
        all: [
          { step: 'ask', shouldEscalate: false },
          { step: 'ask', confidence: { atLeast: 0.7 } },
        ],
      },
      'Reply: {{steps.ask.output}} ({{steps.ask.confidence}}, from {{steps.ask.sources}})',
    ),
    afterAsk(
      'handoff',
      {
        any: [
          { step: 'ask', shouldEscalate: true },
          { step: 'ask', confidence: { below: 0.7 } },
        ],
      },
      'Take over: {{steps.ask.escalateReason ?? "low confidence"}} [{{steps.ask.escalationId ?? "no escalation"}}]',
    ),
  ],
});

const knowledge = definePipeline({
  name: 'twinai-knowledge',
  steps: [
    { id: 'add', kind: 'twinai.kb', action: 'add', title: '{{input.title}}', content: '{{input.content}}' },
    { id: 'ask', kind: 'twinai.ask', after: ['add'], message: '{{input.question}}' },
    {
      id: 'remove',
      kind: 'twinai.kb',
      action: 'delete',
      after: ['ask'],
      documentId: '{{steps.add.documentId}}',
    },
  ],
});

const escalation = definePipeline({
  name: 'twinai-escalation',
  steps: [
    { id: 'ask', kind: 'twinai.ask', message: '{{input.question}}' },
    {
      id: 'resolve',
      kind: 'twinai.resolveEscalation',
      after: ['ask'],
      when: { step: 'ask', shouldEscalate: true },
      escalationId: '{{steps.ask.escalationId}}',
      resolution: 'Answered by {{input.who}}',
    },
  ],
});

const single = definePipeline({
  name: 'twinai-single',
  steps: [{ id: 'ask', kind: 'twinai.ask', message: '{{input.question}}' }],
});

let world: PipelineWorld;
let twinAi: RunningTwinAiEmulator;

beforeAll(async () => {
  world = await startPipelineWorld([triage, knowledge, escalation, single], {
    twinAi: true,
    env: { TWIN_AI_RATE_LIMIT_PER_SECOND: '20' },
  });
  twinAi = world.stack.twinAi as RunningTwinAiEmulator;
});
afterAll(() => world?.close());
// Not reset(): that would forget the key the workers' client holds.
afterEach(() => {
  twinAi.setRules([]);
  twinAi.setFaults({});
  twinAi.setMonthlyAnswerLimit(500, 0);
});

const answers = (answer: ScriptedAnswerInput) => twinAi.setRules([{ match: /.*/, answer }]);

async function run(name: string, input: Record<string, unknown>) {
  const { handle } = await world.start(name, input);
  const outcome = await handle.result().then(
    () => 'succeeded' as const,
    () => 'failed' as const,
  );
  return { outcome, handle, steps: stepsById(await handle.query(pipelineStateQuery)) };
}

/** The failure types of the activity attempts that failed, oldest first, and of the one that started last. */
async function activityFailures(workflowId: string) {
  const events = await historyEvents(world.stack.client, workflowId);
  const failed = events.flatMap((e) => {
    const type = e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type;
    return type ? [type] : [];
  });
  const started = events.filter((e) => e.activityTaskStartedEventAttributes).at(-1);
  return { failed, started: started?.activityTaskStartedEventAttributes };
}

describe('a twinai.ask step', () => {
  it('hands the answer to later templates and takes the confident branch', async () => {
    answers({ response: 'Refunds take 5 days.', confidence: 0.92, sources: ['Refund policy', 'FAQ'] });
    const agent = await world.stack.newAgent([{ output: 'sent' }]);
    const { outcome, steps } = await run('twinai-triage', { question: 'Refund time?', asker: 'Ada', agent });
    expect(outcome).toBe('succeeded');
    expect(steps.ask).toMatchObject({
      status: 'succeeded',
      output: 'Refunds take 5 days.',
      confidence: 0.92,
      shouldEscalate: false,
      sources: ['Refund policy', 'FAQ'],
    });
    expect(steps.handoff?.status).toBe('skipped');
    const [reply] = await world.stack.runsOf(agent);
    expect(withoutMarker(reply?.user_message)).toBe(
      'Reply: Refunds take 5 days. (0.92, from ["Refund policy","FAQ"])',
    );
    expect(twinAi.truth().asks.map((a) => [a.message, a.askedBy])).toContainEqual([
      'Customer asks: Refund time?',
      'Ada',
    ]);
  });

  it('branches on shouldEscalate, with the reason and the escalation it opened', async () => {
    answers({ response: 'Not sure.', confidence: 0.2, escalateReason: 'Nothing in the KB' });
    const agent = await world.stack.newAgent([{ output: 'taken' }]);
    const { steps } = await run('twinai-triage', { question: 'Legal question?', asker: 'Bo', agent });
    const opened = twinAi.truth().escalations.find((e) => e.question === 'Customer asks: Legal question?');
    expect(steps.ask).toMatchObject({ shouldEscalate: true, escalationId: opened?.id });
    expect(steps.reply?.status).toBe('skipped');
    const [handoff] = await world.stack.runsOf(agent);
    expect(withoutMarker(handoff?.user_message)).toBe(`Take over: Nothing in the KB [${opened?.id}]`);
  });

  it('branches on a confidence threshold when Twin.ai did not escalate', async () => {
    answers({ response: 'Probably Tuesday.', confidence: 0.65, shouldEscalate: false });
    const agent = await world.stack.newAgent([{ output: 'taken' }]);
    const { steps } = await run('twinai-triage', { question: 'Delivery day?', asker: 'Cy', agent });
    expect(steps.ask).toMatchObject({ shouldEscalate: false, confidence: 0.65 });
    expect(steps.reply?.status).toBe('skipped');
    const [handoff] = await world.stack.runsOf(agent);
    expect(withoutMarker(handoff?.user_message)).toBe('Take over: low confidence [no escalation]');
  });
});

describe('twinai.kb and twinai.resolveEscalation steps', () => {
  it('add a document the twin then answers from, and delete it by the ID the add reported', async () => {
    const { outcome, steps } = await run('twinai-knowledge', {
      title: 'Parking rules',
      content: 'Visitors park on level minus two until six pm.',
      question: 'Where do visitors park?',
    });
    expect(outcome).toBe('succeeded');
    const [created] = twinAi.requests('createDoc');
    const [deleted] = twinAi.requests('deleteDoc');
    expect(steps.add?.documentId).toMatch(/^doc_/);
    expect(steps.ask?.sources).toContain('Parking rules');
    expect(steps.remove).toMatchObject({ status: 'succeeded', documentId: steps.add?.documentId });
    expect([created?.status, deleted?.path]).toEqual([201, `/v1/kb/${steps.add?.documentId}`]);
    expect(twinAi.truth().documents).toEqual([]);
  });

  it('resolve the escalation an ask opened, keeping the resolution as output', async () => {
    answers({ response: '?', confidence: 0.1 });
    const { outcome, steps } = await run('twinai-escalation', { question: 'Who owns billing?', who: 'Dee' });
    expect(outcome).toBe('succeeded');
    const opened = twinAi.truth().escalations.find((e) => e.question === 'Who owns billing?');
    expect(opened?.status).toBe('resolved');
    expect(steps.resolve).toMatchObject({
      status: 'succeeded',
      escalationId: opened?.id,
      output: 'Answered by Dee',
    });
  });
});

describe('a twinai step failing', () => {
  it('stops at once on 402 with Twin.ai’s message, retrying nothing', async () => {
    twinAi.setMonthlyAnswerLimit(500, 500);
    const before = twinAi.requests('ask').length;
    const { outcome, handle, steps } = await run('twinai-single', { question: 'Anything?' });
    expect(outcome).toBe('failed');
    expect(steps.ask?.error).toBe(
      'Monthly answer limit reached (500/500). Upgrade to Pro for 2,000 answers/month.',
    );
    expect((await activityFailures(handle.workflowId)).failed).toEqual([TWIN_AI_FAILURES.answerLimit]);
    expect(twinAi.requests('ask').length - before).toBe(1);
  });

  it('waits out 429s for as long as Retry-After says, in the client and then in Temporal', async () => {
    answers({ response: 'Eventually.', confidence: 0.9 });
    // Four 429s use up the client's attempts: the fifth request is Temporal's retry, after nextRetryDelay.
    twinAi.setFaults({ api: [{ endpoint: 'ask', status: 429, retryAfterSeconds: 1, times: 4 }] });
    const before = twinAi.requests('ask').length;
    const { outcome, handle, steps } = await run('twinai-single', { question: 'Rate limited?' });
    expect(outcome).toBe('succeeded');
    expect(steps.ask?.output).toBe('Eventually.');
    const requests = twinAi.requests('ask').slice(before);
    expect(requests.map((r) => r.status)).toEqual([429, 429, 429, 429, 200]);
    for (let i = 1; i < requests.length; i++) {
      expect((requests[i]?.at ?? 0) - (requests[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    }
    const { started } = await activityFailures(handle.workflowId);
    expect(started?.attempt).toBe(2);
    expect(started?.lastFailure?.applicationFailureInfo?.type).toBe('TwinAiApiError');
    expect(twinAi.truth().asks.filter((a) => a.message === 'Rate limited?')).toHaveLength(1);
  });

  it('sends nothing when the rendered message is over 2,000 characters', async () => {
    const before = twinAi.requests('ask').length;
    const { steps } = await run('twinai-single', { question: 'x'.repeat(2_001) });
    expect(steps.ask).toMatchObject({
      status: 'failed',
      error: 'message is 2001 characters once rendered; Twin.ai takes at most 2000',
    });
    expect(twinAi.requests('ask').length).toBe(before);
  });

  it('never asks again when the answer to an ask was lost after Twin.ai performed it', async () => {
    answers({ response: 'Lost in transit.', confidence: 0.9 });
    twinAi.setFaults({ api: [{ endpoint: 'ask', status: 503, when: 'after' }] });
    const before = twinAi.truth().asksExecuted;
    const { outcome, handle, steps } = await run('twinai-single', { question: 'Lost?' });
    expect(outcome).toBe('failed');
    expect(steps.ask?.error).toContain('not asked again');
    expect((await activityFailures(handle.workflowId)).failed).toEqual([TWIN_AI_FAILURES.askUnconfirmed]);
    expect(twinAi.truth().asksExecuted - before).toBe(1);
    expect(twinAi.truth().asks.filter((a) => a.message === 'Lost?')).toHaveLength(1);
  });
});
