/**
 * Generates supabase/functions/_shared/database.types.ts from a running database with
 * @supabase/postgres-meta (what `supabase gen types` runs in Docker), without Docker.
 * Usage: `npm run gen:types` (reads SUPABASE_DB_URL, else .vibe/stack.env); `--stdout` prints instead of writing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
/** Where the generated types live; agent, web and functions import this one file. */
export const TYPES_FILE = path.join(root, 'supabase', 'functions', '_shared', 'database.types.ts');

/** Runs postgres-meta's generator against `dbUrl` and returns the TypeScript source. */
export function generateTypes(dbUrl: string): string {
  const server = path.join(root, 'node_modules', '@supabase', 'postgres-meta', 'dist', 'server', 'server.js');
  const run = spawnSync(process.execPath, [server], {
    encoding: 'utf8',
    env: {
      ...process.env,
      PG_META_DB_URL: dbUrl,
      PG_META_GENERATE_TYPES: 'typescript',
      PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS: 'public',
      PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS: 'true',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0 || !run.stdout.includes('export type Database')) {
    throw new Error(
      `Cannot generate database types: postgres-meta exited ${run.status}: ${run.stderr.trim().slice(0, 2000)}`,
    );
  }
  return withoutPartitions(run.stdout);
}

/** Drops daily partitions (`<table>_pYYYYMMDD`) from the output: they come and go by date and are not API surface. */
export function withoutPartitions(source: string): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of source.split('\n')) {
    if (!skipping && /^ {6}[a-z0-9_]+_p\d{8}: \{$/.test(line)) {
      skipping = true;
      continue;
    }
    if (skipping) {
      if (line === '      }') skipping = false;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

function dbUrlFromEnv(): string {
  if (process.env.SUPABASE_DB_URL) return process.env.SUPABASE_DB_URL;
  const envFile = path.join(root, '.vibe', 'stack.env');
  if (existsSync(envFile)) {
    const m = /^SUPABASE_DB_URL=(.*)$/m.exec(readFileSync(envFile, 'utf8'));
    if (m) return m[1]!.replace(/^["']|["']$/g, '');
  }
  throw new Error(
    'Set SUPABASE_DB_URL or start the stack (npm run stack writes .vibe/stack.env) before generating types',
  );
}

if (import.meta.main) {
  const source = generateTypes(dbUrlFromEnv());
  if (process.argv.includes('--stdout')) process.stdout.write(source);
  else {
    writeFileSync(TYPES_FILE, source);
    process.stdout.write(`Wrote ${path.relative(root, TYPES_FILE)}\n`);
  }
}
