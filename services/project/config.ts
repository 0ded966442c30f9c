// What a project's twinflow.config.ts declares: its pipelines, where its code-first workflows live, and the
// project's defaults for settings the environment may still override. Pure (no Node built-ins), because the
// public entry re-exports defineConfig and a user's workflow code imports that entry inside Temporal's bundle.
import type { CodePipelineRegistration, PipelineRegistration } from '../pipelines/registry.js';
import type { PipelineDefinition } from '../../workflows/pipeline-definition.js';

/** The agent platforms twinflow drives; each is a provider on one seam. */
export const PROVIDERS = ['twin'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** One pipeline of a project: a definition, a definition with an input schema, or one written as code. */
export type ProjectPipeline = PipelineDefinition | PipelineRegistration | CodePipelineRegistration;

export interface TwinflowConfig {
  /** Every pipeline the worker, the receiver's control API and the CLI of this project know. */
  pipelines: ProjectPipeline[];
  /**
   * The module, relative to the config file, exporting the workflow functions of code-first pipelines; the
   * worker bundles it beside twinflow's own workflows. Each is registered in `pipelines` by its `workflowType`.
   */
  workflows?: string;
  /** Default of TEMPORAL_TASK_QUEUE. */
  taskQueue?: string;
  /** Default of AGENT_CONCURRENCY_DEFAULT: Twin runs at once per agent, across every worker. */
  agentConcurrency?: number;
  /** Default of TWIN_API_BASE_URL. */
  twinBaseUrl?: string;
  /** The platforms this project's pipelines use; `twin` when absent. */
  providers?: Provider[];
}

/** What the config may read when it is built: the environment of the process loading it. */
export interface ConfigContext {
  env: NodeJS.ProcessEnv;
}

export type ConfigExport = TwinflowConfig | ((context: ConfigContext) => TwinflowConfig);

/**
 * Typed identity for editors: `export default defineConfig({...})` in twinflow.config.ts. A function form is
 * called with the loading process's environment, for pipelines whose agents come from variables.
 */
export function defineConfig<C extends ConfigExport>(config: C): C {
  return config;
}

/** Environment variables a project's settings stand in for; the environment wins where both are set. */
export function configDefaults(config: TwinflowConfig): Record<string, string> {
  const defaults: Record<string, string | undefined> = {
    TEMPORAL_TASK_QUEUE: config.taskQueue,
    AGENT_CONCURRENCY_DEFAULT: config.agentConcurrency?.toString(),
    TWIN_API_BASE_URL: config.twinBaseUrl,
  };
  return Object.fromEntries(
    Object.entries(defaults).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * The variable naming the agent of a role, TWINFLOW_AGENT_<ROLE> (e.g. TWINFLOW_AGENT_CHECKER). The local
 * stack sets one per demo agent; a config's function form may read them to fix its agents.
 */
export function agentEnvVar(role: string): string {
  return `TWINFLOW_AGENT_${role.toUpperCase().replaceAll('-', '_')}`;
}

/** TWINFLOW_AGENT_<ROLE> for each role's agent, without overriding what the environment already sets. */
export function roleAgentEnv(
  agents: readonly { role: string; agentId: string }[],
  env: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const defaults: NodeJS.ProcessEnv = {};
  for (const { role, agentId } of agents) {
    const name = agentEnvVar(role);
    if (!env[name]) defaults[name] = agentId;
  }
  return defaults;
}
