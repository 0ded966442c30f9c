// Finds and loads a project's twinflow.config.ts. Every process (worker, receiver, CLI, dev stack) loads the
// same file the same way, so a trigger, a `twinflow pipelines` listing and a control-API start can never
// disagree. Every process runs under tsx, so the config and the pipelines it imports may be TypeScript.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { createPipelineRegistry, type PipelineRegistry } from '../pipelines/registry.js';
import { ConfigError } from '../shared/config.js';
import { zodIssueLines } from '../shared/zod-issues.js';
import { PipelineDefinitionError } from '../../workflows/pipeline-validation.js';
import { PROVIDERS, type ConfigExport, type ProjectPipeline, type TwinflowConfig } from './config.js';
import { sourceOf } from './pipeline-source.js';

/** Looked for in this order in the project folder. */
export const CONFIG_FILE_NAMES = [
  'twinflow.config.ts',
  'twinflow.config.mts',
  'twinflow.config.js',
  'twinflow.config.mjs',
];

/** Names the config file to load from anywhere; relative to the working directory. */
export const CONFIG_ENV_VAR = 'TWINFLOW_CONFIG';

/**
 * The project cannot be loaded: no config, a config of the wrong shape, or a pipeline that does not validate.
 * A configuration error like a bad variable: no restart cures it, so processes exit with EXIT_CONFIG.
 */
export class ProjectError extends ConfigError {
  override name = 'ProjectError';
  constructor(message: string, options?: ErrorOptions) {
    super([message]);
    this.message = message;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export interface Project {
  /** Absolute path of the config file. */
  file: string;
  /** The folder the config file is in: the project's root. */
  dir: string;
  config: TwinflowConfig;
  registry: PipelineRegistry;
  /** Absolute path of the code-first workflows module, when the config names one. */
  workflowsPath?: string;
}

const pipelineEntry = z.custom<ProjectPipeline>(
  (value) => typeof value === 'object' && value !== null && ('name' in value || 'definition' in value),
  'must be a pipeline: definePipeline({...}), { definition, inputSchema } or { name, workflowType }',
);

const configSchema = z.strictObject({
  pipelines: z.array(pipelineEntry),
  workflows: z.string().min(1).optional(),
  taskQueue: z.string().min(1).optional(),
  agentConcurrency: z.number().int().positive().optional(),
  twinBaseUrl: z.url().optional(),
  providers: z.array(z.enum(PROVIDERS)).optional(),
});

/** The config file this process should load; throws ProjectError saying where it looked. */
export function findConfigFile(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  const named = env[CONFIG_ENV_VAR]?.trim();
  if (named) {
    const file = path.resolve(cwd, named);
    if (!existsSync(file)) throw new ProjectError(`${CONFIG_ENV_VAR} names ${file}, which does not exist`);
    return file;
  }
  const found = CONFIG_FILE_NAMES.map((name) => path.join(cwd, name)).find((file) => existsSync(file));
  if (!found) {
    throw new ProjectError(
      `no twinflow.config.ts in ${cwd}: run \`npx twinflow init\` to create a project here, ` +
        `or set ${CONFIG_ENV_VAR} to the config file`,
    );
  }
  return found;
}

/**
 * Loads the project whose config `findConfigFile` finds. The config's function form gets `env`, so the CLI can
 * hand it the local stack's demo agents. Throws ProjectError naming the file (and the step) that is wrong.
 */
export async function loadProject(
  options: { cwd?: string; env?: NodeJS.ProcessEnv; file?: string } = {},
): Promise<Project> {
  const env = options.env ?? process.env;
  const file = options.file ?? findConfigFile(options.cwd, env);
  const dir = path.dirname(file);
  const exported = await importConfig(file);
  const built = typeof exported === 'function' ? exported({ env }) : exported;
  const parsed = configSchema.safeParse(built);
  if (!parsed.success) {
    const problems = zodIssueLines(parsed.error, { root: 'config' });
    throw new ProjectError(`${relative(file)}: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  const workflowsPath = config.workflows ? path.resolve(dir, config.workflows) : undefined;
  if (workflowsPath && !existsSync(workflowsPath)) {
    throw new ProjectError(`${relative(file)}: workflows names ${workflowsPath}, which does not exist`);
  }
  return { file, dir, config, registry: registryOf(file, config.pipelines), workflowsPath };
}

/** Folders never searched for sources: dependencies, tool state and anything hidden. */
const NOT_SOURCES = new Set(['node_modules', 'dist', 'coverage', 'reports']);

/**
 * What the project's processes load: the config file and every top-level source folder of the project (so
 * pipelines may live anywhere in it). Dependencies and hidden folders (.git, .twinflow, .data) are left out:
 * watching node_modules recursively costs thousands of watches and never holds the user's pipelines.
 */
export function projectSources(project: Pick<Project, 'file' | 'dir'>): string[] {
  const folders = readdirSync(project.dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !NOT_SOURCES.has(entry.name))
    .map((entry) => path.join(project.dir, entry.name));
  return [project.file, ...folders];
}

async function importConfig(file: string): Promise<ConfigExport> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new ProjectError(`${relative(file)} could not be loaded: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (module.default === undefined) {
    throw new ProjectError(
      `${relative(file)} has no default export: write \`export default defineConfig({...})\``,
    );
  }
  return module.default as ConfigExport;
}

/** The registry of the config's pipelines; a definition that does not validate is reported at its own file. */
function registryOf(file: string, pipelines: ProjectPipeline[]): PipelineRegistry {
  try {
    return createPipelineRegistry(pipelines);
  } catch (error) {
    if (!(error instanceof PipelineDefinitionError)) throw error;
    const declared = pipelines.find((p) => nameOf(p) === error.pipeline);
    const definition =
      declared &&
      ('steps' in declared ? declared : 'definition' in declared ? declared.definition : undefined);
    const where = relative((definition && sourceOf(definition)) ?? file);
    const problems = error.problems.map((p) => `${where}: ${p.step ? `step "${p.step}": ` : ''}${p.message}`);
    throw new ProjectError(
      `pipeline "${error.pipeline}" is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      {
        cause: error,
      },
    );
  }
}

function nameOf(pipeline: ProjectPipeline): string {
  return 'definition' in pipeline ? pipeline.definition.name : pipeline.name;
}

function relative(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
