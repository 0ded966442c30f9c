// Workspaces (/v1/workspaces…). Every user has a default workspace, created on first need; it receives agents
// created without a workspace_id and cannot be deleted (409 FAILED_PRECONDITION). Deleting any other workspace
// deletes the agents inside it, as documented.
import { z } from 'zod';
import { deleteAgent } from '../agents.js';
import type { EmulatorCore } from '../core.js';
import { param, parseBody, type ApiRouter } from '../http.js';
import { badRequest, failedPrecondition } from '../problem.js';
import type { WorkspaceRecord } from '../state.js';
import { randomId } from '../ids.js';
import { workspaceView } from '../views.js';

const name = z.string().trim().min(1).max(256);
const createBody = z.object({ name });
const updateBody = z.object({ name, icon_config: z.string().max(10_000).optional() });
const reorderBody = z.object({ workspace_ids: z.array(z.string()).min(1) });

export function registerWorkspaceRoutes(router: ApiRouter, core: EmulatorCore): void {
  const { store } = core;
  const WORKSPACE = '/v1/workspaces/:workspaceId';

  router.get('/v1/workspaces', (ctx) => {
    store.defaultWorkspace(ctx.state.userId);
    ctx.body = { workspaces: store.workspacesOf(ctx.state.userId).map(workspaceView) };
  });

  router.post('/v1/workspaces', async (ctx) => {
    const body = await parseBody(ctx, createBody);
    store.defaultWorkspace(ctx.state.userId);
    const ws: WorkspaceRecord = {
      workspace_id: randomId('ws_'),
      user_id: ctx.state.userId,
      name: body.name,
      position: store.workspacesOf(ctx.state.userId).length,
      is_default: false,
    };
    store.workspaces.set(ws.workspace_id, ws);
    store.changed();
    ctx.status = 201;
    ctx.body = { workspace: workspaceView(ws) };
  });

  router.put(WORKSPACE, async (ctx) => {
    const ws = store.requireWorkspace(ctx.state.userId, param(ctx, 'workspaceId'));
    const body = await parseBody(ctx, updateBody);
    ws.name = body.name;
    if (body.icon_config !== undefined) ws.icon_config = body.icon_config;
    store.changed();
    ctx.body = { workspace: workspaceView(ws) };
  });

  router.delete(WORKSPACE, (ctx) => {
    const ws = store.requireWorkspace(ctx.state.userId, param(ctx, 'workspaceId'));
    if (ws.is_default) throw failedPrecondition('the default workspace cannot be deleted');
    for (const agent of store.agentsOf(ctx.state.userId)) {
      if (agent.workspace_id === ws.workspace_id) deleteAgent(core, agent);
    }
    store.workspaces.delete(ws.workspace_id);
    store.changed();
    ctx.body = { deleted: true };
  });

  /** Listed workspaces come first in the given order; unlisted ones keep their relative order after them. */
  router.post('/v1/workspaces/reorder', async (ctx) => {
    const { workspace_ids: ids } = await parseBody(ctx, reorderBody);
    if (new Set(ids).size !== ids.length) throw badRequest('workspace_ids contains duplicates');
    const listed = ids.map((id) => store.requireWorkspace(ctx.state.userId, id));
    const rest = store.workspacesOf(ctx.state.userId).filter((w) => !ids.includes(w.workspace_id));
    [...listed, ...rest].forEach((w, position) => (w.position = position));
    store.changed();
    ctx.body = { success: true };
  });
}
