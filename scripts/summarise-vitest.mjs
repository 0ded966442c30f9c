// Prints `N passed, M failed` from vitest's JSON report as the very last line; exits non-zero when the
// report is missing, counts no test at all, or counts a failure.
import { readFileSync } from 'node:fs';
import process from 'node:process';

const file = process.argv[2] ?? 'reports/vitest.json';

function readReport() {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    process.stderr.write(`no vitest report at ${file}: the tests did not run\n`);
    return undefined;
  }
}

const report = readReport();
const passed = report?.numPassedTests ?? 0;
// A file can fail outside every test (it did not load, a beforeAll or afterAll hook threw or timed out): its
// tests may all have passed, so count the file once, or the line would say 0 failed of a failing run.
const brokenFiles = (report?.testResults ?? []).filter(
  (r) => r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed'),
);
const failed = (report?.numFailedTests ?? 0) + brokenFiles.length;
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(passed > 0 && failed === 0 ? 0 : 1);
