// The `twinflow` command line (bin/twinflow.mjs loads this file through tsx). It parses the command, runs it,
// and turns whatever went wrong into one clear message and an exit code from EXIT, so scripts can branch on
// the code and people can act on the message. Configuration comes from services/shared/config.ts (plus .env
// when present), exactly as the services read it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { configDefaults, roleAgentEnv } from '../project/config.js';
import { loadProject } from '../project/load.js';
import { loadConfig, type Config } from '../shared/config.js';
import type { StackState } from './local-stack.js';
import { registerEmulatorCommands } from './commands/emulator.js';
import { registerPipelineCommands } from './commands/pipelines.js';
import { registerProjectCommands } from './commands/project.js';
import { registerScheduleCommands } from './commands/schedules.js';
import { registerWebhookCommands } from './commands/webhooks.js';
import { createCliContext, type CliContext } from './context.js';
import { EXIT, toCliError, type ExitCode } from './errors.js';
import { exitCodeHelp } from './exit-codes.js';
import { createOutput, type Output } from './output.js';

/** The pipelines the worker registers, with the local stack's demo agents as role defaults. */
async function loadRegistry(stack: StackState | undefined) {
  const env = { ...process.env, ...roleAgentEnv(stack?.demoAgents ?? [], process.env) };
  return (await loadProject({ env })).registry;
}

/**
 * The project's defaults for the configuration (its task queue, say), so the CLI talks to the queue its
 * worker serves. A project that does not load yields none here: the command that needs its pipelines reports
 * why, and commands that do not (init, webhooks) still work.
 */
async function projectDefaults(): Promise<Record<string, string>> {
  try {
    return configDefaults((await loadProject()).config);
  } catch {
    return {};
  }
}

function buildProgram(context: () => CliContext): Command {
  const program = new Command('twinflow')
    .description('Run and operate durable multi-agent Twin pipelines on Temporal')
    .option('--json', 'print results (and errors) as JSON, for scripts')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${exitCodeHelp()}`)
    .exitOverride();
  registerPipelineCommands(program, context);
  registerWebhookCommands(program, context);
  registerScheduleCommands(program, context);
  registerEmulatorCommands(program, context);
  registerProjectCommands(program, context);
  return program;
}

async function run(argv: string[]): Promise<ExitCode> {
  const envFile = path.join(process.cwd(), '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const defaults = argv[0] === 'init' ? {} : await projectDefaults();
  let config: Config | undefined;
  let out: Output = createOutput(argv.includes('--json'));
  let context: CliContext | undefined;
  const ctx = () => {
    if (context) return context;
    config = loadConfig({ ...defaults, ...process.env });
    out = createOutput(program.opts<{ json?: boolean }>().json === true);
    context = createCliContext({ config, out, loadRegistry });
    return context;
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message (or the help) itself.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const failure = toCliError(error, {
      temporal: context?.temporalTarget() ?? {
        address: config?.TEMPORAL_ADDRESS ?? 'TEMPORAL_ADDRESS',
        source: 'TEMPORAL_ADDRESS',
      },
      twinBaseUrl: context?.twinBaseUrl() ?? 'Twin',
    });
    out.error(failure);
    return failure.exitCode;
  } finally {
    await context?.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(
      `twinflow: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(EXIT.internal);
  },
);
