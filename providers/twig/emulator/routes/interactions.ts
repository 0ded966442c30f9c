// Interactions and analytics, both read from the interactions queries leave behind: history with the seed's filters
// (agent, date range, feedback incl. "null" for none given), feedback (204: the seed shows no answer), and
// analytics over a required date range. accuracy_rate is the share of positive feedback among rated interactions
// and citation_rate the share of answers with sources: the seed names both metrics without defining them.
import { analyticsQuery, feedbackSchema, listInteractionsQuery } from '../../requests.js';
import type { TwigEmulatorCore } from '../core.js';
import { invalidRequest, notFound } from '../errors.js';
import { route, type TwigRouter } from '../gate.js';
import { param, parseBody, parseQuery } from '../http.js';
import { page, type InteractionRecord } from '../store.js';

const day = (iso: string) => iso.slice(0, 10);

function view({ id, agent_id, query, response, feedback, latency_ms, created_at }: InteractionRecord) {
  return { id, agent_id, query, response, feedback, latency_ms, created_at };
}

function inRange(i: InteractionRecord, start?: string, end?: string): boolean {
  return (
    (start === undefined || day(i.created_at) >= start) && (end === undefined || day(i.created_at) <= end)
  );
}

function bucketOf(iso: string, granularity: 'hour' | 'day' | 'week' | 'month'): string {
  if (granularity === 'hour') return `${iso.slice(0, 13)}:00:00Z`;
  if (granularity === 'month') return `${iso.slice(0, 7)}-01T00:00:00Z`;
  const date = new Date(`${day(iso)}T00:00:00Z`);
  if (granularity === 'week') date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().replace('.000Z', 'Z');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 100) / 100);

export function registerInteractionRoutes(router: TwigRouter, core: TwigEmulatorCore): void {
  const { store } = core;

  route(router, core, 'listInteractions', (ctx) => {
    const q = parseQuery(ctx, listInteractionsQuery);
    const wanted = q.feedback === 'null' ? null : q.feedback;
    const matching = [...store.interactions.values()].filter(
      (i) =>
        (q.agent_id === undefined || i.agent_id === q.agent_id) &&
        inRange(i, q.start_date, q.end_date) &&
        (wanted === undefined || i.feedback === wanted),
    );
    const { items, ...paging } = page(matching, q.limit, q.offset);
    ctx.body = { interactions: items.map(view), ...paging };
  });

  route(router, core, 'submitFeedback', async (ctx) => {
    const id = param(ctx);
    const interaction = store.interactions.get(id);
    if (!interaction) throw notFound('Interaction not found', { interaction_id: id });
    const body = await parseBody(ctx, feedbackSchema);
    interaction.feedback = body.feedback;
    interaction.comment = body.comment;
    ctx.status = 204;
  });

  route(router, core, 'getAnalytics', (ctx) => {
    const q = parseQuery(ctx, analyticsQuery);
    if (q.start_date > q.end_date)
      throw invalidRequest('start_date is after end_date', {
        start_date: q.start_date,
        end_date: q.end_date,
      });
    const chosen = [...store.interactions.values()].filter(
      (i) => inRange(i, q.start_date, q.end_date) && (q.agent_id === undefined || i.agent_id === q.agent_id),
    );
    const rated = chosen.filter((i) => i.feedback !== null);
    const latency = chosen.reduce((sum, i) => sum + i.latency_ms, 0);
    const buckets = new Map<string, number[]>();
    for (const i of chosen) {
      const key = bucketOf(i.created_at, q.granularity ?? 'day');
      buckets.set(key, [...(buckets.get(key) ?? []), i.latency_ms]);
    }
    ctx.body = {
      metrics: {
        total_queries: chosen.length,
        unique_users: new Set(chosen.map((i) => i.session_id)).size,
        avg_latency_ms: chosen.length === 0 ? 0 : Math.round(latency / chosen.length),
        accuracy_rate: ratio(rated.filter((i) => i.feedback === 'positive').length, rated.length),
        citation_rate: ratio(chosen.filter((i) => i.cited).length, chosen.length),
        total_cost_usd: Math.round(chosen.reduce((sum, i) => sum + i.cost_usd, 0) * 10_000) / 10_000,
      },
      time_series: [...buckets.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([timestamp, latencies]) => {
          const sorted = [...latencies].sort((a, b) => a - b);
          return {
            timestamp,
            queries: sorted.length,
            latency_p50: percentile(sorted, 50),
            latency_p95: percentile(sorted, 95),
          };
        }),
    };
  });
}
