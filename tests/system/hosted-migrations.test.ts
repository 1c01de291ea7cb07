/**
 * Every migration applies, through the real Supabase CLI, to a fresh database holding only what a new hosted
 * Supabase project provides (fixtures/hosted-bootstrap.sql), not the local stack's extra bootstrap. Then the
 * deploy script's schedule step runs there, and one ingest fires the triggers end to end.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { declaredCronJobs } from '../../scripts/deploy/plan.ts';
import { configureSchedules } from '../../scripts/deploy/schedules.ts';
import { hostedDatabase, pushMigrations, type FreshDatabase } from '../../testkit/src/fresh-database.ts';

const env = inject('stack');
const root = path.resolve(import.meta.dirname, '..', '..');
const versions = readdirSync(path.join(root, 'supabase', 'migrations'))
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => f.split('_')[0]);
let fresh: FreshDatabase;
let db: pg.Client;
let url = '';

beforeAll(async () => {
  fresh = await hostedDatabase(env.SUPABASE_DB_URL, 'hosted');
  db = fresh.client;
  url = fresh.url;
}, 60_000);
afterAll(async () => {
  await fresh?.drop();
});

describe('migrations on a hosted-like database', () => {
  it('all apply with supabase db push and schedule every declared cron job', { timeout: 240_000 }, async () => {
    const before = await db.query(
      `select count(*)::int as n from pg_namespace where nspname in ('net', 'cron', 'supabase_functions', 'private')`,
    );
    expect(before.rows[0].n, 'the bootstrap must not contain the local-only schemas').toBe(0);
    await pushMigrations(url);
    const applied = await db.query<{ version: string }>(
      'select version from supabase_migrations.schema_migrations order by version',
    );
    expect(applied.rows.map((r) => r.version)).toEqual(versions);
    const jobs = await db.query<{ jobname: string }>('select jobname from cron.job order by jobname');
    expect(jobs.rows.map((r) => r.jobname).sort()).toEqual([...declaredCronJobs(root)].sort());
  });

  it('takes the deploy schedule step (pg_net, functions endpoint) and ingests a sample through the triggers', {
    timeout: 120_000,
  }, async () => {
    const present = await configureSchedules(
      url,
      'https://abcdefghijklmnopqrst.supabase.co/functions/v1',
      env.SUPABASE_SERVICE_ROLE_KEY,
      declaredCronJobs(root),
    );
    expect(present.length).toBeGreaterThan(0);
    const endpoint = await db.query('select functions_url from private.edge_function_settings');
    expect(endpoint.rows).toEqual([{ functions_url: 'https://abcdefghijklmnopqrst.supabase.co/functions/v1' }]);

    const team = await db.query<{ id: string }>(`insert into public.teams (name) values ('hosted check') returning id`);
    const host = await db.query<{ id: string }>(
      `insert into public.hosts (team_id, name) values ($1, 'hosted-box') returning id`,
      [team.rows[0]!.id],
    );
    await db.query(`insert into public.host_samples (host_id, ts, cpu_total) values ($1, now(), 42)`, [
      host.rows[0]!.id,
    ]);
    const latest = await db.query('select cpu_total from public.host_latest where host_id = $1', [host.rows[0]!.id]);
    expect(latest.rows).toEqual([{ cpu_total: 42 }]);
    const broadcast = await db.query(`select event from realtime.messages where topic = $1`, [
      `team:${team.rows[0]!.id}`,
    ]);
    expect(broadcast.rows.length, 'the ingest trigger broadcasts to the team topic with realtime.send').toBeGreaterThan(
      0,
    );
  });
});
