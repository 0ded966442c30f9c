// The last line of .ci/run is the whole verdict a reader sees: it must never say "0 failed" of a run that failed.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'twinflow-ci-summary-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface FileResult {
  status: 'passed' | 'failed';
  assertionResults: { status: 'passed' | 'failed' }[];
}

async function summarise(report: object | undefined) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  if (report) await writeFile(file, JSON.stringify(report));
  const result = spawnSync(process.execPath, ['scripts/summarise-vitest.mjs', file], { encoding: 'utf8' });
  return { line: result.stdout.trim().split('\n').at(-1), status: result.status };
}

const passing: FileResult = { status: 'passed', assertionResults: [{ status: 'passed' }] };

describe('the CI summary line', () => {
  it('counts the tests of a green run and exits 0', async () => {
    const report = { numPassedTests: 2, numFailedTests: 0, testResults: [passing, passing] };
    expect(await summarise(report)).toEqual({ line: '2 passed, 0 failed', status: 0 });
  });

  it('counts a failed test and exits 1', async () => {
    const failing: FileResult = { status: 'failed', assertionResults: [{ status: 'failed' }] };
    const report = { numPassedTests: 1, numFailedTests: 1, testResults: [passing, failing] };
    expect(await summarise(report)).toEqual({ line: '1 passed, 1 failed', status: 1 });
  });

  it('counts a file whose hook failed although all its tests passed', async () => {
    const hookFailed: FileResult = { status: 'failed', assertionResults: [{ status: 'passed' }] };
    const report = { numPassedTests: 2, numFailedTests: 0, testResults: [passing, hookFailed] };
    expect(await summarise(report)).toEqual({ line: '2 passed, 1 failed', status: 1 });
  });

  it('counts a file that did not load', async () => {
    const report = { numPassedTests: 1, numFailedTests: 0, testResults: [passing, { status: 'failed' }] };
    expect(await summarise(report)).toEqual({ line: '1 passed, 1 failed', status: 1 });
  });

  it('fails a run that left no report', async () => {
    expect(await summarise(undefined)).toEqual({ line: '0 passed, 0 failed', status: 1 });
  });
});
