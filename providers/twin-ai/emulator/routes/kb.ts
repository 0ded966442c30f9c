// The knowledge base: list (`type` filter, `limit` default 50, max 200; summaries without content, newest first,
// `total` counting every match), create (`type` default "sop"), get (`{doc}` with content), delete (`{deleted:
// true}`). The seed shows no answer to a create; the emulator answers 201 `{doc}` like GET (A4). Documents made
// over the API get `source: "api"` (the seed's example shows "manual", from the dashboard).
import { createDocSchema, listDocsQuery } from '../../requests.js';
import type { TwinAiEmulatorCore } from '../core.js';
import { route, type TwinAiRouter } from '../gate.js';
import { notFound, nowIso, param, parseBody, parseQuery } from '../http.js';
import { newestFirst, twinAiId, type DocRecord } from '../store.js';

const summary = ({ content: _content, ...rest }: DocRecord) => rest;

export function registerKbRoutes(router: TwinAiRouter, core: TwinAiEmulatorCore): void {
  const { store } = core;
  const existing = (id: string): DocRecord => {
    const doc = store.docs.get(id);
    if (!doc) throw notFound('Document not found.');
    return doc;
  };

  route(router, core, 'listDocs', (ctx) => {
    const q = parseQuery(ctx, listDocsQuery);
    const matching = newestFirst(store.docs.values()).filter(
      (d) => q.type === undefined || d.type === q.type,
    );
    ctx.body = { docs: matching.slice(0, q.limit ?? 50).map(summary), total: matching.length };
  });

  route(router, core, 'createDoc', async (ctx) => {
    const body = await parseBody(ctx, createDocSchema);
    const doc: DocRecord = {
      id: twinAiId('doc_'),
      title: body.title,
      type: body.type ?? 'sop',
      content: body.content,
      source: 'api',
      hits: 0,
      createdAt: nowIso(),
    };
    store.docs.set(doc.id, doc);
    ctx.status = 201;
    ctx.body = { doc };
  });

  route(router, core, 'getDoc', (ctx) => {
    ctx.body = { doc: existing(param(ctx)) };
  });

  route(router, core, 'deleteDoc', (ctx) => {
    store.docs.delete(existing(param(ctx)).id);
    ctx.body = { deleted: true };
  });
}
