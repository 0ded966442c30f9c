// The example pipelines, as the worker and the control API register them. Agent IDs come from
// TWINFLOW_AGENT_<ROLE> when set, else from each run's input (`agents.<role>`).
import { z } from 'zod';
import { agentEnvVar, type CodePipelineRegistration, type PipelineRegistration } from '../index.js';
import { checkAndFix } from './check-and-fix.js';
import { CODE_FIRST_PIPELINE, checkThenFixWorkflow } from './code-first.js';
import { nightlyDigest } from './nightly-digest.js';
import { researchReport } from './research-report.js';
import { supportEscalation } from './support-escalation.js';
import { scheduleRollout } from './schedule-rollout.js';

export { CODE_FIRST_PIPELINE };

export function examplePipelines(env: NodeJS.ProcessEnv = process.env): PipelineRegistration[] {
  return [
    nightlyDigest(env),
    checkAndFix(env),
    scheduleRollout(env),
    researchReport(env),
    supportEscalation(env),
  ];
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
