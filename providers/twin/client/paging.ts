// Walking every page of Twin's two paged lists: agents by opaque cursor, runs by page number. The documents say
// only that the last agent page has no `next_cursor` and that runs come `page_size` at a time, so each walk stops
// on every sign of the end it can see and refuses, with a typed error, to go on forever.
import type { ListAgentsQuery, ListRunsQuery, RequestOptions, TwinClient } from './client.js';
import { pagingError } from './errors.js';
import type { Agent, Run } from '../vocabulary/schemas.js';

/**
 * Pages one walk reads before TOO_MANY_PAGES: a thousand of Twin's default 100 runs is far beyond any agent's
 * history, so reaching it means Twin keeps answering full pages for a page number it ignores.
 */
export const MAX_PAGES = 1_000;

/** Seed 001: `page_size` defaults to 100 when not given. */
const DEFAULT_PAGE_SIZE = 100;

export interface PagingOptions extends RequestOptions {
  /** Defaults to MAX_PAGES. */
  maxPages?: number;
}

type Where = { method: string; path: string };

function tooManyPages(maxPages: number, where: Where) {
  return pagingError('TOO_MANY_PAGES', `still not at the last page after ${maxPages} pages`, where);
}

/**
 * Every agent matching `query`, following `next_cursor` until Twin sends none (absent, null or ""). Throws a
 * TwinApiError PAGING_LOOP when Twin hands back a cursor already followed, TOO_MANY_PAGES past `maxPages`.
 */
export async function* listAllAgents(
  client: TwinClient,
  query: Omit<ListAgentsQuery, 'cursor'> = {},
  options: PagingOptions = {},
): AsyncGenerator<Agent, void, undefined> {
  const { maxPages = MAX_PAGES, ...requestOptions } = options;
  const where = { method: 'GET', path: '/v1/agents' };
  const followed = new Set<string>();
  let cursor: string | undefined;
  for (let page = 1; page <= maxPages; page++) {
    const answer = await client.listAgents({ ...query, cursor }, requestOptions);
    yield* answer.agents;
    cursor = answer.next_cursor;
    if (cursor === undefined) return;
    if (followed.has(cursor)) {
      throw pagingError(
        'PAGING_LOOP',
        `next_cursor ${JSON.stringify(cursor.slice(0, 80))} came twice`,
        where,
      );
    }
    followed.add(cursor);
  }
  throw tooManyPages(maxPages, where);
}

/**
 * Every run matching `filters`, newest pages first as Twin orders them. Runs started while paging push older
 * ones onto the next page, so a run already yielded is skipped rather than repeated. The walk ends at the first
 * page shorter than the page size (an empty one included); `total_runs` is not trusted to end it, since it may be
 * absent, not a number, or stale by the next page. Throws a TwinApiError TOO_MANY_PAGES past `maxPages`.
 */
export async function* listAllRuns(
  client: TwinClient,
  agentId: string,
  filters: Omit<ListRunsQuery, 'page'> = {},
  options: PagingOptions = {},
): AsyncGenerator<Run, void, undefined> {
  const { maxPages = MAX_PAGES, ...requestOptions } = options;
  const seen = new Set<string>();
  for (let page = 1; page <= maxPages; page++) {
    const answer = await client.listRuns(agentId, { ...filters, page }, requestOptions);
    for (const run of answer.runs) {
      if (seen.has(run.run_id)) continue;
      seen.add(run.run_id);
      yield run;
    }
    const pageSize = answer.page_size ?? filters.page_size ?? DEFAULT_PAGE_SIZE;
    if (answer.runs.length < pageSize) return;
  }
  throw tooManyPages(maxPages, { method: 'GET', path: `/v1/agents/${encodeURIComponent(agentId)}/runs` });
}
