/**
 * Each function's deno.json (the layout `supabase functions deploy` reads per function) maps bare npm
 * names to the exact versions of the root package.json, and sources import only those bare names: the
 * stack resolves them from node_modules, so a drifted version would run different code hosted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionNames } from '../../scripts/deploy/plan.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const functionsDir = path.join(root, 'supabase', 'functions');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts'))
    .map((d) => path.join(d.parentPath, d.name));
}

describe('functions deno.json', () => {
  it.each(functionNames(root))('%s pins the root package.json versions', (name) => {
    const config = JSON.parse(readFileSync(path.join(functionsDir, name, 'deno.json'), 'utf8')) as {
      imports: Record<string, string>;
    };
    for (const [bare, target] of Object.entries(config.imports)) {
      expect(target, `${name}/deno.json maps ${bare}`).toBe(`npm:${bare}@${pkg.devDependencies[bare]}`);
    }
  });

  it('sources import npm packages by bare name only', () => {
    const inline = sources(functionsDir).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from\s+['"](npm:[^'"]+)['"]/g)].map(
        (m) => `${path.relative(functionsDir, file)}: ${m[1]}`,
      ),
    );
    expect(inline, "use the bare name and add it to the function's deno.json").toEqual([]);
  });

  it.each(functionNames(root))('%s maps every bare import of its module graph', (name) => {
    const { imports } = JSON.parse(readFileSync(path.join(functionsDir, name, 'deno.json'), 'utf8')) as {
      imports: Record<string, string>;
    };
    // Unmapped names still resolve locally (Deno falls back to the root package.json), but not hosted.
    for (const [file, bare] of bareImports(path.join(functionsDir, name, 'index.ts'))) {
      expect(
        imports,
        `${path.relative(functionsDir, file)} imports ${bare}; add it to ${name}/deno.json`,
      ).toHaveProperty([bare]);
    }
  });
});

/** The bare specifiers (no scheme, not relative) imported anywhere in the module graph of `entry`. */
function bareImports(entry: string): [string, string][] {
  const seen = new Set<string>();
  const found: [string, string][] = [];
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else if (!/^[a-z]+:/.test(spec)) found.push([file, spec]);
    }
  };
  visit(entry);
  return found;
}
