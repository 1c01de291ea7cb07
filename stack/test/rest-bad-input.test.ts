/** Writes PostgREST answers with a 4xx that the stack used to answer with a 500: keyless relations, non-updatable views, Accept/Prefer combinations, non-object bodies. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, prefix, rest, superuser } from './rest-fixture.ts';

const p = prefix('bad');
let db: pg.Client;

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    `
    create table rest_fixture.${p}_t (id int primary key, name text, n int, doc jsonb);
    create table rest_fixture.${p}_nopk (a int, b text);
    create view rest_fixture.${p}_v as select id, name, n from rest_fixture.${p}_t;
    create view rest_fixture.${p}_vnopk as select a, b from rest_fixture.${p}_nopk;
    create view rest_fixture.${p}_vagg as select count(*) as c from rest_fixture.${p}_t;
    create view rest_fixture.${p}_vjoin as select t.id, t.name, k.b from rest_fixture.${p}_t t join rest_fixture.${p}_nopk k on k.a = t.id;
    create function rest_fixture.${p}_rows() returns setof rest_fixture.${p}_t language sql stable as 'select * from rest_fixture.${p}_t';
    create materialized view rest_fixture.${p}_mv as select id, name from rest_fixture.${p}_t;
    grant all on all tables in schema rest_fixture to anon, authenticated, service_role;
    grant execute on function rest_fixture.${p}_rows() to anon, authenticated, service_role;
    insert into rest_fixture.${p}_t values (1, 'one', 1, '{"k":"a"}'), (2, 'two', 2, null);
    insert into rest_fixture.${p}_nopk values (1, 'x');`,
  );
});
afterAll(() => db.end());

/** A write to rest_fixture as the service role. */
function write(
  method: string,
  path: string,
  body: string | null,
  headers: Record<string, string> = {},
): Promise<Response> {
  return rest(path, {
    method,
    ...(body === null ? {} : { body }),
    headers: {
      authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}`,
      'content-profile': 'rest_fixture',
      'content-type': 'application/json',
      ...headers,
    },
  });
}

async function rows(table: string, where = 'true'): Promise<unknown[]> {
  return (await db.query(`select * from rest_fixture.${table} where ${where} order by 1`)).rows;
}

describe('relations without a primary key', () => {
  it('inserts into a keyless table and ignores resolution=merge-duplicates, as PostgREST does', async () => {
    const res = await write('POST', `/${p}_nopk`, '[{"a":10,"b":"u"}]', {
      prefer: 'return=representation, resolution=merge-duplicates',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('preference-applied')).toBe('return=representation');
    expect(await res.json()).toEqual([{ a: 10, b: 'u' }]);
    const plain = await write('POST', `/${p}_nopk`, '{"a":11}', { prefer: 'resolution=ignore-duplicates' });
    expect(plain.status).toBe(201);
    expect(await rows(`${p}_nopk`, 'a >= 10')).toEqual([
      { a: 10, b: 'u' },
      { a: 11, b: null },
    ]);
  });

  it('refuses on_conflict on columns without a unique constraint with 400 42P10 and inserts nothing', async () => {
    const res = await write('POST', `/${p}_nopk?on_conflict=a`, '{"a":20}', { prefer: 'resolution=merge-duplicates' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: '42P10',
      message: 'there is no unique or exclusion constraint matching the ON CONFLICT specification',
    });
    expect(await rows(`${p}_nopk`, 'a = 20')).toEqual([]);
  });

  it('inserts through views (with return=representation and headers-only) and upserts on a view with on_conflict', async () => {
    const viaView = await write('POST', `/${p}_v`, '{"id":30,"name":"thirty"}', {
      prefer: 'return=representation, resolution=merge-duplicates',
    });
    expect(viaView.status).toBe(201);
    expect(await viaView.json()).toEqual([{ id: 30, name: 'thirty', n: null }]);
    const headersOnly = await write('POST', `/${p}_vnopk`, '{"a":31}', { prefer: 'return=headers-only' });
    expect(headersOnly.status).toBe(201);
    expect(headersOnly.headers.get('location')).toBeNull();
    expect(await headersOnly.text()).toBe('');
    const upsert = await write('POST', `/${p}_v?on_conflict=id`, '{"id":30,"name":"merged"}', {
      prefer: 'return=representation, resolution=merge-duplicates',
    });
    expect(upsert.status).toBeLessThan(300);
    expect(await upsert.json()).toEqual([{ id: 30, name: 'merged', n: null }]);
    expect(await rows(`${p}_t`, 'id = 30')).toEqual([{ id: 30, name: 'merged', n: null, doc: null }]);
  });
});

describe('views', () => {
  it('updates and deletes through an auto-updatable view, with return=representation', async () => {
    const upd = await write('PATCH', `/${p}_v?id=eq.1`, '{"n":5}', { prefer: 'return=representation' });
    expect(upd.status).toBe(200);
    expect(await upd.json()).toEqual([{ id: 1, name: 'one', n: 5 }]);
    await write('POST', `/${p}_t`, '{"id":40}');
    const del = await write('DELETE', `/${p}_v?id=eq.40`, null, { prefer: 'return=representation' });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual([{ id: 40, name: null, n: null }]);
  });

  it('refuses writes to views Postgres cannot update with 405 and its explanation, changing nothing', async () => {
    const before = await rows(`${p}_t`);
    const cases: [string, string, string | null, string][] = [
      ['PATCH', `/${p}_vagg`, '{"c":1}', `cannot update view "${p}_vagg"`],
      ['DELETE', `/${p}_vagg?c=gt.0`, null, `cannot delete from view "${p}_vagg"`],
      ['POST', `/${p}_vagg`, '{"c":1}', `cannot insert into view "${p}_vagg"`],
      ['PATCH', `/${p}_vjoin?id=eq.1`, '{"name":"z"}', `cannot update view "${p}_vjoin"`],
      ['DELETE', `/${p}_vjoin?id=eq.1`, null, `cannot delete from view "${p}_vjoin"`],
    ];
    for (const [method, path, body, message] of cases) {
      for (const prefer of ['return=minimal', 'return=representation']) {
        const res = await write(method, path, body, { prefer });
        expect(res.status, `${method} ${path} ${prefer}`).toBe(405);
        const err = await res.json();
        expect(err).toMatchObject({ code: '55000', message });
        expect(err.details).toMatch(/not automatically updatable/);
        expect(err.hint).toMatch(/INSTEAD OF/);
      }
    }
    expect(await rows(`${p}_t`)).toEqual(before);
  });

  it('refuses writes to a materialized view with a 4xx', async () => {
    for (const [method, body] of [
      ['PATCH', '{"name":"z"}'],
      ['DELETE', null],
      ['POST', '{"id":9}'],
    ] as const) {
      const res = await write(method, `/${p}_mv?id=eq.1`, body);
      expect(res.status, method).toBeGreaterThanOrEqual(400);
      expect(res.status, method).toBeLessThan(500);
      expect(await res.json()).toHaveProperty('code');
    }
  });
});

describe('Accept and Prefer combinations', () => {
  it('answers return=headers-only with a Location from the primary key, whatever Accept and select say', async () => {
    const accepts = [
      'text/csv',
      'application/json',
      'application/vnd.pgrst.object+json',
      'application/vnd.pgrst.array+json;nulls=stripped',
      '*/*',
    ];
    for (const [i, accept] of accepts.entries()) {
      for (const select of ['', '?select=name', '?select=id,name']) {
        const id = 100 + i * 10 + select.length;
        const res = await write('POST', `/${p}_t${select}`, JSON.stringify({ id, name: 'h' }), {
          accept,
          prefer: 'return=headers-only',
        });
        expect(res.status, `${accept} ${select}`).toBe(201);
        expect(res.headers.get('location'), `${accept} ${select}`).toBe(`/${p}_t?id=eq.${id}`);
        expect(res.headers.get('content-type')).toBeNull();
        expect(await res.text()).toBe('');
      }
    }
  });

  it('answers every return preference with every response media type on insert, update and delete without a 5xx', async () => {
    const accepts = [
      'text/csv',
      'application/vnd.pgrst.object+json',
      'application/vnd.pgrst.object+json;nulls=stripped',
      'application/vnd.pgrst.array+json;nulls=stripped',
      'application/geo+json',
    ];
    const prefers = [
      'return=headers-only',
      'return=representation',
      'return=minimal',
      'return=headers-only, count=exact',
      'return=representation, resolution=merge-duplicates',
    ];
    for (const accept of accepts) {
      for (const prefer of prefers) {
        for (const [method, path, body] of [
          ['POST', `/${p}_t`, '{"id":500}'],
          ['PATCH', `/${p}_t?id=eq.2`, '{"n":2}'],
          ['DELETE', `/${p}_t?id=eq.2`, null],
          ['POST', `/${p}_nopk`, '{"a":500}'],
          ['PATCH', `/${p}_vagg`, '{"c":1}'],
        ] as const) {
          const res = await write(method, path, body, { accept, prefer: `${prefer}, tx=rollback` });
          const label = `${method} ${path} | ${accept} | ${prefer}`;
          expect(res.status, label).toBeLessThan(500);
          const text = await res.text();
          if (res.status >= 400) expect(JSON.parse(text), label).toHaveProperty('message');
        }
      }
    }
    expect(await rows(`${p}_t`, 'id = 500')).toEqual([]);
  });
});

describe('counted reads', () => {
  it('counts rows when select names JSON paths (a count used to bind values its SQL never named: 503 08P01)', async () => {
    for (const path of [
      `/${p}_t?select=k:doc->>k,doc->k&id=lte.2`,
      `/${p}_t?select=doc->>k&id=lte.2&limit=0&offset=1`,
      `/rpc/${p}_rows?select=k:doc->>k&id=lte.2`,
    ]) {
      const res = await rest(path, { headers: { 'accept-profile': 'rest_fixture', prefer: 'count=exact' } });
      expect(res.status, path).toBeLessThan(300);
      expect(res.headers.get('content-range'), path).toMatch(/\/2$/);
    }
    const res = await rest(`/${p}_t?select=k:doc->>k&id=lte.2&order=id`, {
      headers: { 'accept-profile': 'rest_fixture', prefer: 'count=exact' },
    });
    expect(await res.json()).toEqual([{ k: 'a' }, { k: null }]);
  });
});
