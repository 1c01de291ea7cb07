/** Bootstrap SQL, then the project's migrations and seed through the real Supabase CLI. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { cliDbUrl, runSupabaseCli } from '../supabase-cli.ts';

const BOOTSTRAP_DIR = path.join(import.meta.dirname, 'bootstrap');

/** Runs the idempotent platform bootstrap (`bootstrap/*.sql` in name order: roles, schemas, auth, realtime, cron, net) as superuser. */
export async function bootstrap(dbUrl: string, extraSqlFiles: string[] = []): Promise<void> {
  const files = readdirSync(BOOTSTRAP_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => path.join(BOOTSTRAP_DIR, f));
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    // One bootstrap at a time even if two stacks share a database.
    await client.query('select pg_advisory_lock(5432100)');
    for (const file of [...files, ...extraSqlFiles]) {
      await client.query(readFileSync(file, 'utf8'));
    }
  } finally {
    await client.query('select pg_advisory_unlock(5432100)').catch(() => {});
    await client.end();
  }
}

/** Migration files (`<version>_<name>.sql`) the database has not recorded yet, as the CLI's history table tracks them. */
export async function pendingMigrations(projectDir: string, dbUrl: string): Promise<string[]> {
  const dir = path.join(projectDir, 'supabase', 'migrations');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^\d+_.*\.sql$/.test(f))
        .sort()
    : [];
  if (files.length === 0) return [];
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    // A new database has no history table yet (the CLI creates it on its first push): everything is pending.
    const { rows } = await client
      .query<{ version: string }>('select version from supabase_migrations.schema_migrations')
      .catch((err: { code?: string }) => {
        if (err.code === '42P01' || err.code === '3F000') return { rows: [] as { version: string }[] };
        throw err;
      });
    const applied = new Set(rows.map((r) => r.version));
    return files.filter((f) => !applied.has(f.split('_')[0]!));
  } finally {
    await client.end();
  }
}

/**
 * Applies pending migrations and the seed file (once, hash-tracked by the CLI) with `supabase db push`.
 * The CLI's own chatter (prompts, "Connecting to remote database…") stays out of the stack's log; a failure
 * rejects with all of it.
 */
export async function migrate(projectDir: string, dbUrl: string): Promise<void> {
  await runSupabaseCli(projectDir, [
    'db',
    'push',
    '--db-url',
    cliDbUrl(dbUrl),
    '--include-all',
    '--include-seed',
    '--yes',
  ]);
}
