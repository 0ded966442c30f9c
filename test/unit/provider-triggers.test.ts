// Provider (Twin.ai, Twig) webhook triggers: what a definition may say is checked at load, naming the pipeline; a
// Twin run never fires one; the event lists agree with the verifiers'; and the event key and input are built as
// docs/webhooks.md says.
import { describe, expect, it } from 'vitest';
import { providerEventFields } from '../../activities/provider-triggers.js';
import { mappedTriggerInput } from '../../activities/triggers.js';
import { TWIG_WEBHOOK_EVENTS } from '../../providers/twig/index.js';
import { TWIN_AI_WEBHOOK_EVENTS } from '../../providers/twin-ai/index.js';
import { createPipelineRegistry } from '../../services/pipelines/registry.js';
import { eventKeyOf } from '../../services/receiver/provider-routes.js';
import type { PipelineDefinition, PipelineTrigger } from '../../workflows/pipeline-definition.js';
import { triggerMatches } from '../../workflows/pipeline-scheduling.js';
import { findDefinitionProblems, PipelineDefinitionError } from '../../workflows/pipeline-validation.js';
import { PROVIDER_EVENTS } from '../../workflows/provider-event-api.js';

function withTrigger(trigger: unknown): PipelineDefinition {
  return {
    name: 'on-webhook',
    triggers: [trigger as PipelineTrigger],
    steps: [{ id: 'pause', kind: 'wait', duration: '1 second' }],
  };
}

const messages = (trigger: unknown) => findDefinitionProblems(withTrigger(trigger)).map((p) => p.message);

describe('provider trigger validation', () => {
  it('accepts the documented Twin.ai and Twig triggers next to a Twin one', () => {
    const definition = withTrigger({
      provider: 'twin-ai',
      event: 'escalation.created',
      input: { question: '{{event.question}}', escalationId: '{{event.escalationId}}' },
    });
    definition.triggers?.push(
      { provider: 'twig', event: 'data_source.synced', input: { source: '{{event.data.data_source_id}}' } },
      { event: 'run.completed', agent: 'agent_x', input: { run: '{{event.runId}}' } },
    );
    expect(findDefinitionProblems(definition)).toEqual([]);
  });

  it('refuses an unknown provider, and an event the provider does not send', () => {
    expect(messages({ provider: 'twni-ai', event: 'escalation.created' })).toEqual([
      'trigger 1: provider "twni-ai" is not one of twin-ai, twig',
    ]);
    expect(messages({ provider: 'twin-ai', event: 'run.completed' })).toEqual([
      'trigger 1: event "run.completed" is not one of twin-ai\'s: escalation.created',
    ]);
    expect(messages({ provider: 'twig', event: 'escalation.created' })).toEqual([
      'trigger 1: event "escalation.created" is not one of twig\'s: interaction.completed, data_source.synced, agent.updated, eval.completed',
    ]);
  });

  it('refuses fields a provider trigger does not have, suggesting near misses', () => {
    expect(messages({ provider: 'twig', event: 'agent.updated', agent: 'a', inptu: {} })).toEqual([
      'trigger 1: unknown field "agent"',
      'trigger 1: unknown field "inptu" (did you mean "input"?)',
    ]);
  });

  it('lets the input read only the payload: unknown fields, steps, input and deep paths are refused', () => {
    const twinAi = messages({
      provider: 'twin-ai',
      event: 'escalation.created',
      input: { a: '{{event.questoin}}', b: '{{steps.x.output}}', c: '{{event.question.text}}', d: '{{event' },
    });
    expect(twinAi).toHaveLength(4);
    expect(twinAi[0]).toMatch(
      /^trigger 1: input.a: "\{\{event.questoin\}\}" — trigger input reads event.<provider\|eventKey\|event\|escalationId\|question/,
    );
    expect(twinAi[3]).toMatch(/^trigger 1: input.d: /);
    const twig = messages({
      provider: 'twig',
      event: 'eval.completed',
      input: { ok: '{{event.data.score}}', deep: '{{event.data.a.b}}', flat: '{{event.score}}' },
    });
    expect(twig).toEqual([
      expect.stringMatching(/^trigger 1: input.deep: .*\(and event.data.<field>\)$/),
      expect.stringMatching(/^trigger 1: input.flat: /),
    ]);
  });

  it('is a load-time error naming the pipeline', () => {
    expect(() => createPipelineRegistry([withTrigger({ provider: 'twig', event: 'nope' })])).toThrow(
      PipelineDefinitionError,
    );
    expect(() => createPipelineRegistry([withTrigger({ provider: 'twig', event: 'nope' })])).toThrow(
      /invalid pipeline "on-webhook"/,
    );
  });
});

describe('provider triggers', () => {
  it('name the events the verifiers accept', () => {
    expect(PROVIDER_EVENTS['twin-ai']).toEqual(TWIN_AI_WEBHOOK_EVENTS);
    expect(PROVIDER_EVENTS.twig).toEqual(TWIG_WEBHOOK_EVENTS);
  });

  it('never fire on a Twin run, whatever its agent', () => {
    const trigger: PipelineTrigger = { provider: 'twig', event: 'agent.updated' };
    expect(triggerMatches(trigger, { agentId: 'agent_x', status: 'completed', outcome: 'success' })).toBe(
      false,
    );
  });

  it('hand the pipeline the payload with provider and event key, which a payload field cannot override', () => {
    const event = providerEventFields({
      provider: 'twin-ai',
      event: 'escalation.created',
      eventKey: 'esc_1',
      payload: { event: 'escalation.created', escalationId: 'esc_1', question: 'why?', provider: 'forged' },
    });
    expect(mappedTriggerInput({ q: 'asked: {{event.question}}' }, event)).toEqual({
      q: 'asked: why?',
      trigger: {
        event: 'escalation.created',
        escalationId: 'esc_1',
        question: 'why?',
        provider: 'twin-ai',
        eventKey: 'esc_1',
      },
    });
  });

  it('key an event by its own ID when that is plain, else by a SHA-256', () => {
    const body = Buffer.from('{}');
    expect(eventKeyOf('esc_xyz789', body)).toBe('esc_xyz789');
    expect(eventKeyOf('esc/../other', body)).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(eventKeyOf('x'.repeat(129), body)).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(eventKeyOf(undefined, body)).toBe(
      'sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    );
  });
});
