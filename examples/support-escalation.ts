// Example 5 — three platforms in one pipeline. A Twin agent drafts the answer to a customer, Twin.ai is asked
// whether policy allows it, an unsure answer (Twin.ai escalates, or its confidence is below 0.7) goes to a
// person, and once the person approves, the escalation is resolved on Twin.ai and the answer is kept in the Twig
// knowledge base for next time. A confident answer skips the person and the bookkeeping.
import { z } from 'zod';
import { definePipeline, type PipelineRegistration } from '../index.js';
import { agentRoles } from './agents.js';

const UNSURE = {
  any: [
    { step: 'policy', shouldEscalate: true },
    { step: 'policy', confidence: { below: 0.7 } },
  ],
};

export function supportEscalation(env: NodeJS.ProcessEnv = process.env): PipelineRegistration {
  const agents = agentRoles(['support'], env);
  const definition = definePipeline({
    name: 'support-escalation',
    description:
      'Twin drafts → Twin.ai checks policy → a person if unsure → resolve on Twin.ai, keep in Twig',
    steps: [
      {
        id: 'draft',
        kind: 'agent',
        agent: agents.refs.support,
        message: 'Draft a reply to this customer ({{input.customer}}):\n{{input.message}}',
      },
      {
        id: 'policy',
        kind: 'twinai.ask',
        after: ['draft'],
        message: 'Does our policy allow this reply? {{steps.draft.output}}',
        context: 'The customer wrote: {{input.message}}',
        askedBy: 'support-escalation',
      },
      {
        id: 'review',
        kind: 'approval',
        after: ['policy'],
        when: UNSURE,
        prompt:
          'Twin.ai is unsure (confidence {{steps.policy.confidence}}: {{steps.policy.escalateReason ?? "no reason given"}}). Send this reply?\n{{steps.draft.output}}',
        timeout: '24 hours',
        onTimeout: 'reject',
      },
      {
        id: 'resolve',
        kind: 'twinai.resolveEscalation',
        after: ['review'],
        when: { all: [UNSURE, { step: 'review', status: 'succeeded' }] },
        escalationId: '{{steps.policy.escalationId}}',
        resolution: 'Approved by {{steps.review.decidedBy}}',
      },
      {
        id: 'remember',
        kind: 'twig.kb',
        after: ['resolve'],
        when: { step: 'resolve', status: 'succeeded' },
        action: 'create',
        title: 'Approved reply: {{input.subject}}',
        content:
          '{{steps.draft.output}}\n\nApproved by {{steps.review.decidedBy}} after Twin.ai escalated it.',
      },
    ],
  });
  const inputSchema = z.object({
    customer: z.string().min(1).default('a customer'),
    subject: z.string().min(1),
    message: z.string().min(1),
    ...agents.inputShape,
  });
  return { definition, inputSchema };
}
