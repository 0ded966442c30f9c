// Example 2 — fan-out, fan-in and a condition. Lint and tests run in parallel; a fixer runs only if either of
// them ended with outcome `fail`, and gets both outputs; the report waits for all three (a skipped fixer does
// not block it). Optionally triggered: when TWINFLOW_TRIGGER_AGENT (say, a deploy agent run on a Twin
// schedule) completes with outcome `success`, this pipeline starts once for that run.
import { z } from 'zod';
import { definePipeline, type PipelineRegistration, type PipelineTrigger } from '../index.js';
import { agentRoles } from './agents.js';

export function checkAndFix(env: NodeJS.ProcessEnv = process.env): PipelineRegistration {
  const agents = agentRoles(['linter', 'tester', 'fixer', 'reporter'], env);
  const triggerAgent = env.TWINFLOW_TRIGGER_AGENT?.trim();
  const triggers: PipelineTrigger[] = triggerAgent
    ? [
        {
          event: 'run.completed',
          agent: triggerAgent,
          outcome: 'success',
          input: { repo: 'triggered by run {{event.runId}}' },
        },
      ]
    : [];
  const definition = definePipeline({
    name: 'check-and-fix',
    description: 'lint ∥ test → fix if either failed → report',
    triggers,
    steps: [
      { id: 'lint', kind: 'agent', agent: agents.refs.linter, message: 'Lint {{input.repo}}.' },
      { id: 'test', kind: 'agent', agent: agents.refs.tester, message: 'Run the tests of {{input.repo}}.' },
      {
        id: 'fix',
        kind: 'agent',
        agent: agents.refs.fixer,
        after: ['lint', 'test'],
        when: {
          any: [
            { step: 'lint', outcome: 'fail' },
            { step: 'test', outcome: 'fail' },
          ],
        },
        message:
          'Fix {{input.repo}}.\nLint ({{steps.lint.outcome}}): {{steps.lint.output}}\nTests ({{steps.test.outcome}}): {{steps.test.output}}',
        retry: { maximumAttempts: 2, initialInterval: '5 seconds' },
      },
      {
        id: 'report',
        kind: 'agent',
        agent: agents.refs.reporter,
        after: ['lint', 'test', 'fix'],
        message:
          'Report on {{input.repo}}: lint {{steps.lint.outcome}}, tests {{steps.test.outcome}}, fix {{steps.fix.status}} {{steps.fix.output ?? "(no fix ran)"}}',
      },
    ],
  });
  const inputSchema = z.object({ repo: z.string().min(1), ...agents.inputShape });
  return { definition, inputSchema };
}
