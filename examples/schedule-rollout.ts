// Example 3 — changing an agent's standing orders safely: new instructions, a dry run, a human approval, then a
// weekday-morning Twin schedule. If the dry run fails, a compensation step puts the old instructions back; if
// nobody approves within a day, the schedule is left alone. A short wait lets the first change settle.
import { z } from 'zod';
import { definePipeline, type PipelineRegistration } from '../index.js';
import { agentRoles } from './agents.js';

/** Twin's 7-field cron: sec min hour day-of-month month day-of-week year — 09:00 UTC, Monday to Friday. */
export const WEEKDAY_MORNINGS = '0 0 9 * * MON-FRI *';

export function scheduleRollout(env: NodeJS.ProcessEnv = process.env): PipelineRegistration {
  const agents = agentRoles(['worker'], env);
  const definition = definePipeline({
    name: 'schedule-rollout',
    description: 'instructions → dry run → approval → schedule',
    steps: [
      { id: 'instruct', kind: 'instructions', agent: agents.refs.worker, content: '{{input.instructions}}' },
      { id: 'settle', kind: 'wait', after: ['instruct'], duration: '1 second' },
      {
        id: 'dry-run',
        kind: 'agent',
        agent: agents.refs.worker,
        after: ['settle'],
        message: 'Dry run with your new instructions; change nothing.',
        failOn: ['fail', 'failed', 'stopped'],
        timeout: '1 hour',
        onFailure: { compensate: 'restore' },
      },
      {
        id: 'restore',
        kind: 'instructions',
        agent: agents.refs.worker,
        content: '{{input.previousInstructions}}',
      },
      {
        id: 'approve',
        kind: 'approval',
        after: ['dry-run'],
        prompt:
          'Schedule {{pipeline.name}} weekday mornings? Dry run {{steps.dry-run.runId}}: {{steps.dry-run.output}}',
        timeout: '24 hours',
        onTimeout: 'reject',
      },
      {
        id: 'schedule',
        kind: 'reschedule',
        agent: agents.refs.worker,
        after: ['approve'],
        action: 'set',
        cron: WEEKDAY_MORNINGS,
      },
    ],
  });
  const inputSchema = z.object({
    instructions: z.string().min(1),
    previousInstructions: z.string().min(1),
    ...agents.inputShape,
  });
  return { definition, inputSchema };
}
