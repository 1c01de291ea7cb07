/**
 * Generated requests against /rest/v1 from a fixed seed: random mixes of method, relation, query parameters, headers and
 * body. None may be answered 5xx; every error must be a JSON object with a message. The same seed gives the same requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, makeUser, prefix, rest, superuser } from './rest-fixture.ts';

const p = prefix('fz');
// REST_FUZZ_SEED / REST_FUZZ_COUNT explore further by hand; the suite always runs the fixed seed.
const SEED = Number(process.env.REST_FUZZ_SEED ?? 0x5eed_2026);
const COUNT = Number(process.env.REST_FUZZ_COUNT ?? 400);
let db: pg.Client;
let userToken = '';

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    `
    create table rest_fixture.${p}_t (id int primary key, name text, n numeric, tags text[], doc jsonb, at timestamptz, parent int references rest_fixture.${p}_t (id));
    create table rest_fixture.${p}_nopk (a int, b text);
    create table rest_fixture.${p}_child (id serial primary key, t_id int references rest_fixture.${p}_t (id) on delete cascade, note text not null);
    create view rest_fixture.${p}_v as select id, name, n from rest_fixture.${p}_t;
    create view rest_fixture.${p}_vagg as select count(*) as c from rest_fixture.${p}_t;
    create function rest_fixture.${p}_add(a int, b int default 1) returns int language sql as 'select a + b';
    create function rest_fixture.${p}_rows(min int default 0) returns setof rest_fixture.${p}_t language sql stable as 'select * from rest_fixture.${p}_t where id >= min';
    create function rest_fixture.${p}_void() returns void language sql as '';
    create function rest_fixture.${p}_json(json) returns json language sql as 'select $1';
    create function rest_fixture.${p}_raise() returns int language plpgsql as $$ begin raise exception 'refused by the function'; end $$;
    grant all on all tables in schema rest_fixture to anon, authenticated, service_role;
    grant all on all sequences in schema rest_fixture to anon, authenticated, service_role;
    insert into rest_fixture.${p}_t (id, name, n, tags, doc) values (1, 'one', 1.5, '{a,b}', '{"k":1}'), (2, 'two', 2, '{}', null);
    insert into rest_fixture.${p}_child (t_id, note) values (1, 'x');`,
  );
  userToken = (await makeUser(db)).token;
});
afterAll(() => db.end());

/** mulberry32: a small deterministic generator, so a failure can be replayed from its index. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Each dimension draws from well-formed values most of the time and from hostile ones otherwise, so that requests
// get past the first check often enough to reach planning, SQL and response shaping. Well-formed selects, filters
// and bodies belong to their relation.
interface Target {
  path: string;
  selects: string[];
  filters: string[];
  bodies: string[];
}
const TARGETS: Target[] = [
  {
    path: `${p}_t`,
    selects: [
      '*',
      'id,name',
      `id,kids:${p}_child(*)`,
      `*,${p}_child(note)`,
      'doc->k',
      'doc->>k',
      `*,parent:${p}_t!parent(*)`,
      `*,${p}_child!inner(note)`,
      `id,${p}_child(count)`,
      `id,...parent:${p}_t!parent(name)`,
      'id,name::text,n::int',
      'id,tags,at',
    ],
    filters: [
      'id=eq.1',
      'id=in.(1,2)',
      'name=like.*o*',
      'name=fts.one',
      'tags=cs.{a}',
      'doc->>k=eq.1',
      'doc=cs.{"k":1}',
      'or=(id.eq.1,name.eq.two)',
      'and=(id.gt.0)',
      'not.id=eq.1',
      'id=not.is.null',
      'id=gte.0',
      `${p}_child.note=eq.x`,
      `${p}_child.order=note.desc`,
      `${p}_child.limit=1`,
      'name=ilike(any).{o*,t*}',
      'id=eq(any).{1,2}',
      'doc->k=eq."a"',
      'order=id.desc',
      'at=is.null',
    ],
    bodies: [
      '{}',
      '[]',
      '{"id":77}',
      '[{"id":78},{"id":79}]',
      '{"name":"renamed"}',
      '{"id":80,"name":"v","tags":["x"],"doc":{"k":2}}',
      '{"n":3.25}',
      '[{"id":1,"name":"one"}]',
      '{"parent":1}',
    ],
  },
  {
    path: `${p}_nopk`,
    selects: ['*', 'a,b', 'b:a'],
    filters: ['a=eq.1', 'b=is.null', 'a=gt.0'],
    bodies: ['{"a":5,"b":"z"}', '[{"a":1},{"a":2}]', '{"b":"q"}'],
  },
  {
    path: `${p}_child`,
    selects: ['*', `note,t:${p}_t(name)`, `id,${p}_t!inner(id)`],
    filters: ['t_id=eq.1', 'note=neq.x', `${p}_t.name=eq.one`],
    bodies: ['{"t_id":1,"note":"n"}', '[{"t_id":2,"note":"m"}]', '{"note":"renamed"}'],
  },
  {
    path: `${p}_v`,
    selects: ['*', 'id,name'],
    filters: ['id=eq.1', 'name=is.null'],
    bodies: ['{"id":90,"name":"v"}', '{"name":"w"}'],
  },
  { path: `${p}_vagg`, selects: ['c'], filters: ['c=gt.0'], bodies: ['{"c":1}'] },
  { path: `rpc/${p}_add`, selects: [], filters: ['a=1', 'a=1&b=2'], bodies: ['{"a":1}', '{"a":2,"b":3}'] },
  {
    path: `rpc/${p}_rows`,
    selects: ['id,name', `*,${p}_child(*)`, 'doc->>k'],
    filters: ['min=1', 'id=gt.0', 'min=0&id=lt.5'],
    bodies: ['{}', '{"min":1}'],
  },
  { path: `rpc/${p}_void`, selects: [], filters: [], bodies: ['{}'] },
  { path: `rpc/${p}_json`, selects: [], filters: [], bodies: ['{"x":[1,2]}', '{}'] },
  { path: `rpc/${p}_raise`, selects: [], filters: [], bodies: ['{}'] },
];
const BAD_RELATIONS = ['no_such_table', 'rpc/no_such_fn', '', 'rpc', `${p}_t/extra`, '%E0%A4%A'];
const METHODS = [
  ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
  ['PUT', 'PROPFIND', 'OPTIONS'],
] as const;
const BAD_SELECTS = [
  'name::int',
  'nope',
  'id,',
  '(id',
  '*,no_rel(*)',
  'n.sum()',
  'count()',
  'x:id::nosuchtype',
  'doc->>k::text',
  '',
  `*,${p}_child(*`,
  `...${p}_child(*)`,
  `*,${p}_child!nope(*)`,
  'id->>0',
  `*,${p}_child!left(*)`,
  'a,b',
  'c',
];
const BAD_FILTERS = [
  'id=eq.x',
  'id=in.(1,',
  'tags=cs.{a',
  'doc=cs.{bad',
  'at=gt.yesterday',
  'n=gt.1e400',
  'n=lt.NaNx',
  'or=(id.eq.1',
  'id=is.maybe',
  'id=gtx.1',
  'name=eq.' + encodeURIComponent("'; drop table x; --"),
  'nope=eq.1',
  'a=x',
  `${p}_child.nope=eq.1`,
  'limit=1&limit=2',
  'select=id&select=name',
  'a={1,2}',
  'id=eq(any).{1,',
  'name=like(some).x',
  'no_rel.id=eq.1',
  'or=(' + 'id.eq.1,'.repeat(500) + 'id.eq.2)',
  'min=x',
  'c=gt.0',
  'a=eq.1',
];
const ORDERS = [
  ['id', 'id.desc', 'name.asc.nullsfirst', 'a'],
  ['nope', 'id.sideways', 'id,', `${p}_child(note)`],
] as const;
const PAGING = [
  ['limit=1', 'offset=1', 'limit=0&offset=10', 'limit=2&offset=0'],
  ['limit=-1', 'limit=x', 'offset=-5', 'limit=99999999999999999999'],
] as const;
const EXTRAS = [
  ['on_conflict=id', 'columns=id,name', 'columns="id"', 'columns=a,b'],
  ['on_conflict=a', 'on_conflict=nope', 'on_conflict=', 'columns=nope', 'columns='],
] as const;
const ACCEPTS = [
  [
    undefined,
    undefined,
    'application/json',
    'text/csv',
    'application/vnd.pgrst.object+json',
    'application/vnd.pgrst.object+json;nulls=stripped',
    'application/vnd.pgrst.array+json;nulls=stripped',
    '*/*',
    'text/csv, application/json;q=0.1',
    'application/vnd.pgrst.object+json, text/csv',
  ],
  [
    'application/geo+json',
    'application/openapi+json',
    'text/*',
    'garbage',
    '',
    'application/vnd.pgrst.plan+json',
    'application/octet-stream',
  ],
] as const;
const PREFERS = [
  [
    undefined,
    'return=representation',
    'return=minimal',
    'return=headers-only',
    'count=exact',
    'count=planned',
    'count=estimated',
    'resolution=merge-duplicates',
    'resolution=ignore-duplicates',
    'missing=default',
    'tx=rollback',
    'tx=commit',
    'handling=strict',
    'handling=strict, max-affected=0',
    'handling=lenient',
  ],
  [
    'handling=strict, bogus=1',
    'params=single-object',
    'timezone=Mars/Olympus',
    'return=',
    ',,,',
    'count=exact;q=1',
    'max-affected=-1',
  ],
] as const;
const CONTENT_TYPES = [
  [undefined, 'application/json', 'application/json; charset=utf-8'],
  [
    'text/csv',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    'application/vnd.pgrst.object+json',
    'multipart/form-data; boundary=x',
  ],
] as const;
const PROFILES = [['rest_fixture'], [undefined, 'public', 'auth', 'nope', '']] as const;
const BAD_BODIES = [
  'null',
  '0',
  '-1e400',
  '"text"',
  'true',
  '',
  '{',
  '[',
  '[null]',
  '[1,2]',
  '[[]]',
  '[{"id":81},{"name":"x"}]',
  '{"id":"x"}',
  '{"nope":1}',
  '{"note":null}',
  '{"id":82,"doc":{"k":"\\u0000"}}',
  '{"id":83,"name":"\\ud800"}',
  '{"id":84,"n":1e999}',
  `{"deep":${'['.repeat(3000)}${']'.repeat(3000)}}`,
  '{"id":85,"tags":"not-an-array"}',
  '{"min":"x"}',
  '{"c":1}',
  'id,name\n86,csv',
  '{"a":5,"b":"z"}',
];

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!;
}

/** A well-formed value with probability 1 - `hostile`, else a hostile one. */
function choose<T>(rnd: () => number, [good, bad]: readonly [readonly T[], readonly T[]], hostile = 0.2): T {
  return pick(rnd, rnd() < hostile ? bad : good);
}

interface Generated {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function generate(rnd: () => number): Generated {
  // Two requests in five are well-formed throughout (they reach SQL and response shaping); the rest carry hostile parts.
  const h = rnd() < 0.4 ? 0 : 0.25;
  const target = pick(rnd, TARGETS);
  const relation = rnd() < h / 4 ? pick(rnd, BAD_RELATIONS) : target.path;
  const rpc = relation.startsWith('rpc/');
  const method = rpc && rnd() < 0.8 ? pick(rnd, ['GET', 'POST', 'HEAD']) : choose(rnd, METHODS, h / 4);
  const params: string[] = [];
  if (rnd() < 0.5)
    params.push(
      `select=${encodeURIComponent(choose(rnd, [target.selects, BAD_SELECTS], target.selects.length ? h : 1))}`,
    );
  for (let i = Math.floor(rnd() * 3); i > 0; i--)
    params.push(choose(rnd, [target.filters, BAD_FILTERS], target.filters.length ? h : 1));
  if (rnd() < 0.3) params.push(`order=${encodeURIComponent(choose(rnd, ORDERS, h))}`);
  if (rnd() < 0.3) params.push(choose(rnd, PAGING, h));
  if (rnd() < 0.3) params.push(choose(rnd, EXTRAS, h));
  const headers: Record<string, string> = {};
  const auth = rnd();
  if (auth < 0.4) headers.authorization = `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}`;
  else if (auth < 0.7) headers.authorization = `Bearer ${userToken}`;
  else if (auth < 0.7 + h / 4) headers.authorization = 'Bearer not.a.jwt';
  else if (auth < 0.78) headers.apikey = env.SUPABASE_SECRET_KEY;
  const accept = choose(rnd, ACCEPTS, h / 2);
  if (accept !== undefined) headers.accept = accept;
  const prefer = [choose(rnd, PREFERS, h / 2), rnd() < 0.4 ? choose(rnd, PREFERS, h / 2) : undefined]
    .filter((x) => x !== undefined)
    .join(', ');
  if (prefer) headers.prefer = prefer;
  const contentType = choose(rnd, CONTENT_TYPES, h / 2);
  if (contentType !== undefined) headers['content-type'] = contentType;
  const profile = choose(rnd, PROFILES, h / 4);
  if (profile !== undefined)
    headers[method === 'GET' || method === 'HEAD' ? 'accept-profile' : 'content-profile'] = profile;
  const body = method === 'GET' || method === 'HEAD' ? undefined : choose(rnd, [target.bodies, BAD_BODIES], h);
  const query = params.length ? `?${params.join('&')}` : '';
  return { method, path: `/${relation}${query}`, headers, ...(body === undefined ? {} : { body }) };
}

describe('generated REST requests', () => {
  it(`answers ${COUNT} seeded permutations of method, path, query, headers and body without a 5xx`, {
    timeout: 240_000,
  }, async () => {
    const rnd = random(SEED);
    const cases = Array.from({ length: COUNT }, () => generate(rnd));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    // A few at a time: enough to overlap round trips, few enough for a shared two-core machine.
    for (let i = 0; i < cases.length; i += 4) {
      await Promise.all(
        cases.slice(i, i + 4).map(async (c, j) => {
          const res = await rest(c.path, {
            method: c.method,
            headers: c.headers,
            ...(c.body === undefined ? {} : { body: c.body }),
          });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const label = `#${i + j} ${c.method} ${c.path.slice(0, 120)} ${JSON.stringify(c.headers).slice(0, 400)} body=${JSON.stringify(c.body?.slice(0, 60))}`;
          if (res.status >= 500) failures.push(`${res.status} ${label} -> ${text.slice(0, 200)}`);
          else if (res.status >= 400 && c.method !== 'HEAD') {
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = null;
            }
            if (
              typeof parsed !== 'object' ||
              parsed === null ||
              typeof (parsed as { message?: unknown }).message !== 'string'
            ) {
              failures.push(`${res.status} without a JSON error message: ${label} -> ${text.slice(0, 200)}`);
            }
          }
        }),
      );
    }
    if (process.env.REST_FUZZ_COUNT) console.log(JSON.stringify([...statuses].sort((a, b) => a[0] - b[0])));
    expect(failures).toEqual([]);
    // The generator must reach both outcomes, or it tests nothing.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThan(3);
  });
});
