import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildJs, rewriteImports } from '../../src/runtime/js-build.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('JavaScript copy for run', () => {
  it('rewrites relative and package imports', () => {
    const code = `import a from './a.ts';\nimport { b } from "../b/c.ts";\nimport fs from 'node:fs';\nimport pg from 'pg';\nconst m = await import('./lazy.ts');`;
    expect(rewriteImports(code, (s) => `file:///nm/${s}/index.js`)).toBe(
      `import a from './a.js';\nimport { b } from "../b/c.js";\nimport fs from 'node:fs';\nimport pg from 'file:///nm/pg/index.js';\nconst m = await import('./lazy.js');`,
    );
  });

  it('builds a copy that runs outside the package, and rebuilds only when a source changes', () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'vibe-jsbuild-src-'));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vibe-jsbuild-out-'));
    dirs.push(src, out);
    fs.mkdirSync(path.join(src, 'lib'));
    fs.writeFileSync(
      path.join(src, 'cli.ts'),
      `#!/usr/bin/env node\nimport { twice } from './lib/twice.ts';\nimport pg from 'pg';\nconst n: number = twice(21);\nconsole.log(n, typeof pg.Client);\n`,
    );
    fs.writeFileSync(
      path.join(src, 'lib', 'twice.ts'),
      `export function twice(x: number): number {\n  return x * 2;\n}\n`,
    );
    fs.writeFileSync(path.join(src, 'lib', 'unused.ts'), `enum NotStrippable { A }`); // not imported: not built
    const entry = buildJs(out, src);
    expect(entry).toBe(path.join(out, 'cli.js'));
    expect(fs.existsSync(path.join(out, 'lib', 'unused.js'))).toBe(false);
    const run = spawnSync(process.execPath, [entry], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('42 function\n');
    // Types are blanked, not removed: line numbers stay those of the source.
    expect(fs.readFileSync(path.join(out, 'lib', 'twice.js'), 'utf8').split('\n')[1]).toBe('  return x * 2;');
    const mtime = fs.statSync(entry).mtimeMs;
    buildJs(out, src);
    expect(fs.statSync(entry).mtimeMs).toBe(mtime);
    fs.writeFileSync(
      path.join(src, 'lib', 'twice.ts'),
      `export function twice(x: number): number {\n  return x * 3;\n}\n`,
    );
    buildJs(out, src);
    expect(spawnSync(process.execPath, [entry], { encoding: 'utf8' }).stdout).toBe('63 function\n');
  });
});
