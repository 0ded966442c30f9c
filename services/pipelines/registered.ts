// The pipelines this deployment runs: the worker, the receiver's control API and the CLI all load this one
// list, so a trigger, a `twinflow pipelines` listing and a control-API start can never disagree. Add your
// own definitions here next to the examples, and pipelines written as workflow code (exported from
// workflows/index.ts) by their workflow type.
import { z } from 'zod';
import { examplePipelines } from '../../examples/index.js';
import { CODE_FIRST_PIPELINE, checkThenFixWorkflow } from '../../examples/code-first.js';
import { agentEnvVar } from '../../examples/agents.js';
import { createPipelineRegistry, type CodePipelineRegistration, type PipelineRegistry } from './registry.js';

export function loadRegisteredPipelines(env: NodeJS.ProcessEnv = process.env): PipelineRegistry {
  return createPipelineRegistry([...examplePipelines(env), codeFirstExample(env)]);
}

/**
 * examples/code-first.ts reads `input.agents.{checker,fixer}` itself, so the environment's
 * TWINFLOW_AGENT_<ROLE> (the demo agents, locally) become defaults of the input rather than templates.
 */
export function codeFirstExample(env: NodeJS.ProcessEnv): CodePipelineRegistration {
  const fixed = (name: string) => env[agentEnvVar(name)]?.trim();
  const role = (name: string) => {
    const agent = fixed(name);
    return agent ? z.string().min(1).default(agent) : z.string().min(1);
  };
  const agents = z.object({ checker: role('checker'), fixer: role('fixer') });
  return {
    name: CODE_FIRST_PIPELINE,
    workflowType: checkThenFixWorkflow.name,
    description: 'check → fix if the check failed (a plain workflow function)',
    inputSchema: z.object({
      repo: z.string().min(1),
      // Optional only when the environment names both agents.
      agents:
        fixed('checker') && fixed('fixer')
          ? agents.prefault({ checker: undefined, fixer: undefined })
          : agents,
    }),
  };
}
