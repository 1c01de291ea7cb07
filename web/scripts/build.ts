/**
 * The one way the dashboard gets built (`npm start`, the test suite, benchmarks): `svelte-kit sync && vite build`
 * in web/, only when a source is newer than the last build, one build at a time per checkout.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { withDirLock } from './dir-lock.ts';

const run = promisify(execFile);

/** The SvelteKit app's folder. */
export const WEB_DIR = path.resolve(import.meta.dirname, '..');
const ROOT_DIR = path.resolve(WEB_DIR, '..');
/** What goes into a build: a change to any of these makes it stale. */
const INPUTS = [
  'src',
  'static',
  'vite.config.ts',
  'package.json',
  'tsconfig.json',
  'project.inlang/settings.json',
  path.join('..', 'supabase', 'functions', '_shared', 'i18n'),
  path.join('..', 'package-lock.json'),
];
// Two `svelte-kit sync` runs at once rewrite web/.svelte-kit under each other, whatever their output folder.
const LOCK_DIR = path.join(WEB_DIR, '.vibe-build.lock');

export interface WebBuildOptions {
  /** Build into `<outDir>/build` (VIBE_WEB_BUILD_DIR, see vite.config.ts); default web/, i.e. web/build. */
  outDir?: string;
  /** Added to the build's environment. */
  env?: Record<string, string>;
  /** Told when a build actually starts. */
  log?: (line: string) => void;
}

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const st = statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function stampFile(outDir: string): string {
  return path.join(outDir, 'build', '.built');
}

/** The built server's entry point (`node <this>` serves the app; adapter-node). */
export function webServerEntry(outDir: string = WEB_DIR): string {
  return path.join(outDir, 'build', 'index.js');
}

/** True when `<outDir>/build` is missing or older than any input. */
export function webBuildIsStale(outDir: string = WEB_DIR): boolean {
  const stamp = stampFile(outDir);
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return Math.max(...INPUTS.map((p) => newestMtime(path.join(WEB_DIR, p)))) > built;
}

/** Builds unless the build is fresh; resolves true when it built. Rejects with the build's output when it fails. */
export async function ensureWebBuild(options: WebBuildOptions = {}): Promise<boolean> {
  const outDir = path.resolve(options.outDir ?? WEB_DIR);
  if (!webBuildIsStale(outDir)) return false;
  return withDirLock(LOCK_DIR, async () => {
    // Whoever held the lock before may have just built the same thing.
    if (!webBuildIsStale(outDir)) return false;
    options.log?.(`Building the dashboard (${path.relative(ROOT_DIR, path.join(outDir, 'build'))})…`);
    const started = new Date();
    const bin = [path.join(WEB_DIR, 'node_modules', '.bin'), path.join(ROOT_DIR, 'node_modules', '.bin')].join(
      path.delimiter,
    );
    const env = { ...process.env, ...options.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
    const elsewhere = outDir !== WEB_DIR;
    // A build elsewhere redirects the generated tsconfig too; the closing sync points it back at web/.svelte-kit.
    const script = elsewhere
      ? 'svelte-kit sync && vite build; rc=$?; VIBE_WEB_BUILD_DIR= svelte-kit sync; exit $rc'
      : 'svelte-kit sync && vite build';
    try {
      await run('sh', ['-c', script], {
        cwd: WEB_DIR,
        env: { ...env, VIBE_WEB_BUILD_DIR: elsewhere ? outDir : '' },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`Cannot build the dashboard: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    }
    // Stamped with the start time: a source saved during the build still counts as newer.
    const stamp = stampFile(outDir);
    writeFileSync(stamp, `${started.toISOString()}\n`);
    utimesSync(stamp, started, started);
    return true;
  });
}
