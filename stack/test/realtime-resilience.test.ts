import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicationStream, type Transaction } from '../src/realtime/cdc/stream.ts';
import { DatabaseBroadcasts } from '../src/realtime/db-broadcast.ts';
import { closeSql, env, Inbox, sql, uid } from './realtime-helpers.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

// Separate instances of the pickup and the stream, so cutting their connections leaves the shared stack alone.
const table = `rt_resilience_${uid()}`;
let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 2 });
  await sql(`create table public.${table} (id bigint generated always as identity primary key, n int)`);
  await sql(`alter publication supabase_realtime add table public.${table}`);
});

afterAll(async () => {
  await sql(`alter publication supabase_realtime drop table public.${table}`).catch(() => {});
  await sql(`drop table if exists public.${table}`);
  await pool.end();
  await closeSql();
});

describe('realtime database connections recover', () => {
  it('broadcast from the database resumes after its replication connection is cut', async () => {
    const topic = `resilience-${uid()}`;
    const got = new Inbox<number>();
    const pickup = new DatabaseBroadcasts(pool, env.SUPABASE_DB_URL, (_private, t, msg) => {
      if (t === topic) got.push((JSON.parse(msg.payload.toString()) as { n: number }).n);
    });
    await pickup.start();
    try {
      await sql(`select realtime.send('{"n":1}'::jsonb, 'e', $1, false)`, [topic]);
      expect(await got.next()).toBe(1);
      const pid = pickup.backendPid;
      await sql('select pg_terminate_backend($1)', [pid]);
      await waitFor(() => pickup.backendPid !== null && pickup.backendPid !== pid);
      await sql(`select realtime.send('{"n":2}'::jsonb, 'e', $1, false)`, [topic]);
      expect(await got.next()).toBe(2);
    } finally {
      await pickup.stop();
    }
  });

  it('the WAL stream reconnects with a fresh temporary slot, and stop() releases it', async () => {
    const rows = new Inbox<string>();
    const stream = new ReplicationStream({
      dbUrl: env.SUPABASE_DB_URL,
      publication: 'supabase_realtime',
      onTransaction: async (tx: Transaction) => {
        for (const c of tx.changes) if (c.relation.table === table) rows.push(String(c.newTuple?.[1]));
      },
    });
    await stream.start();
    const slotOf = async (pid: number | null) =>
      (await sql<{ slot_name: string }>('select slot_name from pg_replication_slots where active_pid = $1', [pid]))[0]
        ?.slot_name;
    try {
      await sql(`insert into public.${table} (n) values (1)`);
      expect(await rows.next()).toBe('1');
      const pid = stream.backendPid;
      const firstSlot = await slotOf(pid);
      expect(firstSlot).toMatch(/^supabase_realtime_replication_slot_/);
      await sql('select pg_terminate_backend($1)', [pid]);
      await waitFor(
        async () =>
          stream.backendPid !== null && stream.backendPid !== pid && (await slotOf(stream.backendPid)) !== undefined,
      );
      await waitFor(
        async () => (await sql('select 1 from pg_replication_slots where slot_name = $1', [firstSlot])).length === 0,
      );
      await sql(`insert into public.${table} (n) values (2)`);
      expect(await rows.next()).toBe('2');
    } finally {
      const pid = stream.backendPid;
      await stream.stop();
      await waitFor(async () => (await slotOf(pid)) === undefined);
    }
  });
});
