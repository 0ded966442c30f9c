// POST /v1/twin: the seed's order of refusals — bad input (400, "Message too long (max 2000 chars).") before the
// plan's limit (402, the seed's message word for word) — then the answer. Every answer counts against the monthly
// limit, escalated or not (A7). An escalating answer opens an escalation, logged with `askedBy` (default "API", as
// the seed says) and announced by `escalation.created`. The ask is recorded as performed before any fault can
// replace its answer, so the truth view shows what the client could not know.
import { askRequestSchema } from '../../requests.js';
import { abortableSleep } from '../../../shared/abortable-sleep.js';
import type { TwinAiEmulatorCore } from '../core.js';
import { route, type TwinAiRouter } from '../gate.js';
import { nowIso, parseBody, TwinAiEmulatorError } from '../http.js';
import { twinAiId, type AskRecord, type EscalationRecord } from '../store.js';

export function answerLimitMessage(used: number, limit: number): string {
  return `Monthly answer limit reached (${used}/${limit}). Upgrade to Pro for 2,000 answers/month.`;
}

export function registerTwinRoutes(router: TwinAiRouter, core: TwinAiEmulatorCore): void {
  const { store } = core;

  route(router, core, 'ask', async (ctx) => {
    const ask = await parseBody(ctx, askRequestSchema);
    if (store.answersUsed >= core.monthlyAnswerLimit) {
      throw new TwinAiEmulatorError(402, answerLimitMessage(store.answersUsed, core.monthlyAnswerLimit));
    }
    const decided = core.answers.decide(ask, store.docs.values());
    await abortableSleep(decided.delayMs);
    store.answersUsed += 1;
    for (const id of decided.usedDocIds) {
      const doc = store.docs.get(id);
      if (doc) doc.hits += 1;
    }
    const record: AskRecord = { ...ask, answer: decided.body, confidence: decided.confidence, at: nowIso() };
    store.asks.push(record);
    ctx.body = decided.body;
    if (!decided.shouldEscalate) return;
    const escalation: EscalationRecord = {
      id: twinAiId('esc_'),
      question: ask.message,
      askedBy: ask.askedBy ?? 'API',
      confidence: decided.confidence,
      reason: decided.escalateReason,
      status: 'open',
      createdAt: record.at,
      resolvedAt: null,
    };
    store.escalations.set(escalation.id, escalation);
    record.escalationId = escalation.id;
    core.webhooks.send('escalation.created', {
      escalationId: escalation.id,
      question: escalation.question,
      askedBy: escalation.askedBy,
      confidence: escalation.confidence,
      reason: escalation.reason,
    });
  });
}
