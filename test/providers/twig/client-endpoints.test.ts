// Every endpoint family of the seed, through the typed client, over real HTTP against the emulator: what goes in
// comes back in the seed's shape, and fields the seed does not show survive parsing as extras. The suite makes more
// writes than the seed's Write budget allows per minute, so both sides get a generous one (budgets: rate-budget).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwigClient } from '../../../providers/twig/client.js';
import { startTwigEmulator, type RunningTwigEmulator } from '../../../providers/twig/emulator/server.js';
import { clientFor, twigFailure } from './support.js';

let emulator: RunningTwigEmulator;
let client: TwigClient;

beforeAll(async () => {
  const rateLimits = { write: { perMinute: 6_000, burst: 200 } };
  emulator = await startTwigEmulator({ port: 0, rateLimits });
  client = clientFor(emulator, { rateLimits });
});
afterAll(() => emulator.close());

async function agentWithSource(name = 'Support Agent') {
  const source = await client.createDataSource({
    type: 'website',
    name: `${name} docs`,
    config: { url: 'https://docs.example.com' },
  });
  const agent = await client.createAgent({ name, data_source_ids: [source.id] });
  return { source, agent };
}

describe('agents', () => {
  it('creates an agent with a generated id and reads it back', async () => {
    const { agent, source } = await agentWithSource();
    expect(agent.id).toMatch(/^agent_/);
    expect(await client.getAgent(agent.id)).toMatchObject({
      id: agent.id,
      name: 'Support Agent',
      data_source_ids: [source.id],
    });
  });

  it('updates only the fields given', async () => {
    const { agent } = await agentWithSource('Before');
    const updated = await client.updateAgent(agent.id, { name: 'After', temperature: 0.2 });
    expect(updated).toMatchObject({ id: agent.id, name: 'After', temperature: 0.2, model: agent.model });
  });

  it('lists agents with the paging the seed shows', async () => {
    await agentWithSource('Listed');
    const list = await client.listAgents({ limit: 1, offset: 0 });
    expect(list.agents).toHaveLength(1);
    expect(list).toMatchObject({ limit: 1, offset: 0 });
    expect(list.total).toBeGreaterThanOrEqual(1);
  });

  it('deletes an agent (204), after which it is not found', async () => {
    const { agent } = await agentWithSource('Doomed');
    await expect(client.deleteAgent(agent.id)).resolves.toBeUndefined();
    expect((await twigFailure(client.getAgent(agent.id))).status).toBe(404);
  });
});

describe('data sources', () => {
  it('creates a data source in status "pending"; extra fields the seed does not show are kept', async () => {
    const source = await client.createDataSource({
      type: 'confluence',
      name: 'Wiki',
      sync_frequency: 'daily',
    });
    expect(source).toMatchObject({ status: 'pending', type: 'confluence', name: 'Wiki' });
    expect((source as Record<string, unknown>).created_at).toBeTypeOf('string');
  });

  it('filters the list by status', async () => {
    await client.createDataSource({ type: 'file', name: 'Uploads' });
    const pending = await client.listDataSources({ status: 'active' });
    expect(pending.data_sources.every((s) => s.status === 'active')).toBe(true);
    const all = await client.listDataSources();
    expect(all.data_sources.some((s) => s.status === 'pending')).toBe(true);
  });

  it('queues a sync (202) and reports it processing', async () => {
    const source = await client.createDataSource({ type: 'website', name: 'Site' });
    expect(await client.syncDataSource(source.id)).toEqual({});
    expect((await client.getDataSourceStatus(source.id)).status).toBe('processing');
  });
});

describe('query and interactions', () => {
  it('answers a query with the scripted response, sources and metadata', async () => {
    const { agent } = await agentWithSource('Scripted');
    emulator.scriptAnswers(agent.id, [
      {
        response: 'Returns within 30 days.',
        sources: [
          {
            chunk_id: 'chk_1',
            document_title: 'Refund Policy',
            similarity_score: 0.9,
            chunk_text: 'Refunds…',
          },
        ],
      },
    ]);
    const answer = await client.query({
      agent_id: agent.id,
      query: 'What is your refund policy?',
      session_id: 'sess_1',
    });
    expect(answer.response).toBe('Returns within 30 days.');
    expect(answer.sources?.[0]).toMatchObject({ chunk_id: 'chk_1', document_title: 'Refund Policy' });
    expect(answer.metadata?.interaction_id).toMatch(/^int_/);
  });

  it('lists the interaction a query left and takes feedback on it', async () => {
    const { agent } = await agentWithSource('Rated');
    const answer = await client.query({ agent_id: agent.id, query: 'What is pricing?' });
    const interactionId = answer.metadata?.interaction_id ?? '';
    expect(
      await client.submitFeedback(interactionId, { feedback: 'positive', comment: 'Very helpful!' }),
    ).toEqual({});
    const rated = await client.listInteractions({ agent_id: agent.id, feedback: 'positive' });
    expect(rated.interactions.map((i) => i.id)).toEqual([interactionId]);
    expect((await client.listInteractions({ agent_id: agent.id, feedback: 'null' })).interactions).toEqual(
      [],
    );
  });

  it('finds KB content by semantic search without generating an answer', async () => {
    await client.createKbArticle({
      title: 'Pricing',
      content: 'Pricing starts at $99/month',
      status: 'published',
    });
    const found = await client.semanticSearch({ query: 'pricing information', org_id: 'org_123', top_k: 3 });
    expect(found.chunks[0]).toMatchObject({ text: 'Pricing starts at $99/month', document_title: 'Pricing' });
  });
});

describe('analytics and users (Admin)', () => {
  it('reports metrics over a date range', async () => {
    const { agent } = await agentWithSource('Measured');
    await client.query({ agent_id: agent.id, query: 'one' });
    const today = new Date().toISOString().slice(0, 10);
    const report = await client.getAnalytics({
      start_date: today,
      end_date: today,
      agent_id: agent.id,
      granularity: 'day',
    });
    expect(report.metrics.total_queries).toBe(1);
    expect(report.time_series?.[0]?.queries).toBe(1);
  });

  it('creates a user and lists it', async () => {
    const user = await client.createUser({ email: 'user@example.com', name: 'John Doe', role: 'train' });
    expect(user).toMatchObject({ email: 'user@example.com', role: 'train' });
    expect((await client.listUsers()).users.map((u) => u.email)).toContain('user@example.com');
  });
});

describe('knowledge base', () => {
  it('creates a new version on each update', async () => {
    const article = await client.createKbArticle({
      title: 'How to reset password',
      content: 'Steps: 1.',
      tags: ['auth'],
    });
    const updated = await client.updateKbArticle(article.id, {
      content: 'Steps: 1. Click Forgot Password',
      status: 'published',
    });
    expect(updated).toMatchObject({
      id: article.id,
      version: (article.version ?? 0) + 1,
      status: 'published',
    });
  });

  it('filters articles by status', async () => {
    await client.createKbArticle({ title: 'Draft one', content: 'wip' });
    const drafts = await client.listKbArticles({ status: 'draft' });
    expect(drafts.articles.length).toBeGreaterThan(0);
    expect(drafts.articles.every((a) => a.status === 'draft')).toBe(true);
  });
});
