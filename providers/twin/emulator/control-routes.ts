// The emulator's own control API under /_emulator: set up users, agents and scripts, move runs by hand, inject
// faults, and inspect what happened (all runs, every delivery attempt). It has NO authentication: it exists for
// local tests and development only, which is why the emulator binds to 127.0.0.1 by default.
import { Router } from '@koa/router';
import { z } from 'zod';
import { OUTCOMES } from '../vocabulary/run-status.js';
import { createAgent, setDeployed } from './agents.js';
import { issueApiKey } from './auth.js';
import type { EmulatorCore } from './core.js';
import { faultsInputSchema } from './faults.js';
import { agentIdSchema, param, parseBody, parseQuery } from './http.js';
import { notFound } from './problem.js';
import { runBehaviourSchema, type AgentRecord, type RunRecord } from './state.js';
import { controlRunView } from './run-views.js';
import { agentView } from './views.js';

export const DEFAULT_USER_ID = 'user_emulator';

const userId = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/)
  .default(DEFAULT_USER_ID);
const script = z.array(runBehaviourSchema).min(1);

const apiKeyBody = z
  .strictObject({ name: z.string().min(1).max(128).default('emulator'), user_id: userId })
  .prefault({});
const agentBody = z
  .strictObject({
    agent_id: agentIdSchema.optional(),
    user_id: userId,
    workspace_id: z.string().optional(),
    deployed: z.boolean().default(true),
    script: script.optional(),
  })
  .prefault({});
const scriptBody = z.strictObject({ runs: script });
const deploymentBody = z.strictObject({ deployed: z.boolean() });
const completeBody = z
  .strictObject({
    outcome: z.enum(OUTCOMES).default('success'),
    summary: runBehaviourSchema.shape.summary,
    output: runBehaviourSchema.shape.output,
  })
  .prefault({});
const failBody = z
  .strictObject({ reason: runBehaviourSchema.shape.reason, summary: runBehaviourSchema.shape.summary })
  .prefault({});
const runsQuery = z.object({ agent_id: z.string().optional() });
const deliveriesQuery = z.object({
  run_id: z.string().optional(),
  webhook_id: z.string().optional(),
  event: z.string().optional(),
});

export function createControlRouter(core: EmulatorCore): Router {
  const { store } = core;
  const router = new Router({ prefix: '/_emulator' });

  const requireAgent = (agentId: string): AgentRecord => {
    const agent = store.agents.get(agentId);
    if (!agent) throw notFound(`agent ${agentId} not found`);
    return agent;
  };
  const requireRun = (runId: string): RunRecord => {
    const run = store.runs.get(runId);
    if (!run) throw notFound(`run ${runId} not found`);
    return run;
  };

  router.get('/health', (ctx) => {
    ctx.body = { ok: true };
  });

  router.post('/reset', (ctx) => {
    core.reset();
    ctx.body = { success: true };
  });

  router.post('/api-keys', async (ctx) => {
    const body = await parseBody(ctx, apiKeyBody);
    const { record, apiKey } = issueApiKey(store, body.user_id, body.name);
    ctx.status = 201;
    ctx.body = { api_key: apiKey, key_id: record.key_id, user_id: record.user_id };
  });

  router.post('/agents', async (ctx) => {
    const body = await parseBody(ctx, agentBody);
    const agent = createAgent(core, body.user_id, body);
    ctx.status = 201;
    ctx.body = { agent: agentView(store, agent) };
  });

  /** Replaces the script and starts it from the top with the agent's next run. */
  router.put('/agents/:agentId/script', async (ctx) => {
    const agent = requireAgent(param(ctx, 'agentId'));
    agent.script = (await parseBody(ctx, scriptBody)).runs;
    agent.script_cursor = 0;
    store.changed();
    ctx.body = { success: true };
  });

  router.put('/agents/:agentId/deployment', async (ctx) => {
    const agent = requireAgent(param(ctx, 'agentId'));
    setDeployed(agent, (await parseBody(ctx, deploymentBody)).deployed);
    store.changed();
    ctx.body = { agent: agentView(store, agent) };
  });

  router.post('/runs/:runId/complete', async (ctx) => {
    const run = requireRun(param(ctx, 'runId'));
    const body = await parseBody(ctx, completeBody);
    core.runs.complete(run, body);
    ctx.body = { run: controlRunView(run) };
  });

  router.post('/runs/:runId/fail', async (ctx) => {
    const run = requireRun(param(ctx, 'runId'));
    core.runs.fail(run, await parseBody(ctx, failBody));
    ctx.body = { run: controlRunView(run) };
  });

  router.post('/runs/:runId/pause', (ctx) => {
    const run = requireRun(param(ctx, 'runId'));
    core.runs.pause(run);
    ctx.body = { run: controlRunView(run) };
  });

  router.post('/runs/:runId/resume', (ctx) => {
    const run = requireRun(param(ctx, 'runId'));
    core.runs.resume(run);
    ctx.body = { run: controlRunView(run) };
  });

  /** `counts` is runs per agent over the same filter, so a test can check "exactly one run" in one call. */
  router.get('/runs', (ctx) => {
    const { agent_id } = parseQuery(ctx, runsQuery);
    const runs = [...store.runs.values()]
      .filter((r) => agent_id === undefined || r.agent_id === agent_id)
      .sort((a, b) => a.started_at.localeCompare(b.started_at) || a.run_number - b.run_number);
    const counts: Record<string, number> = {};
    for (const run of runs) counts[run.agent_id] = (counts[run.agent_id] ?? 0) + 1;
    ctx.body = { runs: runs.map(controlRunView), counts };
  });

  router.get('/faults', (ctx) => {
    ctx.body = core.faults.describe();
  });

  router.put('/faults', async (ctx) => {
    core.faults.configure(await parseBody(ctx, faultsInputSchema));
    ctx.body = core.faults.describe();
  });

  router.get('/deliveries', (ctx) => {
    const q = parseQuery(ctx, deliveriesQuery);
    ctx.body = {
      deliveries: core.webhooks
        .deliveries()
        .filter(
          (d) =>
            (q.run_id === undefined || d.run_id === q.run_id) &&
            (q.webhook_id === undefined || d.webhook_id === q.webhook_id) &&
            (q.event === undefined || d.event === q.event),
        ),
    };
  });

  return router;
}
