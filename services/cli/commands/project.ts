// Commands about the project itself: `init` scaffolds one in the current folder, and `dev`, `worker` and
// `receiver` are listed here for --help only, because bin/twinflow.mjs hands those long-running processes to
// their own main modules before this CLI loads.
import type { Command } from 'commander';
import { scaffoldProject } from '../../project/scaffold.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

const PROCESSES = {
  dev: 'run the whole stack locally (Temporal dev server + Web UI, worker, receiver, Twin emulator) on this project',
  worker: "run this project's worker (production): workflows and every Twin call",
  receiver: "run this project's webhook receiver and control API (production)",
} as const;

export function registerProjectCommands(program: Command, context: () => CliContext): void {
  program
    .command('init')
    .description('create a twinflow project in the current folder: config, an example pipeline and its test')
    .option('--force', "replace the scaffold's files where they already exist")
    .action(async (options: { force?: boolean }) => {
      const { out } = context();
      const result = await scaffoldProject(process.cwd(), { force: options.force === true });
      out.result(result, () => [
        ...result.created.map((file) => `created  ${file}`),
        ...result.extended.map((file) => `extended ${file}`),
        ...result.kept.map((file) => `kept     ${file} (exists; --force replaces the scaffold's own files)`),
        '',
        'Next: npm install --save-dev vitest, then `npx twinflow dev` (and `npx vitest run` for the test).',
      ]);
    });
  for (const [name, description] of Object.entries(PROCESSES)) {
    program
      .command(name)
      .description(description)
      .action(() => {
        throw new CliError(
          `\`twinflow ${name}\` runs through the twinflow command, not this module`,
          EXIT.internal,
        );
      });
  }
}
