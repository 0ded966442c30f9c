// Runs and their events (/v1/agents/{agent_id}/runs…). Starting a run on an agent that is not deployed answers
// 409 FAILED_PRECONDITION unless skip_deploy_check is set. In the documented profile run_mode is required, as
// the live gateway requires it, and an unknown run's events are an empty page rather than a 404.
import { z } from 'zod';
import { normaliseRunStatus, type RunStatus } from '../../vocabulary/run-status.js';
import type { EmulatorCore } from '../core.js';
import { isoDate, param, parseBody, parseQuery, queryInt, type ApiRouter } from '../http.js';
import { badRequest, failedPrecondition } from '../problem.js';
import type { ProfileRules } from '../profile.js';
import { runListEntry, runStartAnswer } from '../run-views.js';
import type { RunRecord } from '../state.js';

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

/** The live gateway's own words; it refuses the capitalised ones it names as well. */
export const RUN_MODE_REQUIRED = 'run_mode must be explicitly set to Builder, Run, or SubAgent';
const RUN_MODES = ['build', 'run'] as const;

const startBody = z
  .object({
    run_mode: z.string().optional(),
    user_message: z.string().max(100_000).optional(),
    skip_deploy_check: z.boolean().default(false),
  })
  .prefault({});

const cancelBody = z.object({ reason: z.string().max(10_000).optional() }).prefault({});

const eventsQuery = z.object({
  limit: queryInt(1, 10_000).optional(),
  after_index: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
});

function runModeOf(word: string | undefined, profile: ProfileRules): 'build' | 'run' {
  const mode = RUN_MODES.find((m) => m === word);
  if (mode) return mode;
  if (profile.liveGateway) throw badRequest(RUN_MODE_REQUIRED);
  if (word === undefined) return 'run';
  throw badRequest(`run_mode: must be one of ${RUN_MODES.join(', ')}`);
}

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
  const { store, profile } = core;
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
      runs: runs.slice(offset, offset + q.page_size).map((r) => runListEntry(r, profile)),
      total_runs: String(runs.length),
      page: q.page,
      page_size: q.page_size,
    };
  });

  router.post(RUNS, async (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const body = await parseBody(ctx, startBody);
    const runMode = runModeOf(body.run_mode, profile);
    if (agent.deployment_state !== 'deployed' && !body.skip_deploy_check) {
      throw failedPrecondition(`agent ${agent.agent_id} is not deployed`);
    }
    const run = core.runs.start(agent, {
      run_mode: runMode,
      user_message: body.user_message,
      trigger: 'api',
    });
    ctx.status = 201;
    ctx.body = { run: runStartAnswer(run, profile) };
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
    const q = parseQuery(ctx, eventsQuery);
    const runId = param(ctx, 'runId');
    if (profile.liveGateway && store.runs.get(runId)?.agent_id !== agent.agent_id) {
      ctx.body = { events: [], total_count: 0 };
      return;
    }
    const run = store.requireRun(agent, runId);
    const after = run.events.filter((e) => e.index > q.after_index);
    ctx.body = { events: q.limit === undefined ? after : after.slice(0, q.limit) };
  });
}
