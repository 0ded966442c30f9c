// How tests and the dev stack script the emulator: one set of operations, offered as methods on the running
// emulator's handle and as an HTTP control API under /_emulator (same names, same zod schemas). The control API
// has NO authentication and no faults: it is for local use only, which is why the emulator binds to 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import { z } from 'zod';
import { TWIG_SCOPES, type TwigScope } from '../endpoints.js';
import { TWIG_WEBHOOK_EVENTS, type TwigWebhookEventType } from '../webhook.js';
import { scriptedAnswerSchema, type ScriptedAnswerInput } from './answers.js';
import type { TwigEmulatorCore } from './core.js';
import type { EmulatorState } from './errors.js';
import { faultsSchema, type ApiFault, type FaultsInput } from './faults.js';
import type { RequestLogEntry } from './gate.js';
import { param, parseBody, parseQuery } from './http.js';
import { syncPlanSchema, type SyncPlanInput } from './sync.js';
import { webhookConfigSchema, type DeliveryLogEntry, type WebhookConfigInput } from './webhooks.js';

export const issueKeySchema = z
  .strictObject({
    /** Scopes the key holds; default all four. */
    scopes: z.array(z.enum(TWIG_SCOPES)).default([...TWIG_SCOPES]),
    mode: z.enum(['live', 'test']).default('test'),
    /** The key itself, for a local stack that hands it to the worker first; default a fresh one. */
    key: z
      .string()
      .regex(/^twigsk_(live|test)_[A-Za-z0-9]+$/)
      .optional(),
  })
  .prefault({});
const syncScriptSchema = syncPlanSchema.extend({ data_source_id: z.string().min(1).optional() });
const answersSchema = z.strictObject({ answers: z.array(scriptedAnswerSchema).min(1) });
const eventSchema = z.strictObject({
  event: z.enum(TWIG_WEBHOOK_EVENTS),
  data: z.record(z.string(), z.unknown()),
});
const sinceQuery = z.object({ endpoint: z.string().optional() });

export interface TwigEmulatorControl {
  /** A key in the seed's shape (`twigsk_test_…` by default) holding the given scopes. */
  issueKey(input?: z.input<typeof issueKeySchema>): string;
  /** The agent's next query answers, in order; the last repeats. */
  scriptAnswers(agentId: string, answers: ScriptedAnswerInput[]): void;
  /** How the next syncs of one data source (or of all without their own plan) progress and end. */
  scriptSync(plan: SyncPlanInput & { data_source_id?: string }): void;
  /** Replaces every fault rule. */
  setFaults(faults: FaultsInput): void;
  faults(): { api: ApiFault[]; webhooks: { drop: number; duplicate: number } };
  /** Where webhooks go, signed with `secret`; undefined stops sending. */
  setWebhook(config: WebhookConfigInput | undefined): void;
  /** Sends an event now (e.g. `eval.completed`, which no emulated endpoint produces). */
  emitWebhook(event: TwigWebhookEventType, data: Record<string, unknown>): void;
  deliveries(): DeliveryLogEntry[];
  /** Every public API request, oldest first, with the status it was answered. */
  requests(endpoint?: string): RequestLogEntry[];
  reset(): void;
}

export function createControl(core: TwigEmulatorCore): TwigEmulatorControl {
  return {
    issueKey(input) {
      const { scopes, mode, key: chosen } = issueKeySchema.parse(input);
      const key = chosen ?? `twigsk_${mode}_${randomBytes(16).toString('hex')}`;
      core.store.keys.set(key, { scopes: new Set<TwigScope>(scopes) });
      return key;
    },
    scriptAnswers: (agentId, answers) => core.answers.script(agentId, answers),
    scriptSync(plan) {
      const { data_source_id, ...rest } = syncScriptSchema.parse(plan);
      core.syncs.script(data_source_id, rest);
    },
    setFaults: (faults) => core.faults.configure(faults),
    faults: () => core.faults.pending(),
    setWebhook: (config) => core.webhooks.configure(config),
    emitWebhook: (event, data) => core.webhooks.send(event, data),
    deliveries: () => core.webhooks.deliveries(),
    requests: (endpoint) => core.requests.filter((r) => endpoint === undefined || r.endpoint === endpoint),
    reset: () => core.reset(),
  };
}

export function createControlRouter(control: TwigEmulatorControl): Router<EmulatorState> {
  const router = new Router<EmulatorState>({ prefix: '/_emulator' });
  router.get('/health', (ctx) => {
    ctx.body = { ok: true };
  });
  router.post('/reset', (ctx) => {
    control.reset();
    ctx.body = { ok: true };
  });
  router.post('/api-keys', async (ctx) => {
    ctx.status = 201;
    ctx.body = { api_key: control.issueKey(await parseBody(ctx, issueKeySchema)) };
  });
  router.put('/agents/:id/answers', async (ctx) => {
    control.scriptAnswers(param(ctx), (await parseBody(ctx, answersSchema)).answers);
    ctx.body = { ok: true };
  });
  router.put('/sync-plans', async (ctx) => {
    control.scriptSync(await parseBody(ctx, syncScriptSchema));
    ctx.body = { ok: true };
  });
  router.get('/faults', (ctx) => {
    ctx.body = control.faults();
  });
  router.put('/faults', async (ctx) => {
    control.setFaults(await parseBody(ctx, faultsSchema));
    ctx.body = control.faults();
  });
  router.put('/webhook', async (ctx) => {
    control.setWebhook(await parseBody(ctx, webhookConfigSchema));
    ctx.body = { ok: true };
  });
  router.delete('/webhook', (ctx) => {
    control.setWebhook(undefined);
    ctx.body = { ok: true };
  });
  router.post('/events', async (ctx) => {
    const { event, data } = await parseBody(ctx, eventSchema);
    control.emitWebhook(event, data);
    ctx.status = 202;
    ctx.body = { ok: true };
  });
  router.get('/deliveries', (ctx) => {
    ctx.body = { deliveries: control.deliveries() };
  });
  router.get('/requests', (ctx) => {
    ctx.body = { requests: control.requests(parseQuery(ctx, sinceQuery).endpoint) };
  });
  return router;
}
