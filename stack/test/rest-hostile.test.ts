import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, fixture, prefix, rest, superuser } from './rest-fixture.ts';

const p = prefix('ho');
let db: pg.Client;
const sb = () => fixture(env.SUPABASE_SERVICE_ROLE_KEY);

const HOSTILE = [
  `'; drop table rest_fixture.${'CANARY'}; --`,
  `a'b"c`,
  `)`,
  `(`,
  `a,b`,
  `x) or (1=1`,
  `"quoted"`,
  `back\\slash`,
  `semi;colon`,
  `100% *wild*`,
  `💥 ünïcödé ✓`,
  `{curly,braces}`,
  `$1`,
  'x'.repeat(10_000),
];

/** Quotes a value for use inside or=(…) / in.(…): double quotes with backslash escapes, as PostgREST reads them. */
const q = (v: string) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    `
    create table rest_fixture.${p}_t (id int primary key, name text, tags text[], doc jsonb);
    create table rest_fixture.${p}_canary (id int);
    grant all on rest_fixture.${p}_t, rest_fixture.${p}_canary to anon, authenticated, service_role;
    insert into rest_fixture.${p}_canary values (1);`,
  );
  HOSTILE[0] = HOSTILE[0]!.replace('CANARY', `${p}_canary`);
  const { error } = await sb()
    .from(`${p}_t`)
    .insert(HOSTILE.map((name, id) => ({ id, name, tags: [name], doc: { k: name } })));
  expect(error).toBeNull();
});
afterAll(async () => {
  const { rows } = await db.query(`select count(*)::int as n from rest_fixture.${p}_canary`);
  expect(rows[0].n).toBe(1);
  await db.end();
});

describe('hostile values are data, never SQL', () => {
  it('round-trips every value through insert and eq/neq/like/in/or/cs/JSON-path filters', async () => {
    for (const [id, v] of HOSTILE.entries()) {
      const eq = await sb().from(`${p}_t`).select('id').eq('name', v);
      expect(eq.error, v).toBeNull();
      expect(eq.data, v).toEqual([{ id }]);
      const inList = await sb()
        .from(`${p}_t`)
        .select('id')
        .filter('name', 'in', `(${q(v)},other)`);
      expect(inList.data, v).toEqual([{ id }]);
      const orq = await sb()
        .from(`${p}_t`)
        .select('id')
        .or(`name.eq.${q(v)},id.eq.-1`);
      expect(orq.error, v).toBeNull();
      expect(orq.data, v).toEqual([{ id }]);
      const orIn = await sb()
        .from(`${p}_t`)
        .select('id')
        .or(`name.in.(${q(v)})`);
      expect(orIn.data, v).toEqual([{ id }]);
      const json = await sb().from(`${p}_t`).select('id').eq('doc->>k', v);
      expect(json.data, v).toEqual([{ id }]);
      const cs = await sb().from(`${p}_t`).select('id').contains('doc', { k: v });
      expect(cs.data, v).toEqual([{ id }]);
      const neq = await sb().from(`${p}_t`).select('id', { count: 'exact', head: true }).neq('name', v);
      expect(neq.count, v).toBe(HOSTILE.length - 1);
    }
  });

  it('answers hostile values in every operator with results or a clean 4xx', async () => {
    const ops = [
      'eq',
      'neq',
      'gt',
      'gte',
      'lt',
      'lte',
      'like',
      'ilike',
      'match',
      'imatch',
      'is',
      'in',
      'cs',
      'cd',
      'ov',
      'sl',
      'sr',
      'nxl',
      'nxr',
      'adj',
      'fts',
      'plfts',
      'phfts',
      'wfts',
      'isdistinct',
      'like(any)',
      'eq(all)',
      'fts(english)',
    ];
    for (const op of ops) {
      // A representative subset keeps this matrix light on the shared machine; the round-trip test covers every value.
      const values = [
        HOSTILE[0]!,
        `a'b"c`,
        `x) or (1=1`,
        `{curly,braces}`,
        `💥 ünïcödé ✓`,
        HOSTILE[HOSTILE.length - 1]!,
        'nul\u0000byte',
      ];
      const cases = values.flatMap((v) => ['name', 'tags', 'doc'].map((col) => [col, v] as const));
      await Promise.all(
        cases.map(async ([col, v]) => {
          const res = await rest(`/${p}_t?select=id&${encodeURIComponent(col)}=${encodeURIComponent(`${op}.${v}`)}`, {
            headers: { 'accept-profile': 'rest_fixture' },
          });
          expect(res.status, `${col}=${op}.${v.slice(0, 40)}`).toBeLessThan(500);
          if (res.status === 200) expect(Array.isArray(await res.json())).toBe(true);
          else expect(await res.json()).toHaveProperty('code');
        }),
      );
    }
  }, 120_000);

  it('treats hostile names in select, order, filters, columns, on_conflict, paths and headers as unknown identifiers', async () => {
    const names = [HOSTILE[0]!, `a'b"c`, `)`, `x) or (1=1`, `💥 ünïcödé ✓`, 'nul\u0000name', `name"; select 1; --`];
    for (const n of names) {
      const e = encodeURIComponent;
      const attempts: [string, RequestInit][] = [
        [`/${p}_t?select=${e(n)}`, {}],
        [`/${p}_t?select=${e(`alias:name::${n}`)}`, {}],
        [`/${p}_t?order=${e(n)}`, {}],
        [`/${p}_t?${e(n)}=eq.1`, {}],
        [`/${p}_t?or=${e(`(${n}.eq.1)`)}`, {}],
        [`/${p}_t?select=id,${e(n)}(*)`, {}],
        [`/${e(n)}`, {}],
        [`/rpc/${e(n)}`, {}],
        [
          `/${p}_t?columns=${e(q(n))}`,
          {
            method: 'POST',
            body: '[{"id":1000}]',
            headers: { 'content-type': 'application/json', prefer: 'tx=rollback' },
          },
        ],
        [
          `/${p}_t?on_conflict=${e(n)}`,
          {
            method: 'POST',
            body: '{"id":1000}',
            headers: { 'content-type': 'application/json', prefer: 'resolution=merge-duplicates,tx=rollback' },
          },
        ],
        [
          `/${p}_t`,
          { method: 'POST', body: JSON.stringify({ [n]: 1 }), headers: { 'content-type': 'application/json' } },
        ],
        [
          `/${p}_t?id=eq.1`,
          { method: 'PATCH', body: JSON.stringify({ [n]: 1 }), headers: { 'content-type': 'application/json' } },
        ],
      ];
      for (const [path, init] of attempts) {
        const headers = new Headers(init.headers);
        headers.set(init.method ? 'content-profile' : 'accept-profile', 'rest_fixture');
        headers.set('authorization', `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}`);
        const res = await rest(path, { ...init, headers });
        expect(res.status, `${init.method ?? 'GET'} ${path.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${init.method ?? 'GET'} ${path.slice(0, 80)}`).toBeLessThan(500);
        expect(await res.json()).toHaveProperty('code');
      }
    }
    // Aliases are output keys: any text the select grammar can carry comes back verbatim.
    for (const alias of ['semi;colon', 'drop table x', '💥', `"a,b"`]) {
      const res = await rest(`/${p}_t?select=${encodeURIComponent(`${alias}:name`)}&id=eq.1`, {
        headers: { 'accept-profile': 'rest_fixture' },
      });
      expect(res.status, alias).toBe(200);
      expect(Object.keys((await res.json())[0])).toEqual([alias.replaceAll('"', '')]);
    }
    // A JSON key is data: any key is fine and yields null where absent.
    const key = await rest(`/${p}_t?select=${encodeURIComponent(`x:doc->${q(HOSTILE[0]!)}`)}&id=eq.0`, {
      headers: { 'accept-profile': 'rest_fixture' },
    });
    expect(await key.json()).toEqual([{ x: null }]);
    const schema = await rest(`/${p}_t`, { headers: { 'accept-profile': `rest_fixture", public; --` } });
    expect(schema.status).toBe(406);
    const prefer = await rest(`/${p}_t`, {
      headers: { 'accept-profile': 'rest_fixture', prefer: `count=exact'; drop table x; --` },
    });
    expect(prefer.status).toBe(200);
  });

  it('stores a 10,000-character unicode value and refuses NUL bytes with 400', async () => {
    const long = '✓ü'.repeat(5000);
    const ins = await sb().from(`${p}_t`).insert({ id: 500, name: long }).select('name').single();
    expect(ins.data).toEqual({ name: long });
    const nul = await sb().from(`${p}_t`).insert({ id: 501, name: 'a\u0000b' });
    expect(nul.status).toBe(400);
    const nulFilter = await sb().from(`${p}_t`).select('id').eq('name', 'a\u0000b');
    expect(nulFilter.status).toBe(400);
  });
});
