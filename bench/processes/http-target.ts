// The servers benchmark 1 compares, each alone in a process, on 127.0.0.1 with an ephemeral port and the
// same node:http set-up as services/receiver/main.ts:
//   receiver-noop  the real receiver app (verification, validation, logging, metrics) whose Temporal hand-off
//                  is replaced by a no-op, so what is measured is everything the receiver does itself;
//   hand-verify    a Koa route as a careful user would write it by hand: raw body, HMAC-SHA256, constant-time
//                  compare, JSON.parse, 204: the essential work of verifying a delivery, and nothing else;
//   bare-koa       a Koa app with one POST route that reads the body and answers 204: the floor any Koa
//                  webhook endpoint pays.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { createReceiverApp } from '../../services/receiver/app.js';
import type { EventHandoff } from '../../services/receiver/handoff.js';
import { SigningSecrets } from '../../services/receiver/secrets.js';
import { WEBHOOK_PATH } from '../../services/receiver/webhook-route.js';
import { loadConfig } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';

export const TARGETS = ['receiver-noop', 'hand-verify', 'bare-koa'] as const;
export type Target = (typeof TARGETS)[number];

const noopHandoff: EventHandoff = {
  deliver: async () => 'delivered',
  checkReady: async () => undefined,
};

/** All a target needs to be served: a request listener, as node:http takes it. */
interface Listenable {
  callback(): RequestListener;
}

async function receiverApp(): Promise<Listenable> {
  const config = loadConfig();
  const logger = createLogger('receiver', config.LOG_LEVEL);
  const secrets = await SigningSecrets.load({ envSecrets: config.WEBHOOK_SIGNING_SECRETS, logger });
  return createReceiverApp({ config, secrets, handoff: noopHandoff, logger });
}

function bareKoaApp(): Listenable {
  const app = new Koa();
  const router = new Router();
  router.post(WEBHOOK_PATH, async (ctx) => {
    await getRawBody(ctx.req);
    ctx.status = 204;
  });
  app.use(router.routes());
  return app;
}

function handVerifyApp(): Listenable {
  const secret = process.env.WEBHOOK_SIGNING_SECRETS ?? '';
  if (!secret || secret.includes(',')) throw new Error('hand-verify takes exactly one signing secret');
  const app = new Koa();
  const router = new Router();
  router.post(WEBHOOK_PATH, async (ctx) => {
    const body = await getRawBody(ctx.req, { limit: '64kb' });
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    const given = Buffer.from(ctx.get('x-cobb-signature'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return void (ctx.status = 401);
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      return void (ctx.status = 400);
    }
    ctx.status = 204;
  });
  app.use(router.routes());
  return app;
}

const APPS: Record<Target, () => Listenable | Promise<Listenable>> = {
  'receiver-noop': receiverApp,
  'hand-verify': handVerifyApp,
  'bare-koa': bareKoaApp,
};

async function main(): Promise<void> {
  const target = process.argv[2] as Target;
  if (!TARGETS.includes(target)) throw new Error(`target must be one of ${TARGETS.join(', ')}`);
  const app = await APPS[target]();
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}${WEBHOOK_PATH}` });
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
