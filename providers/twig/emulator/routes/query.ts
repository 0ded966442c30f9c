// Chat & completion: POST /api/v1/query answers from the agent's script (answers.ts) and records an interaction,
// then sends `interaction.completed` with the seed's example data. The seed's 400 "invalid agent_id format" needs a
// format; the emulator uses the `agent_…` shape of the seed's examples and of the IDs it hands out. Semantic search
// ranks KB articles by shared words: enough to return the seed's chunk shape with recognisable content.
import { createHash } from 'node:crypto';
import { queryRequestSchema, semanticSearchRequestSchema } from '../../requests.js';
import { abortableSleep } from '../../../shared/abortable-sleep.js';
import type { TwigEmulatorCore } from '../core.js';
import { invalidRequest, notFound, TwigEmulatorError } from '../errors.js';
import { route, type TwigRouter } from '../gate.js';
import { nowIso, parseBody } from '../http.js';
import { twigId, type InteractionRecord } from '../store.js';

export const AGENT_ID_FORMAT = /^agent_[A-Za-z0-9_]+$/;

const words = (text: string) => new Set(text.toLowerCase().match(/[a-z0-9]+/g) ?? []);
const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

function embedding(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  return [...digest.subarray(0, 8)].map((byte) => Math.round((byte / 127.5 - 1) * 1000) / 1000);
}

export function registerQueryRoutes(router: TwigRouter, core: TwigEmulatorCore): void {
  const { store } = core;

  route(router, core, 'query', async (ctx) => {
    const started = Date.now();
    const body = await parseBody(ctx, queryRequestSchema);
    if (!AGENT_ID_FORMAT.test(body.agent_id))
      throw invalidRequest('invalid agent_id format', { agent_id: body.agent_id });
    const agent = store.agents.get(body.agent_id);
    if (!agent) throw notFound('Agent not found', { agent_id: body.agent_id });
    const answer = core.answers.next(agent.id, body.query);
    await abortableSleep(answer.delayMs);
    if (answer.error)
      throw new TwigEmulatorError(answer.error.status, answer.error.message, { agent_id: agent.id });
    const latency = Date.now() - started;
    const cost = Math.round((tokens(body.query) + tokens(answer.response)) * 0.00002 * 10_000) / 10_000;
    const interaction: InteractionRecord = {
      id: twigId('int_'),
      agent_id: agent.id,
      session_id: body.session_id ?? twigId('sess_'),
      query: body.query,
      response: answer.response,
      feedback: null,
      latency_ms: latency,
      cost_usd: cost,
      cited: (answer.sources?.length ?? 0) > 0,
      created_at: nowIso(),
    };
    store.interactions.set(interaction.id, interaction);
    ctx.body = {
      response: answer.response,
      sources: answer.sources ?? [],
      metadata: {
        interaction_id: interaction.id,
        latency_ms: latency,
        tokens_input: tokens(body.query),
        tokens_output: tokens(answer.response),
        cost_usd: cost,
        rag_strategy: agent.rag_strategy,
        model: agent.model,
      },
    };
    core.webhooks.send('interaction.completed', {
      interaction_id: interaction.id,
      agent_id: agent.id,
      latency_ms: latency,
    });
  });

  route(router, core, 'semanticSearch', async (ctx) => {
    const started = Date.now();
    const body = await parseBody(ctx, semanticSearchRequestSchema);
    const asked = words(body.query);
    const threshold = body.similarity_threshold ?? 0;
    const articles = [...store.articles.values()];
    const chunks = articles
      .map((article) => {
        const have = words(`${article.title} ${article.content}`);
        const shared = [...asked].filter((w) => have.has(w)).length;
        return { article, score: asked.size === 0 ? 0 : shared / asked.size };
      })
      .filter(({ score }) => score > 0 && score >= threshold)
      .sort((a, b) => b.score - a.score)
      .slice(0, body.top_k ?? 10)
      .map(({ article, score }) => ({
        chunk_id: `chk_${article.id}_v${article.version}`,
        text: article.content,
        similarity_score: Math.round(score * 100) / 100,
        document_id: article.id,
        document_title: article.title,
      }));
    ctx.body = {
      chunks,
      query_embedding: embedding(body.query),
      metadata: { total_chunks_searched: articles.length, latency_ms: Date.now() - started },
    };
  });
}
