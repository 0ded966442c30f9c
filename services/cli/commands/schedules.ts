// Schedule commands for an agent's Twin cron. Twin's cron has 7 fields (sec min hour day month day-of-week
// year); a 5-field Unix cron pasted by habit would mean something else entirely, so every expression is
// checked locally first and explained back in words with its next fire times, before and after setting it.
import type { Command } from 'commander';
import { describeTwinCron, validateTwinCron } from '../../../providers/twin/vocabulary/cron.js';
import type { CliContext } from '../context.js';
import { usageError } from '../errors.js';

const NEXT_FIRES = 3;
const FORMAT_HINT =
  'Twin crons have 7 fields: sec min hour day-of-month month day-of-week year, e.g. "0 0 9 * * MON-FRI *" (09:00 UTC on weekdays)';

export interface ExplainedCron {
  cron: string;
  description: string;
  next: string[];
}

export function explainCron(cron: string): ExplainedCron {
  const check = validateTwinCron(cron, new Date(), NEXT_FIRES);
  if (!check.ok) throw usageError(`invalid cron "${cron}": ${check.error}`, FORMAT_HINT);
  return {
    cron,
    description: `${describeTwinCron(cron)} (UTC)`,
    next: check.next.map((d) => d.toISOString()),
  };
}

const explained = (e: ExplainedCron) => [
  `  ${e.cron}`,
  `  ${e.description}`,
  `  next: ${e.next.length > 0 ? e.next.join(', ') : 'none while paused (`twinflow schedules resume` restarts it)'}`,
];

export function registerScheduleCommands(program: Command, ctx: () => CliContext): void {
  const schedules = program.command('schedules').description("manage an agent's Twin cron schedule");

  schedules
    .command('get')
    .argument('<agent>', 'Twin agent ID')
    .description("show the agent's schedule, explained")
    .action(async (agent: string) => {
      const c = ctx();
      const { schedule } = await (await c.twin()).client.getSchedule(agent);
      if (!schedule) {
        c.out.result({ agent, schedule: null }, () => `agent ${agent} has no schedule`);
        return;
      }
      const valid = validateTwinCron(schedule.cron).ok ? explainCron(schedule.cron) : undefined;
      // A paused schedule fires at none of the times its cron names until it is resumed.
      const explanation = valid && schedule.paused ? { ...valid, next: [] } : valid;
      c.out.result({ agent, schedule, explanation }, () => [
        `agent ${agent}: ${schedule.paused ? 'paused' : 'active'}`,
        ...(explanation
          ? explained(explanation)
          : [`  ${schedule.cron}  (not an expression twinflow can explain)`]),
      ]);
    });

  schedules
    .command('set')
    .argument('<agent>', 'Twin agent ID')
    .argument('<cron...>', '7-field cron; quote it, or give the fields as separate words')
    .description('create or replace the schedule (the agent must be deployed)')
    .action(async (agent: string, words: string[]) => {
      const c = ctx();
      const explanation = explainCron(words.join(' ').trim());
      await (await c.twin()).client.setSchedule(agent, explanation.cron);
      c.out.result({ agent, ...explanation }, () => [`schedule of ${agent} set:`, ...explained(explanation)]);
    });

  const simple = (name: 'pause' | 'resume' | 'delete', description: string, done: string) =>
    schedules
      .command(name)
      .argument('<agent>', 'Twin agent ID')
      .description(description)
      .action(async (agent: string) => {
        const c = ctx();
        const { client } = await c.twin();
        const call = {
          pause: client.pauseSchedule,
          resume: client.resumeSchedule,
          delete: client.deleteSchedule,
        }[name];
        await call(agent);
        c.out.result(
          { agent, [name === 'delete' ? 'deleted' : `${name}d`]: true },
          () => `schedule of ${agent} ${done}`,
        );
      });
  simple('pause', 'pause the schedule (it is kept)', 'paused');
  simple('resume', 'resume a paused schedule', 'resumed');
  simple('delete', 'remove the schedule', 'deleted');
}
