// Agents CRUD as the seed lists it: list (limit/offset, default 50), create (201, generated id), get, update (all
// fields optional, sends `agent.updated`), delete (204). An agent may name only data sources that exist: creating
// or updating with an unknown one answers 404 naming it.
import { createAgentSchema, listAgentsQuery, updateAgentSchema } from '../../requests.js';
import type { TwigEmulatorCore } from '../core.js';
import { notFound } from '../errors.js';
import { route, type TwigRouter } from '../gate.js';
import { nowIso, param, parseBody, parseQuery } from '../http.js';
import { page, twigId, type AgentRecord, type Store } from '../store.js';

function requireAgent(store: Store, id: string): AgentRecord {
  const agent = store.agents.get(id);
  if (!agent) throw notFound('Agent not found', { agent_id: id });
  return agent;
}

function requireDataSources(store: Store, ids: readonly string[] | undefined): void {
  const missing = ids?.find((id) => !store.dataSources.has(id));
  if (missing !== undefined) throw notFound('Data source not found', { data_source_id: missing });
}

export function registerAgentRoutes(router: TwigRouter, core: TwigEmulatorCore): void {
  const { store } = core;

  route(router, core, 'listAgents', (ctx) => {
    const q = parseQuery(ctx, listAgentsQuery);
    const { items, ...paging } = page([...store.agents.values()], q.limit, q.offset);
    ctx.body = { agents: items, ...paging };
  });

  route(router, core, 'createAgent', async (ctx) => {
    const body = await parseBody(ctx, createAgentSchema);
    requireDataSources(store, body.data_source_ids);
    const agent: AgentRecord = {
      rag_strategy: 'cedar',
      model: 'gpt-4',
      ...body,
      id: twigId('agent_'),
      status: 'active',
      created_at: nowIso(),
    };
    store.agents.set(agent.id, agent);
    ctx.status = 201;
    ctx.body = agent;
  });

  route(router, core, 'getAgent', (ctx) => {
    ctx.body = requireAgent(store, param(ctx));
  });

  route(router, core, 'updateAgent', async (ctx) => {
    const agent = requireAgent(store, param(ctx));
    const body = await parseBody(ctx, updateAgentSchema);
    requireDataSources(store, body.data_source_ids);
    Object.assign(agent, body);
    ctx.body = agent;
    core.webhooks.send('agent.updated', { agent_id: agent.id });
  });

  route(router, core, 'deleteAgent', (ctx) => {
    const agent = requireAgent(store, param(ctx));
    store.agents.delete(agent.id);
    ctx.status = 204;
  });
}
