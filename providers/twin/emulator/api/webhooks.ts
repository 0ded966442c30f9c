// Webhook registrations (/v1/agents/{agent_id}/webhooks…). The signing secret is generated here and returned by
// the create call only; every other answer omits it.
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../../vocabulary/run-status.js';
import type { EmulatorCore } from '../core.js';
import { param, parseBody, type ApiRouter } from '../http.js';
import type { WebhookRecord } from '../state.js';
import { nowIso } from '../store.js';
import { webhookView } from '../views.js';

const webhookUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const eventList = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1, 'at least one event is required')
  .transform((events) => [...new Set(events)]);

const createBody = z.object({ url: webhookUrl, events: eventList });
const updateBody = z.object({
  url: webhookUrl.optional(),
  events: eventList.optional(),
  status: z.enum(['active', 'disabled']).optional(),
});

export function registerWebhookRoutes(router: ApiRouter, core: EmulatorCore): void {
  const { store } = core;
  const HOOKS = '/v1/agents/:agentId/webhooks';
  const HOOK = `${HOOKS}/:webhookId`;

  router.post(HOOKS, async (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const body = await parseBody(ctx, createBody);
    const now = nowIso();
    const hook: WebhookRecord = {
      webhook_id: randomUUID(),
      agent_id: agent.agent_id,
      user_id: agent.user_id,
      url: body.url,
      events: body.events,
      status: 'active',
      signing_secret: `whsec_${randomBytes(32).toString('hex')}`,
      created_at: now,
      updated_at: now,
    };
    store.webhooks.set(hook.webhook_id, hook);
    store.changed();
    ctx.status = 201;
    ctx.body = { ...webhookView(hook), signing_secret: hook.signing_secret };
  });

  router.get(HOOKS, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    ctx.body = { webhooks: store.webhooksOf(agent.agent_id).map(webhookView) };
  });

  router.get(HOOK, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    ctx.body = webhookView(store.requireWebhook(agent, param(ctx, 'webhookId')));
  });

  router.patch(HOOK, async (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const hook = store.requireWebhook(agent, param(ctx, 'webhookId'));
    const body = await parseBody(ctx, updateBody);
    if (body.url !== undefined) hook.url = body.url;
    if (body.events !== undefined) hook.events = body.events;
    if (body.status !== undefined) hook.status = body.status;
    hook.updated_at = nowIso();
    store.changed();
    ctx.body = webhookView(hook);
  });

  router.delete(HOOK, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    store.webhooks.delete(store.requireWebhook(agent, param(ctx, 'webhookId')).webhook_id);
    store.changed();
    ctx.status = 204;
  });
}
