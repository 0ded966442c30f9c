// API key management (/api/public/v1/access-api-keys) and identity (/v1/me).
import { z } from 'zod';
import { issueApiKey } from '../auth.js';
import type { EmulatorCore } from '../core.js';
import { param, parseBody, type ApiRouter } from '../http.js';
import { notFound } from '../problem.js';

const createKeyBody = z.object({ name: z.string().min(1).max(128) });
const KEYS = '/api/public/v1/access-api-keys';

export function registerKeyRoutes(router: ApiRouter, core: EmulatorCore): void {
  const { store } = core;

  router.get('/v1/me', (ctx) => {
    ctx.body = { user_id: ctx.state.userId };
  });

  router.get(KEYS, (ctx) => {
    const keys = [...store.keys.values()].filter(
      (k) => k.user_id === ctx.state.userId && k.revoked_at === undefined,
    );
    ctx.body = {
      keys: keys.map((k) => ({
        key_id: k.key_id,
        name: k.name,
        display_prefix: k.display_prefix,
        created_at: k.created_at,
        ...(k.last_used_at !== undefined && { last_used_at: k.last_used_at }),
      })),
    };
  });

  router.post(KEYS, async (ctx) => {
    const body = await parseBody(ctx, createKeyBody);
    const { record, apiKey } = issueApiKey(store, ctx.state.userId, body.name);
    ctx.status = 201;
    ctx.body = {
      key_id: record.key_id,
      name: record.name,
      api_key: apiKey,
      display_prefix: record.display_prefix,
      created_at: record.created_at,
    };
  });

  router.delete(`${KEYS}/:keyId`, (ctx) => {
    const key = store.keys.get(param(ctx, 'keyId'));
    if (!key || key.user_id !== ctx.state.userId || key.revoked_at !== undefined) {
      throw notFound(`API key ${param(ctx, 'keyId')} not found`);
    }
    key.revoked_at = Math.floor(Date.now() / 1000);
    store.changed();
    ctx.body = { revoked: true };
  });
}
