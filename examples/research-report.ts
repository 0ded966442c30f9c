// Example 4 — two platforms in one pipeline. A research session on the managed-agent platform looks into a
// topic (its events stream live into `twinflow run --wait`), a second turn in the same session asks it to keep
// the three main findings as JSON, and a Twin agent turns those findings into a report. The session steps'
// results (output, sessionId, eventCount) are addressable like any step's.
import { z } from 'zod';
import { definePipeline, type PipelineRegistration } from '../index.js';
import { agentRoles } from './agents.js';

export function researchReport(env: NodeJS.ProcessEnv = process.env): PipelineRegistration {
  const agents = agentRoles(['researcher', 'analyst'], env);
  const definition = definePipeline({
    name: 'research-report',
    description: 'research session → follow-up turn → Twin report',
    steps: [
      {
        id: 'research',
        kind: 'session',
        agent: agents.refs.researcher,
        message: 'Research {{input.topic}}: read widely and summarise the main themes.',
        timeout: '30 minutes',
      },
      {
        id: 'findings',
        kind: 'session',
        continues: 'research',
        after: ['research'],
        message: 'Keep the three most important findings, as JSON {"findings": [...]}.',
        timeout: '10 minutes',
      },
      {
        id: 'report',
        kind: 'agent',
        agent: agents.refs.analyst,
        after: ['findings'],
        message:
          'Write a one-page report on {{input.topic}} for {{input.audience}} from these findings ' +
          '(session {{steps.research.sessionId}}, {{steps.findings.eventCount}} events):\n{{steps.findings.output}}',
      },
    ],
  });
  const inputSchema = z.object({
    topic: z.string().min(1),
    audience: z.string().min(1).default('the engineering team'),
    ...agents.inputShape,
  });
  return { definition, inputSchema };
}
