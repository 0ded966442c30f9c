// Twig steps at load time (fields, actions, what later templates may read) and the activities' guards that need no
// Twig: a worker without a key, writes an earlier attempt may have sent (settled from Twig's lists, never sent
// again), and how Twig's errors become Temporal failures (429 waits for its reset, 404 is final).
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createTwigActivities } from '../../providers/twig/activities/twig.js';
import { mayHaveActed, twigFailure } from '../../providers/twig/activities/twig-failure.js';
import { TwigApiError, TwigClient } from '../../providers/twig/index.js';
import { findDefinitionProblems } from '../../workflows/pipeline-validation.js';
import { definePipeline, type StepDefinition } from '../../workflows/pipeline-definition.js';
import { TWIG_FAILURES } from '../../providers/twig/workflows/twig-api.js';

function problems(steps: StepDefinition[]): string[] {
  return findDefinitionProblems(definePipeline({ name: 'demo', steps })).map(
    (p) => `${p.step ?? '-'}: ${p.message}`,
  );
}

const query: StepDefinition = { id: 'q', kind: 'twig.query', agent: '{{input.agent}}', query: 'Why?' };

describe('twig step definitions', () => {
  it('accept a conversation, a sync and an article written then updated from the answers', () => {
    expect(
      problems([
        { ...query, session: 'chat-{{pipeline.workflowId}}' },
        {
          id: 'follow-up',
          kind: 'twig.query',
          after: ['q'],
          agent: '{{input.agent}}',
          query: 'And {{steps.q.output}}? ({{steps.q.json.metadata.cost_usd}}, {{steps.q.interactionId}})',
          session: '{{steps.q.sessionId}}',
        },
        { id: 's', kind: 'twig.sync', dataSource: '{{input.source}}', timeout: '10 minutes' },
        {
          id: 'k',
          kind: 'twig.kb',
          action: 'create',
          after: ['q'],
          title: 'FAQ',
          content: '{{steps.q.output}}',
        },
        {
          id: 'k2',
          kind: 'twig.kb',
          action: 'update',
          after: ['k', 's'],
          articleId: '{{steps.k.articleId}}',
          content: '{{steps.q.sources}} ({{steps.s.output}})',
        },
      ]),
    ).toEqual([]);
  });

  it('need their texts', () => {
    expect(problems([{ id: 'q', kind: 'twig.query', agent: ' ', query: '' }])).toEqual([
      'q: "agent" is required',
      'q: "query" is required',
    ]);
    expect(problems([{ id: 's', kind: 'twig.sync', dataSource: '' }])).toEqual([
      's: "dataSource" is required',
    ]);
  });

  it('take title and content to create, an article ID and a change to update, and nothing else', () => {
    expect(problems([{ id: 'k', kind: 'twig.kb', action: 'create', title: 't' }])).toEqual([
      'k: "content" is required',
    ]);
    expect(
      problems([{ id: 'k', kind: 'twig.kb', action: 'create', title: 't', content: 'c', articleId: 'a' }]),
    ).toEqual(['k: "articleId" goes with action "update", not "create"']);
    expect(problems([{ id: 'k', kind: 'twig.kb', action: 'update', title: 't' }])).toEqual([
      'k: "articleId" is required',
    ]);
    expect(problems([{ id: 'k', kind: 'twig.kb', action: 'update', articleId: 'kb_1' }])).toEqual([
      'k: action "update" needs "title" or "content" (what changes)',
    ]);
    expect(problems([{ id: 'k', kind: 'twig.kb', action: 'add' as 'create' }])).toEqual([
      'k: action "add" is not one of create, update',
    ]);
  });

  it('name misplaced and misspelt fields, and fields a template cannot read', () => {
    expect(problems([{ ...query, sesion: 's', dataSource: 'd' } as StepDefinition])).toEqual([
      'q: unknown field "sesion" (did you mean "session"?)',
      'q: unknown field "dataSource" (it belongs to twig.sync steps)',
    ]);
    const [problem] = problems([
      query,
      { id: 'next', kind: 'twig.sync', after: ['q'], dataSource: '{{steps.q.metadata}}' },
    ]);
    expect(problem).toMatch(
      /^next: dataSource: "\{\{steps\.q\.metadata\}\}" — step fields are .*interactionId/,
    );
  });
});

/** A client whose every request is answered by `answer` (method and path in, JSON body out), recorded. */
function fakeTwig(answer: (method: string, path: string) => unknown) {
  const sent: string[] = [];
  const bodies: unknown[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const { pathname, search } = new URL(String(url));
    const method = init?.method ?? 'GET';
    sent.push(`${method} ${pathname}${search}`);
    if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body));
    return new Response(JSON.stringify(answer(method, pathname)), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  const client = new TwigClient({ apiKey: 'twigsk_test_unit', baseUrl: 'http://127.0.0.1:9', fetch });
  return { client, sent, bodies };
}

/** Runs an activity as a retry of an attempt that marked its write "sending". */
function retryOfSending() {
  return new MockActivityEnvironment(
    { attempt: 2, heartbeatDetails: { phase: 'sending' } },
    { logger: new DefaultLogger('ERROR') },
  );
}

const requestedAt = new Date().toISOString();
const asked = { agentId: 'agent_1', query: 'Why?', requestedAt };

describe('twig activities', () => {
  it('fail at once, naming the setting, on a worker without Twig configured', async () => {
    await expect(createTwigActivities({}).queryTwig(asked)).rejects.toMatchObject({
      type: TWIG_FAILURES.notConfigured,
      nonRetryable: true,
      message: expect.stringContaining('TWIG_API_KEY'),
    });
  });

  it('send a query once, with its session, and keep Twig’s whole answer', async () => {
    const { client, bodies } = fakeTwig(() => ({
      response: 'Because.',
      sources: [{ chunk_id: 'chk_1', document_title: 'FAQ', document_url: null }],
      metadata: { interaction_id: 'int_1', model: 'gpt-4' },
    }));
    const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });
    const answer = await env.run(createTwigActivities({ client }).queryTwig, {
      ...asked,
      sessionId: 'chat-1',
    });
    expect(bodies).toEqual([{ agent_id: 'agent_1', query: 'Why?', session_id: 'chat-1' }]);
    expect(answer).toEqual({
      response: 'Because.',
      sources: [{ chunk_id: 'chk_1', document_title: 'FAQ' }],
      metadata: { interaction_id: 'int_1', model: 'gpt-4' },
      interactionId: 'int_1',
      adopted: false,
    });
  });

  it('adopt the one interaction a query an earlier attempt sent recorded, sending no query', async () => {
    const { client, sent } = fakeTwig(() => ({
      interactions: [
        { id: 'int_old', query: 'Why?', response: 'stale', created_at: '2020-01-01T00:00:00Z' },
        { id: 'int_other', query: 'Who?', response: 'other' },
        { id: 'int_1', query: 'Why?', response: 'Because.', created_at: requestedAt },
      ],
    }));
    const answer = await retryOfSending().run(createTwigActivities({ client }).queryTwig, asked);
    expect(answer).toMatchObject({
      response: 'Because.',
      interactionId: 'int_1',
      adopted: true,
      sources: [],
    });
    expect(sent).toEqual([expect.stringMatching(/^GET \/api\/v1\/interactions\?.*agent_id=agent_1/)]);
  });

  it('never send again a query whose interaction they cannot find', async () => {
    const { client, sent } = fakeTwig(() => ({ interactions: [] }));
    await expect(
      retryOfSending().run(createTwigActivities({ client }).queryTwig, asked),
    ).rejects.toMatchObject({ type: TWIG_FAILURES.queryUnconfirmed, nonRetryable: true });
    expect(sent.filter((s) => s.startsWith('POST'))).toEqual([]);
  });

  it('adopt an article an earlier attempt created when exactly one has its title and content', async () => {
    const { client, sent } = fakeTwig(() => ({
      articles: [
        { id: 'kb_1', title: 'FAQ', content: 'old', version: 3 },
        { id: 'kb_2', title: 'FAQ', content: 'new', version: 1 },
      ],
    }));
    const write = createTwigActivities({ client }).writeTwigArticle;
    await expect(retryOfSending().run(write, { title: 'FAQ', content: 'new' })).resolves.toEqual({
      articleId: 'kb_2',
      version: 1,
      status: undefined,
      adopted: true,
    });
    await expect(retryOfSending().run(write, { title: 'FAQ', content: 'other' })).rejects.toMatchObject({
      type: TWIG_FAILURES.writeUnconfirmed,
    });
    expect(sent.filter((s) => s.startsWith('POST'))).toEqual([]);
  });

  it('join a sync an earlier attempt triggered, and trigger again when none runs', async () => {
    let status = 'processing';
    const { client, sent } = fakeTwig((method) => (method === 'GET' ? { status } : {}));
    const trigger = createTwigActivities({ client }).triggerTwigSync;
    await expect(retryOfSending().run(trigger, { dataSourceId: 'ds_1' })).resolves.toEqual({ joined: true });
    status = 'active';
    await expect(retryOfSending().run(trigger, { dataSourceId: 'ds_1' })).resolves.toEqual({ joined: false });
    expect(sent.filter((s) => s.startsWith('POST'))).toEqual(['POST /api/v1/data-sources/ds_1/sync']);
  });
});

describe('twig failures', () => {
  const error = (status: number, retryAfterMs?: number) =>
    new TwigApiError({
      status,
      code: `http_${status}`,
      message: 'm',
      retryable: status >= 429,
      retryAfterMs,
    });

  it('wait for a 429’s reset in Temporal and end a refusal at once', () => {
    expect(twigFailure(error(429, 2_000))).toMatchObject({
      type: 'TwigApiError',
      nonRetryable: false,
      nextRetryDelay: 2_000,
    });
    for (const status of [400, 401, 403, 404])
      expect(twigFailure(error(status))).toMatchObject({ type: TWIG_FAILURES.refused, nonRetryable: true });
  });

  it('count no answer and a 5xx as maybe performed, a 4xx and a refusal before sending as not', () => {
    expect([0, 500, 503, 400, 429].map((status) => mayHaveActed(error(status)))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    const rejected = new TwigApiError({
      status: 0,
      code: 'request_rejected',
      message: 'm',
      retryable: false,
    });
    expect(mayHaveActed(rejected)).toBe(false);
  });
});
