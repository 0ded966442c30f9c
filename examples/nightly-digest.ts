// Example 1 — a sequence with retries and templates. A collector agent gathers the day's changes (flaky, so it
// is retried on a `fail` outcome or a failed run), a writer turns the collector's output into a digest, and a
// publisher posts it to the channel named in the input. Each message quotes the step before it.
import { z } from 'zod';
import { definePipeline, type PipelineRegistration } from '../index.js';
import { agentRoles } from './agents.js';

export function nightlyDigest(env: NodeJS.ProcessEnv = process.env): PipelineRegistration {
  const agents = agentRoles(['collector', 'writer', 'publisher'], env);
  const definition = definePipeline({
    name: 'nightly-digest',
    description: 'collect → write → publish, retrying the collector',
    steps: [
      {
        id: 'collect',
        kind: 'agent',
        agent: agents.refs.collector,
        message: 'List what changed in {{input.repo}} since yesterday.',
        retry: {
          maximumAttempts: 3,
          initialInterval: '2 seconds',
          backoffCoefficient: 2,
          maximumInterval: '1 minute',
        },
        failOn: ['fail', 'failed'],
        timeout: '30 minutes',
      },
      {
        id: 'write',
        kind: 'agent',
        agent: agents.refs.writer,
        after: ['collect'],
        message:
          'Write a short digest of these changes (run {{steps.collect.runId}}):\n{{steps.collect.output}}',
      },
      {
        id: 'publish',
        kind: 'agent',
        agent: agents.refs.publisher,
        after: ['write'],
        message: 'Post to {{input.channel}}:\n{{steps.write.output}}',
      },
    ],
  });
  const inputSchema = z.object({
    repo: z.string().min(1),
    channel: z.string().min(1).default('#engineering'),
    ...agents.inputShape,
  });
  return { definition, inputSchema };
}
