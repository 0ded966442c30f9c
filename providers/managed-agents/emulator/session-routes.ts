// Sessions at the paths of the one route table (../routes.ts): create-and-start (pinned to the agent's current
// version unless the request names one), list, get, the live stream (stream.ts), the full log, follow-up turns,
// cancel and soft delete. A deleted session is gone from every endpoint (404), as a soft delete looks from
// outside (A3).
import type { Router } from '@koa/router';
import { z } from 'zod';
import { param, parseBody, parseQuery, queryInt } from '../../twin/emulator/http.js';
import { ROUTES, routerPattern } from '../routes.js';
import { createSessionSchema, sendTurnSchema } from '../schemas.js';
import { conflict, notFound, type PlatformState } from './platform-errors.js';
import type { SessionEngine } from './session-engine.js';
import { paginate, sessionView, type Store } from './store.js';
import type { StreamServer } from './stream.js';

const listSessionsQuery = z.object({
  limit: queryInt(1, 100).default(20),
  cursor: z.string().min(1).optional(),
  agent_id: z.string().min(1).optional(),
  status: z.string().min(1).optional(),
});
const streamQuery = z.object({ after: z.string().min(1).optional() });

export function registerSessionRoutes(
  router: Router<PlatformState>,
  store: Store,
  engine: SessionEngine,
  streams: StreamServer,
): void {
  const session = (ctx: { params: Record<string, string | undefined> }) =>
    store.requireSession(param(ctx, 'session_id'));

  router.post(routerPattern(ROUTES.createSession), async (ctx) => {
    const body = await parseBody(ctx, createSessionSchema);
    const agent = store.requireAgent(body.agent_id);
    if (agent.archived) throw conflict('agent_archived', `agent ${agent.id} is archived`);
    const version = body.agent_version ?? agent.versions.length;
    if (version > agent.versions.length) throw notFound(`version ${version} of agent ${agent.id}`);
    ctx.status = 201;
    ctx.body = sessionView(engine.start(agent, version, body.input));
  });

  router.get(routerPattern(ROUTES.listSessions), (ctx) => {
    const q = parseQuery(ctx, listSessionsQuery);
    const sessions = [...store.sessions.values()].filter(
      (s) => !s.deleted && (!q.agent_id || s.agent_id === q.agent_id) && (!q.status || s.status === q.status),
    );
    const page = paginate(sessions, (s) => s.id, q.limit, q.cursor);
    ctx.body = { data: page.data.map(sessionView), next_cursor: page.next_cursor };
  });

  router.get(routerPattern(ROUTES.getSession), (ctx) => {
    ctx.body = sessionView(session(ctx));
  });

  router.get(routerPattern(ROUTES.streamSession), (ctx) => {
    streams.serve(ctx, session(ctx), parseQuery(ctx, streamQuery).after);
  });

  router.get(routerPattern(ROUTES.getSessionEvents), (ctx) => {
    ctx.body = session(ctx).events;
  });

  router.post(routerPattern(ROUTES.sendTurn), async (ctx) => {
    const target = session(ctx);
    engine.sendTurn(target, (await parseBody(ctx, sendTurnSchema)).input);
    ctx.status = 202;
    ctx.body = sessionView(target);
  });

  router.post(routerPattern(ROUTES.cancelSession), (ctx) => {
    const target = session(ctx);
    engine.cancel(target);
    ctx.body = sessionView(target);
  });

  router.delete(routerPattern(ROUTES.deleteSession), (ctx) => {
    engine.delete(session(ctx));
    ctx.status = 204;
  });
}
