// Where twinflow's own files are: the repository (or installed package) root and the Temporal binaries that
// scripts/ensure-temporal.sh provisions under it.
import path from 'node:path';

/** The repository root, or the package root once installed. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
/** The Temporal CLI (`temporal server start-dev`). */
export const TEMPORAL_BINARY = path.join(PROJECT_ROOT, '.tools/bin/temporal');
/** Temporal's time-skipping test server. */
export const TEST_SERVER_BINARY = path.join(PROJECT_ROOT, '.tools/bin/temporal-test-server');
