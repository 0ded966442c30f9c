// Data sources: list (limit/offset/status), create (201, status "pending"), sync (202 "Sync job queued", no body:
// the seed shows none) and status (`status`, `chunks_indexed`, `progress_pct`, `estimated_completion` while a sync
// runs). Syncs progress on real timers in sync.ts.
import { createDataSourceSchema, listDataSourcesQuery } from '../../requests.js';
import type { TwigEmulatorCore } from '../core.js';
import { notFound } from '../errors.js';
import { route, type TwigRouter } from '../gate.js';
import { nowIso, param, parseBody, parseQuery } from '../http.js';
import { page, twigId, type DataSourceRecord, type Store } from '../store.js';

function requireSource(store: Store, id: string): DataSourceRecord {
  const source = store.dataSources.get(id);
  if (!source) throw notFound('Data source not found', { data_source_id: id });
  return source;
}

/** The data-source object: its progress lives behind /status only. */
function sourceView({ id, type, name, config, sync_frequency, status, created_at }: DataSourceRecord) {
  return { id, type, name, config, sync_frequency, status, created_at };
}

export function registerDataSourceRoutes(router: TwigRouter, core: TwigEmulatorCore): void {
  const { store } = core;

  route(router, core, 'listDataSources', (ctx) => {
    const q = parseQuery(ctx, listDataSourcesQuery);
    const matching = [...store.dataSources.values()].filter(
      (s) => q.status === undefined || s.status === q.status,
    );
    const { items, ...paging } = page(matching, q.limit, q.offset);
    ctx.body = { data_sources: items.map(sourceView), ...paging };
  });

  route(router, core, 'createDataSource', async (ctx) => {
    const body = await parseBody(ctx, createDataSourceSchema);
    const source: DataSourceRecord = {
      id: twigId('ds_'),
      type: body.type,
      name: body.name,
      config: body.config ?? {},
      sync_frequency: body.sync_frequency ?? 'manual',
      status: 'pending',
      chunks_indexed: 0,
      progress_pct: 0,
      created_at: nowIso(),
    };
    store.dataSources.set(source.id, source);
    ctx.status = 201;
    ctx.body = sourceView(source);
  });

  route(router, core, 'syncDataSource', (ctx) => {
    core.syncs.start(requireSource(store, param(ctx)));
    ctx.status = 202;
    ctx.body = '';
  });

  route(router, core, 'getDataSourceStatus', (ctx) => {
    const source = requireSource(store, param(ctx));
    ctx.body = {
      status: source.status,
      chunks_indexed: source.chunks_indexed,
      progress_pct: source.progress_pct,
      ...(source.estimated_completion !== undefined && { estimated_completion: source.estimated_completion }),
    };
  });
}
