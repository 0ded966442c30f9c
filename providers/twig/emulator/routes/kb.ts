// Knowledge-base articles: list (status, limit, offset), create (201; status defaults to draft), update ("Creates
// new version": `version` goes up by one on each PUT). The list envelope `articles` and the article's `id` and
// `version` fields are the emulator's reading of a seed that shows neither (A8).
import { createKbArticleSchema, listKbQuery, updateKbArticleSchema } from '../../requests.js';
import type { TwigEmulatorCore } from '../core.js';
import { notFound } from '../errors.js';
import { route, type TwigRouter } from '../gate.js';
import { nowIso, param, parseBody, parseQuery } from '../http.js';
import { page, twigId, type KbArticleRecord } from '../store.js';

export function registerKbRoutes(router: TwigRouter, core: TwigEmulatorCore): void {
  const { store } = core;

  route(router, core, 'listKbArticles', (ctx) => {
    const q = parseQuery(ctx, listKbQuery);
    const matching = [...store.articles.values()].filter(
      (a) => q.status === undefined || a.status === q.status,
    );
    const { items, ...paging } = page(matching, q.limit, q.offset);
    ctx.body = { articles: items, ...paging };
  });

  route(router, core, 'createKbArticle', async (ctx) => {
    const body = await parseBody(ctx, createKbArticleSchema);
    const now = nowIso();
    const article: KbArticleRecord = {
      id: twigId('kb_'),
      title: body.title,
      content: body.content,
      tags: body.tags ?? [],
      status: body.status ?? 'draft',
      version: 1,
      created_at: now,
      updated_at: now,
    };
    store.articles.set(article.id, article);
    ctx.status = 201;
    ctx.body = article;
  });

  route(router, core, 'updateKbArticle', async (ctx) => {
    const id = param(ctx);
    const article = store.articles.get(id);
    if (!article) throw notFound('Article not found', { article_id: id });
    const body = await parseBody(ctx, updateKbArticleSchema);
    Object.assign(article, body, { version: article.version + 1, updated_at: nowIso() });
    ctx.body = article;
  });
}
