/** `npm run deploy -- --dry-run` against the test stack's Postgres: every step printed, only db push touches the database, nothing changes. */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const env = inject('stack');
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const migrations = readdirSync(path.join(root, 'supabase', 'migrations'))
  .filter((f) => f.endsWith('.sql'))
  .sort();
const admin = new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 2 });
const fresh = `deploy_dry_${Date.now().toString(36)}`;
const freshUrl = (() => {
  const u = new URL(env.SUPABASE_DB_URL);
  u.pathname = `/${fresh}`;
  return u.toString();
})();

beforeAll(async () => {
  await admin.query(`create database ${fresh}`);
});
afterAll(async () => {
  await admin.query(`drop database if exists ${fresh} with (force)`);
  await admin.end();
});

/** Runs the deploy script with a clean environment plus `extra`; resolves with its output and exit code. */
async function deploy(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('SUPABASE_') && !k.startsWith('VIBE_DEPLOY')),
  );
  try {
    const r = await run(process.execPath, [path.join(root, 'scripts', 'deploy.ts'), ...args], {
      cwd: root,
      env: { ...base, ...extra },
      timeout: 120_000,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('npm run deploy -- --dry-run', () => {
  it('lists every migration for an empty database, prints every step, and changes nothing', {
    timeout: 180_000,
  }, async () => {
    const { code, out } = await deploy(['--dry-run', '--db-url', freshUrl], {
      SUPABASE_SERVICE_ROLE_KEY: env.SUPABASE_SERVICE_ROLE_KEY,
    });
    expect(code, out).toBe(0);
    for (const file of migrations) expect(out).toContain(file);
    expect(out).toMatch(
      /\[1\/5\] Link project <SUPABASE_PROJECT_REF>\n {2}would run: supabase link --project-ref <SUPABASE_PROJECT_REF>/,
    );
    expect(out).toMatch(
      /\[2\/5\] .*\n {2}running: supabase db push --dry-run --db-url postgresql:\/\/postgres:\*\*\*@/,
    );
    expect(out).toMatch(
      /\[3\/5\] Deploy edge functions \(.*enroll-agent.*\).*\n {2}would run: supabase functions deploy .*--use-api/,
    );
    expect(out).toMatch(/\[4\/5\] Set function secrets\n {2}would run: supabase secrets set --env-file /);
    expect(out).toMatch(
      /\[5\/5\] .*\n {2}would run: create extension if not exists pg_net .*\n {4}select private\.configure_edge_functions\('https:\/\/<SUPABASE_PROJECT_REF>\.supabase\.co\/functions\/v1', '<service key>'\)/,
    );
    expect(out).toContain('pg_cron is not enabled in the target database');
    expect(out).toContain('Dry run complete: nothing was changed');
    // No credential is printed.
    expect(out).not.toContain(new URL(env.SUPABASE_DB_URL).password);
    expect(out).not.toContain(env.SUPABASE_SERVICE_ROLE_KEY);
    const db = new pg.Client({ connectionString: freshUrl });
    await db.connect();
    try {
      const { rows } =
        await db.query(`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`);
      expect(rows[0].n, 'the dry run created objects in the target database').toBe(0);
    } finally {
      await db.end();
    }
  });

  it('reports an up-to-date database and the cron jobs it already has', { timeout: 180_000 }, async () => {
    const { code, out } = await deploy(['--dry-run', '--project-ref', 'abcdefghijklmnopqrst'], {
      SUPABASE_DB_URL: env.SUPABASE_DB_URL,
    });
    expect(code, out).toBe(0);
    expect(out).toMatch(/up to date/i);
    expect(out).toContain('supabase link --project-ref abcdefghijklmnopqrst');
    expect(out).toMatch(/cron jobs present: .*vibe-dispatch-notifications/);
    expect(out).not.toContain('cron jobs the pending migrations would add');
  });

  it('refuses to run without the settings a real deploy needs, naming each', { timeout: 60_000 }, async () => {
    const noDb = await deploy(['--dry-run']);
    expect(noDb.code).toBe(1);
    expect(noDb.out).toMatch(/dry run needs a database .*--db-url/);
    const noRef = await deploy([]);
    expect(noRef.code).toBe(1);
    expect(noRef.out).toMatch(/Missing SUPABASE_PROJECT_REF/);
    const badRef = await deploy(['--project-ref', 'Not-A-Ref']);
    expect(badRef.out).toMatch(/is not a project ref/);
    const noToken = await deploy([], { SUPABASE_PROJECT_REF: 'abcdefghijklmnopqrst' });
    expect(noToken.out).toMatch(/Missing SUPABASE_ACCESS_TOKEN/);
    const unknown = await deploy(['--force']);
    expect(unknown.out).toMatch(/Unknown option --force/);
  });
});
