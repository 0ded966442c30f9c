// Agents and their versions, at the paths of the one route table (../routes.ts). Creating makes version 1,
// every update appends a version, and archiving is soft: an archived agent can be read and listed
// (`archived=true`) but neither updated nor started, while its sessions keep the version they are pinned to.
import type { Router } from '@koa/router';
import { z } from 'zod';
import { param, parseBody, parseQuery, queryInt } from '../../twin/emulator/http.js';
import { ROUTES, routerPattern } from '../routes.js';
import { agentConfigSchema, agentPatchSchema } from '../schemas.js';
import type { PlatformState } from './platform-errors.js';
import { agentView, paginate, type Store } from './store.js';

const pageQuery = { limit: queryInt(1, 100).default(20), cursor: z.string().min(1).optional() };
const listAgentsQuery = z.object({
  ...pageQuery,
  /** Absent or false: live agents; true: archived ones (A3). */
  archived: z
    .enum(['true', 'false'])
    .default('false')
    .transform((word) => word === 'true'),
});
const versionsQuery = z.object(pageQuery);
const versionParam = z.coerce.number().int().positive();

export function registerAgentRoutes(router: Router<PlatformState>, store: Store): void {
  router.get(routerPattern(ROUTES.listAgents), (ctx) => {
    const q = parseQuery(ctx, listAgentsQuery);
    const agents = [...store.agents.values()].filter((agent) => agent.archived === q.archived);
    const page = paginate(agents, (agent) => agent.id, q.limit, q.cursor);
    ctx.body = { data: page.data.map((agent) => agentView(agent)), next_cursor: page.next_cursor };
  });

  router.post(routerPattern(ROUTES.createAgent), async (ctx) => {
    const config = await parseBody(ctx, agentConfigSchema);
    ctx.status = 201;
    ctx.body = agentView(store.createAgent(config));
  });

  router.get(routerPattern(ROUTES.getAgent), (ctx) => {
    ctx.body = agentView(store.requireAgent(param(ctx, 'agent_id')));
  });

  router.patch(routerPattern(ROUTES.updateAgent), async (ctx) => {
    const agent = store.requireAgent(param(ctx, 'agent_id'));
    store.updateAgent(agent, await parseBody(ctx, agentPatchSchema));
    ctx.body = agentView(agent);
  });

  router.post(routerPattern(ROUTES.archiveAgent), (ctx) => {
    const agent = store.requireAgent(param(ctx, 'agent_id'));
    agent.archived = true;
    ctx.body = agentView(agent);
  });

  router.get(routerPattern(ROUTES.listAgentVersions), (ctx) => {
    const agent = store.requireAgent(param(ctx, 'agent_id'));
    const q = parseQuery(ctx, versionsQuery);
    const versions = agent.versions.map((_, i) => agentView(agent, i + 1));
    ctx.body = paginate(versions, (version) => String(version.version), q.limit, q.cursor);
  });

  router.get(routerPattern(ROUTES.getAgentVersion), (ctx) => {
    const agent = store.requireAgent(param(ctx, 'agent_id'));
    const version = versionParam.safeParse(param(ctx, 'version'));
    ctx.body = agentView(agent, version.success ? version.data : 0);
  });
}
