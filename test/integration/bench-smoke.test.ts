// Keeps the benchmarks from rotting: the quick bench (the same code as `npm run bench`, at smoke sizes) must
// run every benchmark end to end and write a report whose table has rows for each of them. Nothing here
// judges speed; docs/benchmarks.md is where figures live.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../services/shared/project-paths.js';

const BENCH_TIMEOUT_MS = 15 * 60_000;
const TITLES = [
  '1. Receiver, verification path',
  '2. Receiver end to end (Temporal)',
  '3. Hand-off latency',
  '4. Scale',
  '5. Cost per step',
];

interface BenchRun {
  code: number | null;
  stdout: string;
  stderr: string;
  report: string;
}

async function runQuickBench(out: string): Promise<BenchRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', `--out=${out}`], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const report = code === 0 ? await readFile(out, 'utf8') : '';
  return { code, stdout, stderr, report };
}

/** The rows of the results table (the machine table has rows too). */
function tableRows(report: string): string[] {
  const results = report.slice(report.indexOf('## Results'), report.indexOf('## Notes'));
  return results
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| benchmark ') && !line.startsWith('| ---'));
}

describe('npm run bench -- --quick', () => {
  let dir: string;
  let run: BenchRun;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bench-smoke-'));
    run = await runQuickBench(path.join(dir, 'benchmarks.md'));
  }, BENCH_TIMEOUT_MS);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes without an error', () => {
    expect(run.code, run.stderr.slice(-4_000)).toBe(0);
  });

  it('writes a report with the machine it ran on', () => {
    expect(run.report).toContain('## Machine');
    expect(run.report).toMatch(/\| Node\.js \| v\d+/);
  });

  it('has table rows for every benchmark', () => {
    const rows = tableRows(run.report);
    for (const title of TITLES)
      expect(
        rows.some((row) => row.startsWith(`| ${title} |`)),
        title,
      ).toBe(true);
  });

  it('gives every row a value, a baseline column and a verdict column', () => {
    for (const row of tableRows(run.report)) expect(row.split(' | ')).toHaveLength(7);
  });

  it('prints the table on stdout and never touches the committed report', () => {
    expect(run.stdout).toContain('| benchmark | figure | value | baseline | ratio | goal | result |');
    expect(run.stdout).toContain(`report written to ${path.join(dir, 'benchmarks.md')}`);
  });
});
