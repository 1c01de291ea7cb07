import type { RealtimeChannel, RealtimePostgresChangesPayload } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, closeClients, closeSql, Inbox, makeUser, sql, uid } from './realtime-helpers.ts';

// Two published tables: `items` without RLS, `notes` where each user reads only their own rows.
const id = uid();
const items = `rt_items_${id}`;
const notes = `rt_notes_${id}`;

beforeAll(async () => {
  await sql(`create table public.${items} (
    id bigint generated always as identity primary key, n int not null, label text, flag boolean default true,
    data jsonb, tags text[], price numeric(10,2), at timestamptz not null default now())`);
  await sql(
    `create table public.${notes} (id uuid primary key default gen_random_uuid(), owner uuid not null, body text, secret text)`,
  );
  await sql(`alter table public.${notes} enable row level security`);
  await sql(
    `create policy "owners read their notes" on public.${notes} for select to authenticated using (owner = (select auth.uid()))`,
  );
  await sql(`grant select on public.${items}, public.${notes} to anon, authenticated`);
  await sql(`alter publication supabase_realtime add table public.${items}, public.${notes}`);
});

afterAll(async () => {
  await closeClients();
  await sql(`alter publication supabase_realtime drop table public.${items}, public.${notes}`).catch(() => {});
  await sql(`drop table if exists public.${items}, public.${notes}`);
  await closeSql();
});

type Change = RealtimePostgresChangesPayload<Record<string, unknown>>;
type System = { extension: string; status: string; message: string; channel: string };

/** Subscribes and waits for the server's "Subscribed to PostgreSQL", after which every commit is seen. */
async function ready(ch: RealtimeChannel): Promise<System> {
  const system = new Inbox<System>();
  ch.on('system', {}, system.push);
  ch.subscribe();
  return system.next(10000);
}

describe('realtime postgres_changes', () => {
  it('streams INSERT, UPDATE and DELETE with typed values, columns and commit timestamps', async () => {
    const inbox = new Inbox<Change>();
    const ch = client()
      .channel(`items-${uid()}`)
      .on('postgres_changes', { event: '*', schema: 'public', table: items }, inbox.push);
    expect(await ready(ch)).toMatchObject({
      extension: 'postgres_changes',
      status: 'ok',
      message: 'Subscribed to PostgreSQL',
      channel: ch.subTopic,
    });

    const [row] = await sql<{ id: string }>(
      `insert into public.${items} (n, label, data, tags, price) values (7, 'seven', '{"a":[1,2]}', '{x,"y z"}', 12.5) returning id`,
    );
    const ins = await inbox.next();
    expect(ins).toMatchObject({ schema: 'public', table: items, eventType: 'INSERT', old: {}, errors: null });
    expect(ins.new).toMatchObject({
      id: Number(row!.id),
      n: 7,
      label: 'seven',
      flag: true,
      data: { a: [1, 2] },
      tags: ['x', 'y z'],
      price: 12.5,
    });
    expect((ins.new as Record<string, unknown>).at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00$/);
    expect(ins.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(ins.commit_timestamp) - Date.now())).toBeLessThan(5000);

    await sql(`update public.${items} set label = 'SEVEN', n = 8 where id = $1`, [row!.id]);
    const upd = await inbox.next();
    expect(upd.eventType).toBe('UPDATE');
    expect(upd.new).toMatchObject({ id: Number(row!.id), n: 8, label: 'SEVEN' });
    expect(upd.old).toEqual({ id: Number(row!.id) }); // default replica identity: the key only

    await sql(`delete from public.${items} where id = $1`, [row!.id]);
    const del = await inbox.next();
    expect(del).toMatchObject({ eventType: 'DELETE', new: {}, old: { id: Number(row!.id) } });
  });

  it('sends only the events a binding asked for, and reports the typed column list', async () => {
    const inserts = new Inbox<Change>();
    const deletes = new Inbox<Change>();
    const ch = client()
      .channel(`items-${uid()}`)
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: items }, inserts.push)
      .on('postgres_changes', { event: 'DELETE', schema: 'public', table: items }, deletes.push);
    await ready(ch);
    const [row] = await sql<{ id: string }>(`insert into public.${items} (n) values (1) returning id`);
    await sql(`update public.${items} set n = 2 where id = $1`, [row!.id]);
    await sql(`delete from public.${items} where id = $1`, [row!.id]);
    expect((await inserts.next()).eventType).toBe('INSERT');
    expect((await deletes.next()).eventType).toBe('DELETE');
    expect(inserts.size + deletes.size).toBe(0);
  });

  it('applies the filter operators eq, neq, lt, lte, gt, gte and in', async () => {
    const tag = uid();
    const cases: [string, number[]][] = [
      ['n=eq.3', [3]],
      ['n=neq.3', [1, 2, 4, 5]],
      ['n=lt.3', [1, 2]],
      ['n=lte.3', [1, 2, 3]],
      ['n=gt.3', [4, 5]],
      ['n=gte.3', [3, 4, 5]],
      ['n=in.(1,5)', [1, 5]],
    ];
    const inboxes = cases.map(() => new Inbox<Change>());
    await Promise.all(
      cases.map(([filter], i) =>
        ready(
          client()
            .channel(`f-${i}-${tag}`)
            .on(
              'postgres_changes',
              { event: 'INSERT', schema: 'public', table: items, filter: `${filter},label=eq.${tag}` },
              inboxes[i]!.push,
            ),
        ),
      ),
    );
    await sql(`insert into public.${items} (n, label) select g, $1 from generate_series(1, 5) g`, [tag]);
    await sql(`insert into public.${items} (n, label) values (3, 'other')`);
    for (const [i, [, expected]] of cases.entries()) {
      const got: number[] = [];
      for (const _ of expected) got.push(((await inboxes[i]!.next()).new as Record<string, unknown>).n as number);
      expect(got.sort()).toEqual(expected);
      expect(await inboxes[i]!.quiet(i === 0 ? 500 : 0)).toBe(true);
    }
  });

  it('hides rows a subscriber may not read under RLS, and reduces DELETE to the primary key', async () => {
    const [alice, bob] = [await makeUser(), await makeUser()];
    const toAlice = new Inbox<Change>();
    const toBob = new Inbox<Change>();
    await ready(
      client(alice.token)
        .channel(`notes-${uid()}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: notes }, toAlice.push),
    );
    await ready(
      client(bob.token)
        .channel(`notes-${uid()}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: notes }, toBob.push),
    );

    const [note] = await sql<{ id: string }>(
      `insert into public.${notes} (owner, body, secret) values ($1, 'for alice', 's') returning id`,
      [alice.id],
    );
    const got = await toAlice.next();
    expect(got.new).toEqual({ id: note!.id, owner: alice.id, body: 'for alice', secret: 's' });
    expect(await toBob.quiet()).toBe(true);

    await sql(`delete from public.${notes} where id = $1`, [note!.id]);
    const del = await toAlice.next();
    expect(del.old).toEqual({ id: note!.id });
    // DELETE cannot be checked against RLS (the row is gone), so every subscriber sees the key only
    expect((await toBob.next()).old).toEqual({ id: note!.id });
  });

  it('leaves out columns the role may not select', async () => {
    await sql(`revoke select on public.${notes} from authenticated`);
    await sql(`grant select (id, owner, body) on public.${notes} to authenticated`);
    try {
      const u = await makeUser();
      const inbox = new Inbox<Change>();
      await ready(
        client(u.token)
          .channel(`cols-${uid()}`)
          .on('postgres_changes', { event: 'INSERT', schema: 'public', table: notes }, inbox.push),
      );
      await sql(`insert into public.${notes} (owner, body, secret) values ($1, 'b', 'hidden')`, [u.id]);
      expect((await inbox.next()).new).toEqual({ id: expect.any(String), owner: u.id, body: 'b' });
    } finally {
      await sql(`grant select on public.${notes} to authenticated`);
    }
  });

  it('reports a table outside the publication and a bad filter with a system error', async () => {
    const inbox = new Inbox<Change>();
    const missing = await ready(
      client()
        .channel(`bad-${uid()}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: `no_such_${id}` }, inbox.push),
    );
    expect(missing).toMatchObject({ extension: 'postgres_changes', status: 'error' });
    expect(missing.message).toMatch(
      /^Unable to subscribe to changes with given parameters\. Please check Realtime is enabled/,
    );
    const badOp = await ready(
      client()
        .channel(`bad-${uid()}`)
        .on('postgres_changes', { event: '*', schema: 'public', table: items, filter: 'n=foo.1' }, inbox.push),
    );
    expect(badOp).toMatchObject({ status: 'error', message: 'Error parsing `filter` params: ["foo","1"]' });
  });

  it('sends the whole old row with REPLICA IDENTITY FULL', async () => {
    await sql(`alter table public.${items} replica identity full`);
    try {
      const inbox = new Inbox<Change>();
      await ready(
        client()
          .channel(`full-${uid()}`)
          .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: items }, inbox.push),
      );
      const [row] = await sql<{ id: string }>(
        `insert into public.${items} (n, label) values (1, 'before') returning id`,
      );
      await sql(`update public.${items} set label = 'after' where id = $1`, [row!.id]);
      const upd = await inbox.next();
      expect(upd.old).toMatchObject({ id: Number(row!.id), n: 1, label: 'before' });
      expect(upd.new).toMatchObject({ label: 'after' });
    } finally {
      await sql(`alter table public.${items} replica identity default`);
    }
  });

  it('holds the join reply with postgres_changes_options.wait and fails the join when it cannot subscribe', async () => {
    const ch = client()
      .channel(`wait-${uid()}`, { config: { postgres_changes_options: { wait: true } } })
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: `no_such_${id}` }, () => {});
    const err = await new Promise<Error | undefined>((resolve) =>
      ch.subscribe((s, e) => s !== 'SUBSCRIBED' && resolve(e)),
    );
    expect(err?.message).toMatch(/^RealtimeDisabledForConfiguration: Unable to subscribe to changes/);
  });

  it('reads the WAL through a temporary slot, so a crashed stack retains nothing', async () => {
    const slots = await sql<{ temporary: boolean; plugin: string }>(
      `select temporary, plugin from pg_replication_slots where slot_name like 'supabase_realtime_replication_slot_%'`,
    );
    expect(slots.length).toBeGreaterThan(0);
    for (const s of slots) expect(s).toEqual({ temporary: true, plugin: 'pgoutput' });
  });

  it('works over the vsn 1.0.0 protocol too', async () => {
    const inbox = new Inbox<Change>();
    await ready(
      client(undefined, { vsn: '1.0.0' })
        .channel(`v1-${uid()}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: items }, inbox.push),
    );
    await sql(`insert into public.${items} (n, label) values (42, 'v1')`);
    expect((await inbox.next()).new).toMatchObject({ n: 42, label: 'v1' });
  });
});
