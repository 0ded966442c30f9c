// Agent instructions with version history (/v1/agents/{agent_id}/instructions…). Every PUT appends a version;
// the history lists all versions, newest first, the current one included.
import { z } from 'zod';
import type { EmulatorCore } from '../core.js';
import { param, parseBody, parseQuery, queryInt, type ApiRouter } from '../http.js';
import { nowIso } from '../store.js';

const putBody = z.object({
  content: z.string().max(1_000_000),
  source_type: z.string().max(128).optional(),
  source_id: z.string().max(256).optional(),
});
const historyQuery = z.object({ limit: queryInt(1, 10_000).optional() });

export function registerInstructionRoutes(router: ApiRouter, core: EmulatorCore): void {
  const { store } = core;
  const INSTRUCTIONS = '/v1/agents/:agentId/instructions';

  router.get(INSTRUCTIONS, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    ctx.body = { instructions: { content: agent.instructions.at(-1)?.content ?? '' } };
  });

  router.put(INSTRUCTIONS, async (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const body = await parseBody(ctx, putBody);
    agent.instructions.push({ ...body, created_at: nowIso() });
    store.changed();
    ctx.body = { success: true };
  });

  router.get(`${INSTRUCTIONS}/history`, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const { limit } = parseQuery(ctx, historyQuery);
    const newestFirst = [...agent.instructions].reverse();
    ctx.body = { instruction_versions: limit === undefined ? newestFirst : newestFirst.slice(0, limit) };
  });
}
