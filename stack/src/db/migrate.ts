/** Bootstrap SQL, then the project's migrations and seed through the real Supabase CLI. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const BOOTSTRAP_DIR = path.join(import.meta.dirname, 'bootstrap');

/** Runs the idempotent platform bootstrap (`bootstrap/*.sql` in name order: roles, schemas, auth, realtime, cron, net) as superuser. */
export async function bootstrap(dbUrl: string, extraSqlFiles: string[] = []): Promise<void> {
  const files = readdirSync(BOOTSTRAP_DIR).filter((f) => f.endsWith('.sql')).sort().map((f) => path.join(BOOTSTRAP_DIR, f));
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

function cliPath(projectDir: string): string {
  const local = path.join(projectDir, 'node_modules', '.bin', 'supabase');
  if (existsSync(local)) return local;
  return 'supabase';
}

/** The CLI wants TLS off explicitly against a local server. */
export function cliDbUrl(dbUrl: string): string {
  const u = new URL(dbUrl);
  if (!u.searchParams.has('sslmode')) u.searchParams.set('sslmode', 'disable');
  return u.toString();
}

/** Runs one Supabase CLI command in the project directory; rejects with the CLI's own output. */
export function runSupabaseCli(projectDir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cliPath(projectDir), args, {
      cwd: projectDir,
      env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', SUPABASE_INTERNAL_NO_UPDATE_CHECK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`supabase ${args[0]} ${args[1] ?? ''} failed (exit ${code}):\n${out.trim()}`));
    });
  });
}

/** Applies pending migrations and the seed file (once, hash-tracked by the CLI). */
export async function migrate(projectDir: string, dbUrl: string): Promise<string> {
  const url = cliDbUrl(dbUrl);
  return runSupabaseCli(projectDir, ['db', 'push', '--db-url', url, '--include-all', '--include-seed', '--yes']);
}
