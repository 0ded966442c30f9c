// Cron schedules (/v1/agents/{agent_id}/schedule…, /v1/schedules). Settled ambiguities: a cron that is not a
// valid 7-field expression, or can never fire again, answers 400 (INVALID_ARGUMENT) — validated by the same
// providers/twin/client/cron.ts the client uses, so both sides accept the same dialect; setting a schedule on an
// agent that is not deployed answers 409 (FAILED_PRECONDITION), checked after the body is valid. Deleting,
// pausing or resuming a schedule that does not exist answers 404.
import { z } from 'zod';
import { validateTwinCron } from '../../vocabulary/cron.js';
import type { EmulatorCore } from '../core.js';
import { param, parseBody, type ApiRouter } from '../http.js';
import { badRequest, failedPrecondition, notFound } from '../problem.js';
import type { AgentRecord, ScheduleRecord } from '../state.js';

const setBody = z.object({ cron: z.string().min(1).max(256) });

function requireSchedule(agent: AgentRecord): ScheduleRecord {
  if (!agent.schedule) throw notFound(`agent ${agent.agent_id} has no schedule`);
  return agent.schedule;
}

function validCron(cron: string): string {
  const validation = validateTwinCron(cron, new Date(), 1);
  if (!validation.ok) throw badRequest(`invalid cron "${cron}": ${validation.error}`);
  return cron.trim();
}

export function registerScheduleRoutes(router: ApiRouter, core: EmulatorCore): void {
  const { store, schedules } = core;
  const SCHEDULE = '/v1/agents/:agentId/schedule';

  const update = (agent: AgentRecord, change: (agent: AgentRecord) => void) => {
    change(agent);
    store.changed();
    schedules.sync(agent.agent_id);
    return { success: true };
  };

  router.get('/v1/schedules', (ctx) => {
    ctx.body = {
      schedules: store
        .agentsOf(ctx.state.userId)
        .flatMap((a) =>
          a.schedule ? [{ agent_id: a.agent_id, cron: a.schedule.cron, paused: a.schedule.paused }] : [],
        ),
    };
  });

  router.get(SCHEDULE, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    ctx.body = {
      schedule: agent.schedule ? { cron: agent.schedule.cron, paused: agent.schedule.paused } : null,
    };
  });

  router.put(SCHEDULE, async (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const cron = validCron((await parseBody(ctx, setBody)).cron);
    if (agent.deployment_state !== 'deployed')
      throw failedPrecondition(`agent ${agent.agent_id} is not deployed`);
    ctx.body = update(agent, (a) => (a.schedule = { cron, paused: false }));
  });

  router.delete(SCHEDULE, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    requireSchedule(agent);
    ctx.body = update(agent, (a) => delete a.schedule);
  });

  router.post(`${SCHEDULE}/pause`, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const schedule = requireSchedule(agent);
    ctx.body = update(agent, () => (schedule.paused = true));
  });

  router.post(`${SCHEDULE}/resume`, (ctx) => {
    const agent = store.requireAgent(ctx.state.userId, param(ctx, 'agentId'));
    const schedule = requireSchedule(agent);
    ctx.body = update(agent, () => (schedule.paused = false));
  });
}
