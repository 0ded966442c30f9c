// API keys the emulator issues really authenticate. Only a hash of each key is kept (in memory and in the state
// file), and a revoked key is refused from the very next request.
import { createHash, randomBytes } from 'node:crypto';
import type { Middleware } from 'koa';
import type { ApiState } from './http.js';
import { unauthenticated } from './problem.js';
import type { ApiKeyRecord } from './state.js';
import { randomId } from './ids.js';
import type { Store } from './store.js';

export function hashKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

const unixNow = () => Math.floor(Date.now() / 1000);

export function issueApiKey(
  store: Store,
  userId: string,
  name: string,
): { record: ApiKeyRecord; apiKey: string } {
  const apiKey = `tw_live_${randomBytes(24).toString('hex')}`;
  const record: ApiKeyRecord = {
    key_id: randomId('key_'),
    user_id: userId,
    name,
    key_hash: hashKey(apiKey),
    display_prefix: `${apiKey.slice(0, 11)}...`,
    created_at: unixNow(),
  };
  store.keys.set(record.key_id, record);
  store.defaultWorkspace(userId);
  store.changed();
  return { record, apiKey };
}

export function authMiddleware(store: Store): Middleware<ApiState> {
  return async (ctx, next) => {
    const presented = ctx.get('x-api-key');
    if (presented === '') throw unauthenticated('missing x-api-key header');
    const hash = hashKey(presented);
    const key = [...store.keys.values()].find((k) => k.key_hash === hash);
    if (!key) throw unauthenticated('unknown API key');
    if (key.revoked_at !== undefined) throw unauthenticated('API key has been revoked');
    const now = unixNow();
    if (key.last_used_at !== now) {
      key.last_used_at = now;
      store.changed();
    }
    ctx.state.userId = key.user_id;
    ctx.state.keyId = key.key_id;
    await next();
  };
}
