/**
 * A plain-JavaScript copy of the agent for the long-running `run` command. Node strips types with
 * a WebAssembly compiler that stays resident (about 20 MB of a ~60 MB budget), so `run` strips the
 * sources once, ahead of time, into the data directory and re-executes itself on the copy.
 * Rebuilt whenever a source file or the Node version changes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The agent's source directory (agent/src). */
export const SRC_DIR = path.resolve(import.meta.dirname, '..');

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\2/g;

/** The files reachable from `entry` through relative imports (static or dynamic), relative to srcDir. */
function reachableFiles(srcDir: string, entry: string): string[] {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const rel = todo.pop()!;
    if (seen.has(rel)) continue;
    seen.add(rel);
    const text = fs.readFileSync(path.join(srcDir, rel), 'utf8');
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = m[3]!;
      if (!spec.startsWith('.') || !spec.endsWith('.ts')) continue;
      const next = path.relative(srcDir, path.resolve(srcDir, path.dirname(rel), spec));
      // Outside the package means types only (the generated database types): erased by stripping.
      if (!next.startsWith('..') && fs.existsSync(path.join(srcDir, next))) todo.push(next);
    }
  }
  return [...seen].sort();
}

/**
 * Rewrites import specifiers for a copy living elsewhere: relative `.ts` imports become `.js`, and
 * package imports become absolute file URLs resolved from the source tree (the copy sits in the
 * data directory, outside any node_modules lookup path).
 */
export function rewriteImports(code: string, resolvePackage: (specifier: string) => string): string {
  return code.replace(SPECIFIER, (all, lead: string, quote: string, spec: string) => {
    if (spec.startsWith('.')) return `${lead}${quote}${spec.replace(/\.ts$/, '.js')}${quote}`;
    if (spec.startsWith('node:')) return all;
    return `${lead}${quote}${resolvePackage(spec)}${quote}`;
  });
}

// stripTypeScriptTypes warns that it is experimental on every first call; the agent's log is no place for that.
function quietly<T>(fn: () => T): T {
  const emit = process.emitWarning;
  process.emitWarning = (() => {}) as typeof process.emitWarning;
  try {
    return fn();
  } finally {
    process.emitWarning = emit;
  }
}

/** Builds (or reuses) the JavaScript copy of what `srcDir/cli.ts` imports, in `outDir`; returns the path of its cli.js. */
export function buildJs(outDir: string, srcDir: string = SRC_DIR): string {
  const files = reachableFiles(srcDir, 'cli.ts');
  const hash = createHash('sha256').update(process.version);
  const texts = new Map<string, string>();
  for (const f of files) {
    const text = fs.readFileSync(path.join(srcDir, f), 'utf8');
    texts.set(f, text);
    hash.update(f).update('\0').update(text).update('\0');
  }
  const digest = hash.digest('hex');
  const manifest = path.join(outDir, 'manifest.json');
  const entry = path.join(outDir, 'cli.js');
  try {
    if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { digest: string }).digest === digest && fs.existsSync(entry))
      return entry;
  } catch {
    // no build yet
  }
  const resolved = new Map<string, string>();
  const resolvePackage = (spec: string) => {
    let url = resolved.get(spec);
    if (!url) {
      url = import.meta.resolve(spec);
      fileURLToPath(url); // fails loudly for anything that is not a file
      resolved.set(spec, url);
    }
    return url;
  };
  fs.rmSync(outDir, { recursive: true, force: true });
  for (const f of files) {
    const out = path.join(outDir, f.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(out), { recursive: true, mode: 0o700 });
    // "strip" keeps every line and column where it was, so stack traces point at the right source lines.
    let code = rewriteImports(
      quietly(() => stripTypeScriptTypes(texts.get(f)!, { mode: 'strip' })),
      resolvePackage,
    );
    if (code.startsWith('#!')) code = `//${code.slice(2)}`;
    fs.writeFileSync(out, code);
  }
  fs.writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}\n');
  fs.writeFileSync(manifest, JSON.stringify({ digest, builtAt: new Date().toISOString(), node: process.version }));
  return entry;
}
