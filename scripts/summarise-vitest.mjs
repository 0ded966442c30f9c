// Prints `N passed, M failed` from vitest's JSON report; exits non-zero when the report is missing or
// counts no test at all.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  console.log('0 passed, 0 failed');
  console.error(`no vitest report at ${file}: the tests did not run`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A file that failed to load has no test results of its own; count it once so it is not invisible.
const brokenFiles = (report.testResults ?? []).filter((r) => r.status === 'failed' && !r.assertionResults?.length);
const failed = (report.numFailedTests ?? 0) + brokenFiles.length;
console.log(`${passed} passed, ${failed} failed`);
process.exit(passed > 0 && failed === 0 ? 0 : 1);
