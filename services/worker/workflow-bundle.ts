// Where the workflow code lives and how it is bundled. The bundle holds twinflow's own workflows plus the
// project's code-first ones (the module its config names under `workflows`). The worker bundles at start; the
// test suite and the benchmarks bundle once and hand the file to every worker they start, so none of them
// pays webpack's start-up more than once. The bundler reports only warnings and errors.
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
const PACKAGE_ROOT = path.resolve(path.dirname(WORKFLOWS_PATH), '..');

const warningsOnly = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/**
 * Temporal's bundler compiles `.ts` files outside node_modules only. An installed twinflow ships its workflows
 * as TypeScript inside node_modules, and a CommonJS project writes its ES modules as `.mts` (imported as
 * `.mjs`): compile both, but not the packages twinflow depends on.
 */
function compileTwinflowSources(config: WebpackConfig): WebpackConfig {
  for (const rule of config.module?.rules ?? []) {
    if (rule && typeof rule === 'object' && String(rule.test) === String(/\.ts$/)) {
      rule.test = /\.m?ts$/;
      rule.exclude = (file: string) => {
        const inPackage = !path.relative(PACKAGE_ROOT, file).startsWith('..');
        const rest = inPackage ? path.relative(PACKAGE_ROOT, file) : file;
        return rest.split(path.sep).includes('node_modules');
      };
    }
  }
  const resolve = (config.resolve ??= {});
  resolve.extensionAlias = { ...resolve.extensionAlias, '.mjs': ['.mts', '.mjs'] };
  return config;
}

export const BUNDLER_OPTIONS = { webpackConfigHook: compileTwinflowSources } satisfies Pick<
  BundleOptions,
  'webpackConfigHook'
>;

/**
 * The bundle's entry: twinflow's workflows alone, or (for a project with code-first pipelines) a generated
 * module exporting both. It is written under the project's .twinflow folder, never beside the user's sources:
 * Temporal's bundler resolves its own runtime imports from the entry's folder, so the entry must sit where the
 * project's node_modules (which hold @temporalio/workflow) are found.
 */
export async function workflowsEntry(projectWorkflows?: string, projectDir = process.cwd()): Promise<string> {
  if (!projectWorkflows) return WORKFLOWS_PATH;
  const source = [WORKFLOWS_PATH, projectWorkflows].map((file) => `export * from ${JSON.stringify(file)};`);
  const hash = createHash('sha256').update(source.join('\n')).digest('hex').slice(0, 12);
  const dir = path.join(projectDir, '.twinflow', 'workflow-bundle');
  await mkdir(dir, { recursive: true });
  const entry = path.join(dir, `${hash}.ts`);
  await writeFile(entry, `${source.join('\n')}\n`);
  return entry;
}

/** The bundled workflow code, as `workflowBundle: { code }` or a file for `{ codePath }` takes it. */
export async function bundleWorkflows(projectWorkflows?: string, projectDir?: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: await workflowsEntry(projectWorkflows, projectDir),
    logger: warningsOnly,
    ...BUNDLER_OPTIONS,
  });
  return code;
}
