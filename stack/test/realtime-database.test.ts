import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, closeClients, closeSql, env, Inbox, makeUser, sql, subscribe, uid } from './realtime-helpers.ts';

// A table whose after-insert trigger broadcasts each row, the way the app's migrations do.
const id = uid();
const table = `rt_events_${id}`;
const policy = `rt ${id}: authenticated read topics of ${table}`;

beforeAll(async () => {
  await sql(
    `create table public.${table} (id bigint generated always as identity primary key, topic text not null, body text, private boolean not null default false)`,
  );
  await sql(`create function public.${table}_send() returns trigger language plpgsql security definer set search_path = '' as $$
    begin
      perform realtime.send(jsonb_build_object('body', new.body, 'row_id', new.id), 'created', new.topic, new.private);
      return null;
    end $$`);
  await sql(`create trigger send after insert on public.${table} for each row execute function public.${table}_send()`);
  await sql(`create function public.${table}_changes() returns trigger language plpgsql security definer set search_path = '' as $$
    begin
      perform realtime.broadcast_changes('changes:' || coalesce(new.topic, old.topic), tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
      return null;
    end $$`);
  await sql(
    `create trigger changes after update or delete on public.${table} for each row execute function public.${table}_changes()`,
  );
  await sql(
    `create policy "${policy}" on realtime.messages for select to authenticated using (realtime.topic() like 'changes:${id}-%')`,
  );
});

afterAll(async () => {
  await closeClients();
  await sql(`drop policy if exists "${policy}" on realtime.messages`);
  await sql(`drop table if exists public.${table}`);
  await closeSql();
});

type Msg = { event: string; payload: Record<string, unknown>; meta?: { id: string } };

describe('realtime broadcast from the database', () => {
  it('delivers realtime.send from a trigger once the row is committed, with the message id', async () => {
    const topic = `feed-${uid()}`;
    const inbox = new Inbox<Msg>();
    await subscribe(client().channel(topic).on('broadcast', { event: 'created' }, inbox.push));
    const [row] = await sql<{ id: string }>(
      `insert into public.${table} (topic, body) values ($1, 'first') returning id`,
      [topic],
    );
    const got = await inbox.next();
    expect(got.event).toBe('created');
    expect(got.payload).toMatchObject({ body: 'first', row_id: Number(row!.id) });
    expect(got.payload.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.meta?.id).toBe(got.payload.id);
    const [stored] = await sql<{ extension: string; private: boolean }>(
      `select extension, private from realtime.messages where id = $1`,
      [got.payload.id],
    );
    expect(stored).toEqual({ extension: 'broadcast', private: false });
  });

  it('never delivers a message sent in a rolled-back transaction', async () => {
    const topic = `feed-${uid()}`;
    const inbox = new Inbox<Msg>();
    await subscribe(client().channel(topic).on('broadcast', { event: '*' }, inbox.push));
    const c = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
    await c.connect();
    try {
      await c.query('begin');
      await c.query(`insert into public.${table} (topic, body) values ($1, 'rolled back')`, [topic]);
      await new Promise((r) => setTimeout(r, 300));
      await c.query('rollback');
      await c.query(`insert into public.${table} (topic, body) values ($1, 'committed')`, [topic]);
    } finally {
      await c.end();
    }
    expect((await inbox.next()).payload.body).toBe('committed');
    expect(await inbox.quiet()).toBe(true);
  });

  it('delivers payloads larger than a notification, in order', async () => {
    const topic = `feed-${uid()}`;
    const inbox = new Inbox<Msg>();
    await subscribe(client().channel(topic).on('broadcast', { event: 'created' }, inbox.push));
    const big = 'x'.repeat(20000);
    await sql(`insert into public.${table} (topic, body) values ($1, 'small-1'), ($1, $2), ($1, 'small-2')`, [
      topic,
      big,
    ]);
    expect((await inbox.next()).payload.body).toBe('small-1');
    expect((await inbox.next()).payload.body).toBe(big);
    expect((await inbox.next()).payload.body).toBe('small-2');
  });

  it('broadcast_changes sends the old and new record to a private topic readers may join', async () => {
    const topic = `${id}-${uid()}`;
    const reader = await makeUser();
    const inbox = new Inbox<Msg>();
    const ch = client(reader.token).channel(`changes:${topic}`, { config: { private: true } });
    await subscribe(
      ch.on('broadcast', { event: 'UPDATE' }, inbox.push).on('broadcast', { event: 'DELETE' }, inbox.push),
    );
    const [row] = await sql<{ id: string }>(
      `insert into public.${table} (topic, body) values ($1, 'v1') returning id`,
      [topic],
    );
    await sql(`update public.${table} set body = 'v2' where id = $1`, [row!.id]);
    const upd = await inbox.next();
    expect(upd.event).toBe('UPDATE');
    expect(upd.payload).toMatchObject({
      operation: 'UPDATE',
      table,
      schema: 'public',
      record: { id: Number(row!.id), body: 'v2', topic },
      old_record: { id: Number(row!.id), body: 'v1', topic },
    });
    await sql(`delete from public.${table} where id = $1`, [row!.id]);
    const del = await inbox.next();
    expect(del.payload).toMatchObject({ operation: 'DELETE', record: null, old_record: { body: 'v2' } });
  });

  it('realtime.send never aborts the caller, even when it fails', async () => {
    const [res] = await sql<{ ok: number }>(`select 1 as ok from (select realtime.send('{}'::jsonb, null, null)) s`);
    expect(res!.ok).toBe(1);
  });
});
