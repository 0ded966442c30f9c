// Runs and their events (/v1/agents/{agent_id}/runs…). Starting a run on an agent that is not deployed answers
// 409 FAILED_PRECONDITION unless skip_deploy_check is set.
import { z } from 'zod';
import { normaliseRunStatus, type RunStatus } from '../../twin-api/run-status.js';
import type { EmulatorCore } from '../core.js';
import { isoDate, param, parseBody, parseQuery, queryInt, type ApiRouter } from '../http.js';
import { failedPrecondition } from '../problem.js';
import type { RunRecord } from '../state.js';
import { runView } from '../views.js';

const statusWord = z.string().transform((word, ctx): RunStatus => {
  const status = normaliseRunStatus(word);
  if (status) return status;
  ctx.addIssue({ code: 'custom', message: `unknown run status "${word}"` });
  return z.NEVER;
});

const listQuery = z
  .object({
    page: queryInt(1, 1_000_000).default(1),
    page_size: queryInt(1, 1000).default(100),
    filter_status: statusWord.optional(),
    filter_run_id: z.string().optional(),
    filter_started_after: isoDate.optional(),
    filter_started_before: isoDate.optional(),
    filter_policy_type: z.string().optional(),
    filter_policy_group: z.enum(['builder', 'runner']).optional(),
  })
  .refine((q) => !(q.filter_policy_type && q.filter_policy_group), {
    message: 'filter_policy_type and filter_policy_group are mutually exclusive',
  });
type ListQuery = z.infer<typeof listQuery>;

const startBody = z
  .object({
    run_mode: z.enum(['build', 'run']).default('run'),
    user_message: z.string().max(100_000).optional(),
    skip_deploy_check: z.boolean().default(false),
  })
  .prefault({});

const cancelBody = z.object({ reason: z.string().max(10_000).optional() }).prefault({});

const eventsQuery = z.object({
  limit: queryInt(1, 10_000).optional(),
  after_index: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
});

function matchesFilters(run: RunRecord, q: ListQuery): boolean {
  const started = Date.parse(run.started_at);
  if (q.filter_status && run.status !== q.filter_status) return false;
  if (q.filter_run_id && run.run_id !== q.filter_run_id) return false;
  if (q.filter_started_after && started <= Date.parse(q.filter_started_after)) return false;
  if (q.filter_started_before && started >= Date.parse(q.filter_started_before)) return false;
  if (q.filter_policy_type && run.policy_type !== q.filter_policy_type) return false;
  return !q.filter_policy_group || run.policy_type.startsWith(q.filter_policy_group);
}

export function registerRunRoutes(router: ApiRouter, core: EmulatorCore): void {
  const { store } = core;
  const RUNS = '/v1/agents/:agentId/runs';
  const RUN = `${RUNS}/:runId`;

  /** Newest first, like Twin's run history. */
  router.get(RUNS, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const q = parseQuery(ctx, listQuery);
    const runs = store
      .runsOf(agent.agent_id)
      .filter((r) => matchesFilters(r, q))
      .sort((a, b) => b.run_number - a.run_number);
    const offset = (q.page - 1) * q.page_size;
    ctx.body = {
      runs: runs.slice(offset, offset + q.page_size).map(runView),
      total_runs: String(runs.length),
      page: q.page,
      page_size: q.page_size,
    };
  });

  router.post(RUNS, async (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const body = await parseBody(ctx, startBody);
    if (agent.deployment_state !== 'deployed' && !body.skip_deploy_check) {
      throw failedPrecondition(`agent ${agent.agent_id} is not deployed`);
    }
    const run = core.runs.start(agent, {
      run_mode: body.run_mode,
      user_message: body.user_message,
      trigger: 'api',
    });
    ctx.status = 201;
    ctx.body = { run: runView(run) };
  });

  router.delete(RUN, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    core.runs.delete(store.requireRun(agent, param(ctx, 'runId')));
    ctx.status = 204;
  });

  router.post(`${RUN}/cancel`, async (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const run = store.requireRun(agent, param(ctx, 'runId'));
    const body = await parseBody(ctx, cancelBody);
    ctx.body = { error: core.runs.cancel(run, body.reason) };
  });

  router.get(`${RUN}/events`, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const run = store.requireRun(agent, param(ctx, 'runId'));
    const q = parseQuery(ctx, eventsQuery);
    const after = run.events.filter((e) => e.index > q.after_index);
    ctx.body = { events: q.limit === undefined ? after : after.slice(0, q.limit) };
  });
}
