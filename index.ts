/**
 * twinflow's public API: everything a project needs to declare pipelines, write code-first pipeline
 * workflows and configure itself. Anything not exported here is internal and may change without notice.
 *
 * Safe inside Temporal's workflow bundle: nothing here imports a Node built-in, so a code-first workflow may
 * `import { runAgent } from 'twinflow'`. The Node-side testing kit is `twinflow/testing`.
 *
 * @packageDocumentation
 */
import { definePipeline as checkedShape, type PipelineDefinition } from './workflows/pipeline-definition.js';
import { callerFile, rememberSource } from './services/project/pipeline-source.js';

/**
 * Declares a pipeline: steps (agent runs, waits, approvals, Twin schedule and instruction changes) with
 * `after` dependencies, `when` conditions, retries and timeouts. Checked when the project loads; an error
 * names this file and the step.
 */
export function definePipeline(definition: PipelineDefinition): PipelineDefinition {
  const declared = checkedShape(definition);
  rememberSource(declared, callerFile('index.ts'));
  return declared;
}

export type {
  AgentStep,
  ApprovalStep,
  PipelineDefinition,
  PipelineOptions,
  PipelineTrigger,
  StepDefinition,
  RetryPolicy,
  WaitStep,
} from './workflows/pipeline-definition.js';
export type { PipelineState } from './workflows/pipeline-api.js';

export { agentEnvVar, defineConfig } from './services/project/config.js';
export type { ConfigContext, Provider, ProjectPipeline, TwinflowConfig } from './services/project/config.js';
export type { CodePipelineRegistration, PipelineRegistration } from './services/pipelines/registry.js';

export { runAgent } from './providers/twin/workflows/run-agent.js';
export { isAgentRunTimeout, AGENT_RUN_TIMED_OUT } from './providers/twin/workflows/agent-run-api.js';
export type {
  AgentRetryPolicy,
  AgentRunResult,
  AgentRunTimeoutDetails,
  AttemptRecord,
  FailureKind,
  RunAgentOptions,
  RunStartedInfo,
} from './providers/twin/workflows/agent-run-api.js';

export { renderTemplate, TemplateSyntaxError, TemplateValueMissingError } from './workflows/templates.js';
export type { RenderOptions } from './workflows/templates.js';

export { createPipelineVisibility } from './workflows/pipeline-visibility.js';
export type { PipelineVisibility } from './workflows/pipeline-visibility.js';
export { PIPELINE_STATUSES } from './workflows/pipeline-api.js';
export type { PipelineStatus } from './workflows/pipeline-api.js';
