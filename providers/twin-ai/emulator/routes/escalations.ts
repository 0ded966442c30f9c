// Escalations and stats. The list's `status` defaults to open, as the seed says; resolve takes the seed's one body,
// `{"status": "resolved"}`, answers 200 `{escalation}` (the seed shows no answer: A5) and, asked again, answers the
// same without moving `resolvedAt`. Stats are computed from what the emulator really answered; the seed's example
// (284 answered, 852 minutes saved) reads as three minutes per answer, so that is the rate used.
import { listEscalationsQuery, resolveEscalationSchema } from '../../requests.js';
import type { TwinAiEmulatorCore } from '../core.js';
import { route, type TwinAiRouter } from '../gate.js';
import { notFound, nowIso, param, parseBody, parseQuery } from '../http.js';
import { newestFirst } from '../store.js';

const MINUTES_SAVED_PER_ANSWER = 3;
const rounded = (n: number) => Math.round(n * 100) / 100;

export function registerEscalationRoutes(router: TwinAiRouter, core: TwinAiEmulatorCore): void {
  const { store } = core;

  route(router, core, 'listEscalations', (ctx) => {
    const q = parseQuery(ctx, listEscalationsQuery);
    const status = q.status ?? 'open';
    const matching = newestFirst(store.escalations.values()).filter(
      (e) => status === 'all' || e.status === status,
    );
    ctx.body = { escalations: matching.slice(0, q.limit ?? 50), total: matching.length };
  });

  route(router, core, 'resolveEscalation', async (ctx) => {
    const id = param(ctx);
    const escalation = store.escalations.get(id);
    if (!escalation) throw notFound('Escalation not found.');
    await parseBody(ctx, resolveEscalationSchema);
    if (escalation.status !== 'resolved')
      Object.assign(escalation, { status: 'resolved', resolvedAt: nowIso() });
    ctx.body = { escalation };
  });

  route(router, core, 'getStats', (ctx) => {
    const answered = store.asks.length;
    const escalated = store.asks.filter((a) => a.escalationId !== undefined).length;
    const sum = store.asks.reduce((total, a) => total + a.confidence, 0);
    ctx.body = {
      totalAnswered: answered,
      totalEscalated: escalated,
      avgConfidence: answered === 0 ? 0 : rounded(sum / answered),
      handleRate: answered === 0 ? 0 : rounded((answered - escalated) / answered),
      totalSavedMinutes: answered * MINUTES_SAVED_PER_ANSWER,
      kbDocCount: store.docs.size,
    };
  });
}
