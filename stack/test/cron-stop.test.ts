import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { StackContext } from '../src/context.ts';
import { startScheduler } from '../src/scheduler/index.ts';
import { startReceiver, type Receiver } from './net-receiver.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

// A second scheduler must not touch the shared stack's jobs, so this one gets a database of its own.
const env = inject('stack');
const database = `sched_stop_${randomBytes(4).toString('hex')}`;
const dbUrl = (() => {
  const u = new URL(env.SUPABASE_DB_URL);
  u.pathname = `/${database}`;
  return u.toString();
})();
let admin: pg.Client;
let db: pg.Client;
let pool: pg.Pool;
let receiver: Receiver;

async function connectionsTo(): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and application_name in ('pg_cron', 'pg_net worker')`,
    [database],
  );
  return rows[0]!.n;
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await db.query(
    'create schema extensions; create extension pg_cron with schema pg_catalog; create extension pg_net with schema extensions',
  );
  pool = new pg.Pool({ connectionString: dbUrl, max: 5 });
  pool.on('error', () => {}); // idle clients are terminated when the database is dropped
  receiver = await startReceiver();
});

afterAll(async () => {
  await db.end();
  await pool.end();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
  await receiver.close();
});

describe('scheduler stop()', () => {
  it('cancels running jobs and requests, records them, and releases every connection', async () => {
    const scheduler = await startScheduler({ pool, dbUrl } as unknown as StackContext, { log: () => {} });
    await db.query(`select cron.schedule('sleeper', '1 seconds', 'select pg_sleep(30)')`);
    const { rows } = await db.query<{ id: string }>(
      'select net.http_get($1, timeout_milliseconds := 30000)::text as id',
      [receiver.url('/slow/30000/stop')],
    );
    await receiver.waitFor((r) => r.path === '/slow/30000/stop');
    await waitFor(
      async () => (await db.query(`select 1 from cron.job_run_details where status = 'running'`)).rowCount !== 0,
      { message: 'the sleeper job to start', timeoutMs: 5000, intervalMs: 50 },
    );
    expect(await connectionsTo()).toBe(2); // the LISTEN connection and the running job

    const t0 = Date.now();
    await scheduler.stop();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await connectionsTo()).toBe(0);
    const run = await db.query(`select status, return_message from cron.job_run_details`);
    expect(run.rows).toEqual([
      { status: 'failed', return_message: expect.stringContaining('canceling statement due to user request') },
    ]);
    const res = await db.query('select timed_out, error_msg from net._http_response where id = $1', [rows[0]!.id]);
    expect(res.rows).toEqual([{ timed_out: false, error_msg: 'Request cancelled: the stack is stopping' }]);
  });

  it('marks runs left behind by a previous scheduler as failed on start', async () => {
    await db.query(`insert into cron.job_run_details (jobid, status, start_time) values (1, 'running', now())`);
    const scheduler = await startScheduler({ pool, dbUrl } as unknown as StackContext, { log: () => {} });
    await db.query(`select cron.unschedule('sleeper')`);
    await scheduler.stop();
    const { rows } = await db.query(
      `select return_message from cron.job_run_details where status = 'running' or return_message = 'server restarted'`,
    );
    expect(rows).toEqual([{ return_message: 'server restarted' }]);
  });
});
