// What `twinflow init` writes, and what it must never do: replace a file the user already has.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scaffoldProject } from '../../services/project/scaffold.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function folder(files: Record<string, string> = {}): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), 'twinflow-init-'));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

describe('twinflow init', () => {
  it('writes .ts files in an ES-module package', async () => {
    const at = await folder({ 'package.json': '{"type":"module"}' });

    const result = await scaffoldProject(at);

    expect(result.created).toEqual(
      expect.arrayContaining(['twinflow.config.ts', 'pipelines/summarise.ts', 'test/summarise.test.ts']),
    );
    expect(await readFile(path.join(at, 'twinflow.config.ts'), 'utf8')).toContain(
      "'./pipelines/summarise.js'",
    );
  });

  it('writes .mts files where the package is CommonJS, leaving package.json alone', async () => {
    const manifest = '{"name":"x","type":"commonjs"}';
    const at = await folder({ 'package.json': manifest });

    await scaffoldProject(at);

    expect(existsSync(path.join(at, 'twinflow.config.mts'))).toBe(true);
    expect(await readFile(path.join(at, 'twinflow.config.mts'), 'utf8')).toContain(
      "'./pipelines/summarise.mjs'",
    );
    expect(await readFile(path.join(at, 'package.json'), 'utf8')).toBe(manifest);
  });

  it('keeps a file that exists, and replaces it only with force', async () => {
    const at = await folder({ 'package.json': '{"type":"module"}', '.env.example': 'MINE=1\n' });

    const kept = await scaffoldProject(at);
    expect(kept.kept).toContain('.env.example');
    expect(await readFile(path.join(at, '.env.example'), 'utf8')).toBe('MINE=1\n');

    const forced = await scaffoldProject(at, { force: true });
    expect(forced.created).toContain('.env.example');
    expect(await readFile(path.join(at, '.env.example'), 'utf8')).toContain('TWIN_API_KEY');
  });

  it("adds its section to the user's README and its entries to .gitignore, once", async () => {
    const at = await folder({
      'package.json': '{"type":"module"}',
      'README.md': '# Mine\n',
      '.gitignore': 'dist/',
    });

    const first = await scaffoldProject(at);
    await scaffoldProject(at);

    expect(first.extended).toEqual(['README.md', '.gitignore']);
    const readme = await readFile(path.join(at, 'README.md'), 'utf8');
    expect(readme.startsWith('# Mine\n')).toBe(true);
    expect(readme.match(/## Pipelines \(twinflow\)/g)).toHaveLength(1);
    expect(await readFile(path.join(at, '.gitignore'), 'utf8')).toBe(
      'dist/\nnode_modules/\n.data/\n.twinflow/\n.env\n',
    );
  });
});
