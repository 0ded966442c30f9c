// Agents (/v1/agents): list with workspace filter and cursor paging, create, get, delete, move.
import { z } from 'zod';
import { createAgent, deleteAgent } from '../agents.js';
import type { EmulatorCore } from '../core.js';
import { agentIdSchema, param, parseBody, parseQuery, queryInt, type ApiRouter } from '../http.js';
import { badRequest } from '../problem.js';
import type { AgentRecord } from '../state.js';
import { agentView } from '../views.js';

const listQuery = z.object({
  workspace_id: z.string().optional(),
  cursor: z.string().optional(),
  limit: queryInt(1, 1000).default(100),
});

/** owner_user_id, is_subagent and derived_from_agent_id are accepted for compatibility but not modelled. */
const createBody = z
  .object({
    workspace_id: z.string().min(1).optional(),
    owner_user_id: z.string().optional(),
    is_subagent: z.boolean().optional(),
    derived_from_agent_id: z.string().optional(),
    agent_id: agentIdSchema.optional(),
  })
  .prefault({});

const moveBody = z.object({ workspace_id: z.string().min(1) });

/** The cursor is the sort key of the last agent returned, so deleting agents between pages skips nothing. */
type CursorKey = [createdAt: string, agentId: string];
const cursorSchema = z.tuple([z.string(), z.string()]);

function encodeCursor(agent: AgentRecord): string {
  const key: CursorKey = [agent.created_at, agent.agent_id];
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): CursorKey {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('cursor is not a cursor returned by this API');
  }
}

function compareAgents(a: AgentRecord, b: AgentRecord): number {
  return a.created_at.localeCompare(b.created_at) || a.agent_id.localeCompare(b.agent_id);
}

export function registerAgentRoutes(router: ApiRouter, core: EmulatorCore): void {
  const { store } = core;

  router.get('/v1/agents', (ctx) => {
    const query = parseQuery(ctx, listQuery);
    let agents = store.agentsOf(ctx.state.userId).sort(compareAgents);
    if (query.workspace_id !== undefined)
      agents = agents.filter((a) => a.workspace_id === query.workspace_id);
    if (query.cursor !== undefined) {
      const [createdAt, agentId] = decodeCursor(query.cursor);
      agents = agents.filter(
        (a) => a.created_at > createdAt || (a.created_at === createdAt && a.agent_id > agentId),
      );
    }
    const page = agents.slice(0, query.limit);
    const last = page.at(-1);
    ctx.body = {
      agents: page.map((a) => agentView(store, a)),
      ...(agents.length > page.length && last && { next_cursor: encodeCursor(last) }),
    };
  });

  router.post('/v1/agents', async (ctx) => {
    const body = await parseBody(ctx, createBody);
    const agent = createAgent(core, ctx.state.userId, {
      agent_id: body.agent_id,
      workspace_id: body.workspace_id,
      deployed: false,
    });
    ctx.status = 201;
    ctx.body = { agent: agentView(store, agent) };
  });

  router.get('/v1/agents/:agentId', (ctx) => {
    ctx.body = { agent: agentView(store, store.requireAgent(ctx.state.userId, param(ctx, 'agentId'))) };
  });

  router.delete('/v1/agents/:agentId', (ctx) => {
    deleteAgent(core, store.requireAgent(ctx.state.userId, param(ctx, 'agentId')));
    ctx.status = 204;
  });

  router.post('/v1/agents/:agentId/move', async (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const body = await parseBody(ctx, moveBody);
    agent.workspace_id = store.requireWorkspace(ctx.state.userId, body.workspace_id).workspace_id;
    store.changed();
    ctx.body = { success: true };
  });
}
