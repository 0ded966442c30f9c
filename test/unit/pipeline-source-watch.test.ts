// A process that loaded its pipelines at start says so, once, when their sources change under it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { warnWhenPipelinesChange } from '../../services/pipelines/source-watch.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function capturingLogger(lines: string[]) {
  return pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('warnWhenPipelinesChange', () => {
  it('warns once that the process serves an outdated set, naming the file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'twinflow-sources-'));
    const lines: string[] = [];
    const stop = warnWhenPipelinesChange(capturingLogger(lines), [dir]);
    await writeFile(path.join(dir, 'triage.ts'), 'export {};\n');
    await writeFile(path.join(dir, 'triage.ts'), 'export const x = 1;\n');
    for (let waited = 0; lines.length === 0 && waited < 3_000; waited += 50) await sleep(50);
    stop();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('still serves the old set');
    expect(lines[0]).toContain('triage.ts');
  });

  it('says nothing while the sources stay as they were loaded', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'twinflow-sources-'));
    const lines: string[] = [];
    const stop = warnWhenPipelinesChange(capturingLogger(lines), [dir]);
    await sleep(200);
    stop();
    expect(lines).toEqual([]);
  });
});
