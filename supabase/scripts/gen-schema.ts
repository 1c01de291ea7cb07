/**
 * Generates supabase/schema.sql: every migration applied to a fresh database (the hosted bootstrap only,
 * through the real CLI as a deployment does), then dumped by schema-dump.ts. The current definition of
 * any table, policy or function (generated ones included) has this one place to read.
 * Usage: `npm run gen:schema` (a server from SUPABASE_DB_URL, else .vibe/stack.env); `--stdout` prints instead.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hostedDatabase, pushMigrations } from '../../testkit/src/fresh-database.ts';
import { dumpSchema } from './schema-dump.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
/** Where the snapshot lives. */
export const SCHEMA_FILE = path.join(root, 'supabase', 'schema.sql');

/** Applies the migrations to a new database next to `serverDbUrl`, dumps it, and drops it again. */
export async function generateSchema(serverDbUrl: string): Promise<string> {
  const fresh = await hostedDatabase(serverDbUrl, 'schema_snapshot');
  try {
    await pushMigrations(fresh.url);
    return await dumpSchema(fresh.url);
  } finally {
    await fresh.drop();
  }
}

function dbUrlFromEnv(): string {
  if (process.env.SUPABASE_DB_URL) return process.env.SUPABASE_DB_URL;
  const envFile = path.join(root, '.vibe', 'stack.env');
  if (existsSync(envFile)) {
    const m = /^SUPABASE_DB_URL=(.*)$/m.exec(readFileSync(envFile, 'utf8'));
    if (m) return m[1]!.replace(/^["']|["']$/g, '');
  }
  throw new Error(
    'Set SUPABASE_DB_URL or start the stack (npm run stack writes .vibe/stack.env) before generating the schema',
  );
}

if (import.meta.main) {
  const sql = await generateSchema(dbUrlFromEnv());
  if (process.argv.includes('--stdout')) process.stdout.write(sql);
  else {
    writeFileSync(SCHEMA_FILE, sql);
    process.stdout.write(`Wrote ${path.relative(root, SCHEMA_FILE)}\n`);
  }
}
