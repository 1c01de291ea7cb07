import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgrestSingleResponse } from '@supabase/supabase-js';
import type pg from 'pg';
import { ddl, env, fixture, libraryDdl, prefix, rest, superuser } from './rest-fixture.ts';

const p = prefix('wr');
let db: pg.Client;
const sb = () => fixture(env.SUPABASE_SERVICE_ROLE_KEY);

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    libraryDdl(p) +
      `
    create table rest_fixture.${p}_items (id int primary key, name text not null, qty int not null default 7 check (qty >= 0),
      code text unique, note text default 'none', made timestamptz default '2020-01-01 00:00:00+00');
    grant all on rest_fixture.${p}_items to anon, authenticated, service_role;`,
  );
  await db.query(`insert into rest_fixture.${p}_authors (id, name) values (1, 'Ursula')`);
});
afterAll(async () => {
  await db.end();
});

describe('insert', () => {
  it('inserts one row without a body by default (201, return=minimal)', async () => {
    const res = await sb().from(`${p}_items`).insert({ id: 1, name: 'one' });
    expect(res.error).toBeNull();
    expect(res.status).toBe(201);
    expect(res.data).toBeNull();
    const { rows } = await db.query(`select name, qty, note from rest_fixture.${p}_items where id = 1`);
    // Without missing=default an absent key is null, so qty (not null) would fail; here it is not listed at all.
    expect(rows).toEqual([{ name: 'one', qty: 7, note: 'none' }]);
  });

  it('returns the representation with select(), and single() gives an object', async () => {
    const res = await sb()
      .from(`${p}_items`)
      .insert({ id: 2, name: 'two', qty: 3 })
      .select('id, name, qty, made')
      .single();
    expect(res.error).toBeNull();
    expect(res.status).toBe(201);
    expect(res.data).toEqual({ id: 2, name: 'two', qty: 3, made: '2020-01-01T00:00:00+00:00' });
  });

  it('bulk-inserts with columns=, null for absent keys, or defaults with missing=default', async () => {
    const bulk = await sb()
      .from(`${p}_items`)
      .insert(
        [
          { id: 10, name: 'a', qty: 1 },
          { id: 11, name: 'b', qty: 2, note: 'x' },
        ],
        { count: 'exact' },
      )
      .select('id, note')
      .order('id');
    expect(bulk.error).toBeNull();
    expect(bulk.count).toBe(2);
    expect(bulk.data).toEqual([
      { id: 10, note: null },
      { id: 11, note: 'x' },
    ]);

    const defaults = await sb()
      .from(`${p}_items`)
      .insert(
        [
          { id: 12, name: 'c' },
          { id: 13, name: 'd', note: 'y', qty: 4 },
        ],
        { defaultToNull: false },
      )
      .select('id, qty, note');
    expect(defaults.error).toBeNull();
    expect(defaults.data).toEqual(
      expect.arrayContaining([
        { id: 12, qty: 7, note: 'none' },
        { id: 13, qty: 4, note: 'y' },
      ]),
    );

    const nulled = await sb()
      .from(`${p}_items`)
      .insert([
        { id: 14, name: 'e' },
        { id: 15, name: 'f', qty: 1 },
      ]);
    expect(nulled.status).toBe(400);
    expect(nulled.error).toMatchObject({ code: '23502' });

    const embedded = await sb()
      .from(`${p}_books`)
      .insert({ id: 1, author_id: 1, title: 'T' })
      .select(`title, author:${p}_authors!author_id(name)`)
      .single();
    expect(embedded.data).toEqual({ title: 'T', author: { name: 'Ursula' } });
  });

  it('upserts with merge-duplicates and ignore-duplicates, on the primary key or on_conflict', async () => {
    await sb().from(`${p}_items`).insert({ id: 20, name: 'orig', code: 'c20' });
    const merged = await sb()
      .from(`${p}_items`)
      .upsert([
        { id: 20, name: 'merged' },
        { id: 21, name: 'new' },
      ])
      .select('id, name')
      .order('id');
    expect(merged.error).toBeNull();
    expect(merged.data).toEqual([
      { id: 20, name: 'merged' },
      { id: 21, name: 'new' },
    ]);
    expect(merged.status).toBe(201);
    const updatedOnly = await sb().from(`${p}_items`).upsert({ id: 21, name: 'updated' }).select('name');
    expect(updatedOnly.status).toBe(200);
    expect(updatedOnly.data).toEqual([{ name: 'updated' }]);
    const ignored = await sb()
      .from(`${p}_items`)
      .upsert({ id: 20, name: 'ignored' }, { ignoreDuplicates: true })
      .select('id');
    expect(ignored.status).toBe(201);
    expect(ignored.data).toEqual([]);
    const byCode = await sb()
      .from(`${p}_items`)
      .upsert({ id: 22, code: 'c20', name: 'by code' }, { onConflict: 'code' })
      .select('id, name');
    expect(byCode.data).toEqual([{ id: 22, name: 'by code' }]);
    const raw = await rest(`/${p}_items?on_conflict=id`, {
      method: 'POST',
      headers: {
        'content-profile': 'rest_fixture',
        'content-type': 'application/json',
        prefer: 'resolution=merge-duplicates,return=representation',
      },
      body: JSON.stringify({ id: 21, name: 'again' }),
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('preference-applied')).toBe('resolution=merge-duplicates, return=representation');
  });

  it('refuses bad bodies and unknown columns', async () => {
    const bad = await rest(`/${p}_items`, {
      method: 'POST',
      headers: { 'content-profile': 'rest_fixture', 'content-type': 'application/json' },
      body: '{"id":',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      code: 'PGRST102',
      message: 'Empty or invalid json',
      details: null,
      hint: null,
    });
    const col = await sb().from(`${p}_items`).insert({ id: 30, name: 'x', nope: 1 });
    expect(col.status).toBe(400);
    expect(col.error).toMatchObject({
      code: 'PGRST204',
      message: `Could not find the 'nope' column of '${p}_items' in the schema cache`,
    });
    const mixed = await rest(`/${p}_items`, {
      method: 'POST',
      headers: { 'content-profile': 'rest_fixture', 'content-type': 'application/json' },
      body: '[{"id":31,"name":"a"},{"id":32}]',
    });
    expect(mixed.status).toBe(400);
    expect((await mixed.json()).message).toBe('All object keys must match');
  });

  it('maps constraint violations to 409 and 400 with Postgres details', async () => {
    const dup = await sb().from(`${p}_items`).insert({ id: 1, name: 'dup' });
    expect(dup.status).toBe(409);
    expect(dup.error).toEqual({
      code: '23505',
      message: `duplicate key value violates unique constraint "${p}_items_pkey"`,
      details: 'Key (id)=(1) already exists.',
      hint: null,
    });
    const fk = await sb().from(`${p}_books`).insert({ id: 2, author_id: 999, title: 'x' });
    expect(fk.status).toBe(409);
    expect(fk.error?.code).toBe('23503');
    const check = await sb().from(`${p}_items`).insert({ id: 40, name: 'neg', qty: -1 });
    expect(check.status).toBe(400);
    expect(check.error?.code).toBe('23514');
    const notNull = await sb().from(`${p}_items`).insert({ id: 41 });
    expect(notNull.status).toBe(400);
    expect(notNull.error?.code).toBe('23502');
  });

  it('rolls back with Prefer: tx=rollback', async () => {
    const res = await sb().from(`${p}_items`).insert({ id: 50, name: 'ghost' }).select('id').rollback();
    expect(res.data).toEqual([{ id: 50 }]);
    const { rows } = await db.query(`select 1 from rest_fixture.${p}_items where id = 50`);
    expect(rows).toHaveLength(0);
  });
});

describe('update and delete', () => {
  it('updates with filters: 204 by default, 200 with the rows when selected, count in Content-Range', async () => {
    await sb()
      .from(`${p}_items`)
      .insert([
        { id: 60, name: 'u1', qty: 1 },
        { id: 61, name: 'u2', qty: 1 },
        { id: 62, name: 'u3', qty: 2 },
      ]);
    const plain = await sb().from(`${p}_items`).update({ note: 'touched' }).eq('id', 60);
    expect(plain.status).toBe(204);
    const rep = await sb()
      .from(`${p}_items`)
      .update({ qty: 5 }, { count: 'exact' })
      .in('id', [60, 61, 62])
      .eq('qty', 1)
      .select('id, qty, note')
      .order('id');
    expect(rep.status).toBe(200);
    expect(rep.count).toBe(2);
    expect(rep.data).toEqual([
      { id: 60, qty: 5, note: 'touched' },
      { id: 61, qty: 5, note: 'none' },
    ]);
    const single = await sb().from(`${p}_items`).update({ qty: 9 }).in('id', [60, 61]).select().single();
    expect(single.status).toBe(406);
    const { rows } = await db.query(`select qty from rest_fixture.${p}_items where id in (60, 61) order by id`);
    expect(rows).toEqual([{ qty: 5 }, { qty: 5 }]);
  });

  it('deletes with filters and returns deleted rows when selected', async () => {
    await sb()
      .from(`${p}_items`)
      .insert([
        { id: 70, name: 'd1' },
        { id: 71, name: 'd2' },
      ]);
    const del = await sb().from(`${p}_items`).delete().eq('id', 70);
    expect(del.status).toBe(204);
    const rep = await sb().from(`${p}_items`).delete({ count: 'exact' }).eq('id', 71).select('name');
    expect(rep.data).toEqual([{ name: 'd2' }]);
    expect(rep.count).toBe(1);
    const none = await sb().from(`${p}_items`).delete().eq('id', 9999).select();
    expect(none.data).toEqual([]);
  });

  it('enforces max-affected with handling=strict', async () => {
    await sb()
      .from(`${p}_items`)
      .insert([
        { id: 80, name: 'm', qty: 1 },
        { id: 81, name: 'm', qty: 1 },
      ]);
    // The untyped client's typings assume PostgREST 12, which has no max-affected; the stack answers as 13 does.
    const strict = sb().from(`${p}_items`).update({ qty: 2 }).eq('name', 'm').maxAffected(1);
    const res = await (strict as unknown as PromiseLike<PostgrestSingleResponse<null>>);
    expect(res.status).toBe(400);
    expect(res.error?.code).toBe('PGRST124');
    const { rows } = await db.query(`select qty from rest_fixture.${p}_items where name = 'm'`);
    expect(rows).toEqual([{ qty: 1 }, { qty: 1 }]);
  });
});
