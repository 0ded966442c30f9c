import { describe, it, expect } from 'vitest';
import { examplePipelines } from '../../examples/index.js';
import { loadProject } from '../../services/project/load.js';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';
import {
  CodePipelineError,
  createPipelineRegistry,
  InvalidPipelineInputError,
  UnknownPipelineError,
} from '../../services/pipelines/registry.js';
import { definePipeline } from '../../workflows/pipeline-definition.js';
import { PipelineDefinitionError } from '../../workflows/pipeline-validation.js';

const tiny = definePipeline({ name: 'tiny', steps: [{ id: 'only', kind: 'agent', agent: 'agent_1' }] });

describe('the pipeline registry', () => {
  it('registers the examples by name', () => {
    const registry = createPipelineRegistry(examplePipelines({}));
    expect(registry.list().map((p) => p.name)).toEqual([
      'nightly-digest',
      'check-and-fix',
      'schedule-rollout',
      'research-report',
      'support-escalation',
    ]);
  });

  it('fails at load with an error naming the pipeline and the step of a bad cron', () => {
    const bad = definePipeline({
      name: 'bad-cron',
      steps: [{ id: 'reschedule', kind: 'reschedule', agent: 'a', action: 'set', cron: '0 9 * * MON' }],
    });
    expect(() => createPipelineRegistry([tiny, bad])).toThrow(PipelineDefinitionError);
    expect(() => createPipelineRegistry([tiny, bad])).toThrow(
      /pipeline "bad-cron"[\s\S]*step "reschedule": cron "0 9 \* \* MON" is invalid/,
    );
  });

  it('refuses a cron that never fires again', () => {
    const past = definePipeline({
      name: 'past',
      steps: [{ id: 'once', kind: 'reschedule', agent: 'a', action: 'set', cron: '0 0 9 1 JAN * 2020' }],
    });
    expect(() => createPipelineRegistry([past])).toThrow(/step "once": cron .* never fires/);
  });

  it('refuses two pipelines with one name', () => {
    expect(() => createPipelineRegistry([tiny, tiny])).toThrow(/pipeline "tiny"[\s\S]*registered twice/);
  });

  it('throws UnknownPipelineError for a name it does not know', () => {
    expect(() => createPipelineRegistry([tiny]).require('nope')).toThrow(UnknownPipelineError);
  });

  it('checks input against the pipeline’s schema and lists every problem', () => {
    const digest = createPipelineRegistry(examplePipelines({})).require('nightly-digest');
    expect(() => digest.parseInput({ channel: 5 })).toThrow(InvalidPipelineInputError);
    expect(() => digest.parseInput({ channel: 5 })).toThrow(/repo: .*; channel: .*; agents: /);
  });

  it('accepts any JSON object for a pipeline without a schema', () => {
    expect(
      createPipelineRegistry([tiny])
        .require('tiny')
        .parseInput({ anything: [1, 'two'] }),
    ).toEqual({ anything: [1, 'two'] });
  });

  it('refuses input that is not a JSON object', () => {
    expect(() => createPipelineRegistry([tiny]).require('tiny').parseInput([1, 2])).toThrow(
      InvalidPipelineInputError,
    );
  });
});

describe('example agent IDs', () => {
  it('come from the input when the environment does not name them', () => {
    const digest = createPipelineRegistry(examplePipelines({})).requireDeclared('nightly-digest');
    expect(digest.definition.steps[0]).toMatchObject({ agent: '{{input.agents.collector}}' });
  });

  it('come from TWINFLOW_AGENT_<ROLE> when set, and the input no longer needs them', () => {
    const env = {
      TWINFLOW_AGENT_COLLECTOR: 'agent_c',
      TWINFLOW_AGENT_WRITER: 'agent_w',
      TWINFLOW_AGENT_PUBLISHER: 'agent_p',
    };
    const digest = createPipelineRegistry(examplePipelines(env)).requireDeclared('nightly-digest');
    expect(digest.definition.steps.map((s) => ('agent' in s ? s.agent : undefined))).toEqual([
      'agent_c',
      'agent_w',
      'agent_p',
    ]);
    expect(digest.parseInput({ repo: 'acme/api' })).toEqual({ repo: 'acme/api', channel: '#engineering' });
  });
});

describe('triggers in the registry', () => {
  it('find the pipelines a terminal run starts', () => {
    const registry = createPipelineRegistry(examplePipelines({ TWINFLOW_TRIGGER_AGENT: 'agent_deploy' }));
    const matches = registry.triggeredBy({
      agentId: 'agent_deploy',
      status: 'completed',
      outcome: 'success',
    });
    expect(matches.map((m) => m.pipeline.name)).toEqual(['check-and-fix']);
  });

  it('find none for another agent', () => {
    const registry = createPipelineRegistry(examplePipelines({ TWINFLOW_TRIGGER_AGENT: 'agent_deploy' }));
    expect(registry.triggeredBy({ agentId: 'agent_other', status: 'completed', outcome: 'success' })).toEqual(
      [],
    );
  });
});

/** This repository's own project, as every process started in it loads it. */
async function loadRegisteredPipelines(env: NodeJS.ProcessEnv) {
  return (await loadProject({ cwd: PROJECT_ROOT, env })).registry;
}

describe('pipelines written as code', () => {
  it('are registered next to the declared ones, by workflow type', async () => {
    const registry = await loadRegisteredPipelines({});
    expect(registry.require('check-then-fix-code')).toMatchObject({
      kind: 'code',
      workflowType: 'checkThenFixWorkflow',
    });
    expect(registry.list().map((p) => p.kind)).toEqual([
      'declared',
      'declared',
      'declared',
      'declared',
      'declared',
      'code',
    ]);
  });

  it('have no declared steps to draw', async () => {
    const registry = await loadRegisteredPipelines({});
    expect(() => registry.requireDeclared('check-then-fix-code')).toThrow(CodePipelineError);
  });

  it('check their input, taking agents from TWINFLOW_AGENT_<ROLE> when set', async () => {
    const bare = (await loadRegisteredPipelines({})).require('check-then-fix-code');
    expect(() => bare.parseInput({ repo: 'acme/shop' })).toThrow(/agents: /);
    const env = { TWINFLOW_AGENT_CHECKER: 'agent_c', TWINFLOW_AGENT_FIXER: 'agent_f' };
    const fixed = (await loadRegisteredPipelines(env)).require('check-then-fix-code');
    expect(fixed.parseInput({ repo: 'r' })).toEqual({
      repo: 'r',
      agents: { checker: 'agent_c', fixer: 'agent_f' },
    });
  });

  it('refuse a name that cannot be part of a workflow ID', () => {
    expect(() => createPipelineRegistry([{ name: 'Bad Name', workflowType: 'w' }])).toThrow(
      PipelineDefinitionError,
    );
  });
});

describe('input schemas', () => {
  it('are JSON Schema on the input side: fields with defaults are optional', () => {
    const digest = createPipelineRegistry(examplePipelines({})).require('nightly-digest');
    expect(digest.inputJsonSchema()).toMatchObject({ type: 'object', required: ['repo', 'agents'] });
  });
});
