import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, fixture, prefix, rest, superuser } from './rest-fixture.ts';

// How /rpc picks a function, as PostgREST 13 does: single unnamed parameters by Content-Type, hidden functions,
// overloads, PGRST202/PGRST203 wording, and max-affected on rpc.
const p = prefix('rr');
let db: pg.Client;
const sb = () => fixture(env.SUPABASE_SERVICE_ROLE_KEY);
const S = 'rest_fixture';

function post(fn: string, body: string | Uint8Array, contentType: string, prefer?: string): Promise<Response> {
  const headers: Record<string, string> = {
    'content-profile': S,
    'content-type': contentType,
    authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}`,
  };
  if (prefer) headers.prefer = prefer;
  return rest(`/rpc/${fn}`, { method: 'POST', headers, body: body as BodyInit });
}

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    `create table rest_fixture.${p}_items (id int primary key, name text);
    create function rest_fixture.${p}_text(text) returns text language sql immutable as $$ select 'got ' || $1 $$;
    create function rest_fixture.${p}_xml(xml) returns text language sql immutable as $$ select xpath('/a/text()', $1)::text $$;
    create function rest_fixture.${p}_bytes(bytea) returns int language sql immutable as $$ select length($1) $$;
    create function rest_fixture.${p}_json(json) returns json language sql immutable as $$ select $1 $$;
    create function rest_fixture.${p}_two_unnamed(int, int) returns int language sql immutable as $$ select $1 + $2 $$;
    create function rest_fixture.${p}_int_unnamed(int) returns int language sql immutable as $$ select $1 $$;
    create function rest_fixture.${p}_over(a int) returns text language sql immutable as $$ select 'int' $$;
    create function rest_fixture.${p}_over(a text) returns text language sql immutable as $$ select 'text' $$;
    create function rest_fixture.${p}_over(a int, b int default 1) returns text language sql immutable as $$ select 'two' $$;
    create function rest_fixture.${p}_pick(x int) returns text language sql immutable as $$ select 'x' $$;
    create function rest_fixture.${p}_pick(y int, z int) returns text language sql immutable as $$ select 'yz' $$;
    create function rest_fixture.${p}_rows() returns setof rest_fixture.${p}_items language sql volatile as
      $$ update rest_fixture.${p}_items set name = name || '!' returning * $$;
    create function rest_fixture.${p}_one() returns int language sql immutable as $$ select 1 $$;
    grant execute on all functions in schema rest_fixture to anon, authenticated, service_role;
    grant all on all tables in schema rest_fixture to anon, authenticated, service_role;`,
  );
  await db.query(`insert into rest_fixture.${p}_items values (1, 'a'), (2, 'b'), (3, 'c')`);
});
afterAll(async () => {
  await db.end();
});

describe('a single unnamed parameter', () => {
  it('receives a text, xml or binary body whole, chosen by Content-Type', async () => {
    const text = await post(`${p}_text`, 'hello, world', 'text/plain');
    expect(text.status).toBe(200);
    expect(await text.json()).toBe('got hello, world');
    const xml = await post(`${p}_xml`, '<a>inner</a>', 'text/xml');
    expect(await xml.json()).toBe('{inner}');
    const bytes = await post(`${p}_bytes`, Buffer.from([0, 1, 2, 255, 0]), 'application/octet-stream');
    expect(await bytes.json()).toBe(5);
    const { data, error } = await sb().rpc(`${p}_json`, { whole: [1, { body: true }] });
    expect(error).toBeNull();
    expect(data).toEqual({ whole: [1, { body: true }] });
  });

  it('is not found when the Content-Type does not match its type, with PostgREST wording', async () => {
    const res = await post(`${p}_text`, '{"a":1}', 'application/json');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      code: 'PGRST202',
      message: `Could not find the function ${S}.${p}_text(a) in the schema cache`,
      details: `Searched for the function ${S}.${p}_text with parameter a or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
      hint: null,
    });
    const xmlToText = await post(`${p}_json`, '<a/>', 'text/xml');
    expect(await xmlToText.json()).toEqual({
      code: 'PGRST202',
      message: `Could not find the function ${S}.${p}_json in the schema cache`,
      details: `Searched for the function ${S}.${p}_json with a single unnamed xml parameter, but no matches were found in the schema cache.`,
      hint: null,
    });
  });

  it('hides functions with several unnamed parameters or one of another type', async () => {
    for (const fn of [`${p}_two_unnamed`, `${p}_int_unnamed`]) {
      const { error, status } = await sb().rpc(fn, {});
      expect(status).toBe(404);
      expect(error?.code).toBe('PGRST202');
      expect(error?.message).toBe(`Could not find the function ${S}.${fn} without parameters in the schema cache`);
    }
  });
});

describe('overloads', () => {
  it('calls the one overload whose parameters match', async () => {
    expect((await sb().rpc(`${p}_over`, { a: 1, b: 2 })).data).toBe('two');
    expect((await sb().rpc(`${p}_pick`, { x: 1 })).data).toBe('x');
    expect((await sb().rpc(`${p}_pick`, { y: 1, z: 2 })).data).toBe('yz');
  });

  it('answers 300 PGRST203 listing the candidates in PostgREST order', async () => {
    const { error, status } = await sb().rpc(`${p}_over`, { a: 1 });
    expect(status).toBe(300);
    expect(error).toEqual({
      code: 'PGRST203',
      message:
        `Could not choose the best candidate function between: ${S}.${p}_over(a => integer), ` +
        `${S}.${p}_over(a => text), ${S}.${p}_over(a => integer, b => integer)`,
      details: null,
      hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    });
  });

  it('suggests the closest parameter list, or the closest function name', async () => {
    const wrongParam = await sb().rpc(`${p}_pick`, { xx: 1 });
    expect(wrongParam.error).toEqual({
      code: 'PGRST202',
      message: `Could not find the function ${S}.${p}_pick(xx) in the schema cache`,
      details: `Searched for the function ${S}.${p}_pick with parameter xx or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
      hint: `Perhaps you meant to call the function ${S}.${p}_pick(x)`,
    });
    const typo = await sb().rpc(`${p}_pickk`, { y: 1, z: 2 });
    expect(typo.error?.message).toBe(`Could not find the function ${S}.${p}_pickk(y, z) in the schema cache`);
    expect(typo.error?.details).toBe(
      `Searched for the function ${S}.${p}_pickk with parameters y, z or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
    );
    expect(typo.error?.hint).toBe(`Perhaps you meant to call the function ${S}.${p}_pick`);
    const get = await sb().rpc(`${p}_pick`, { q: 1 }, { get: true });
    expect(get.error?.details).toBe(
      `Searched for the function ${S}.${p}_pick with parameter q, but no matches were found in the schema cache.`,
    );
  });
});

describe('max-affected on rpc', () => {
  it('refuses a function that does not return a set (PGRST128)', async () => {
    const res = await post(`${p}_one`, '{}', 'application/json', 'handling=strict, max-affected=1');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 'PGRST128',
      message: 'Function must return SETOF or TABLE when max-affected preference is used with handling=strict',
      details: null,
      hint: null,
    });
  });

  it('rolls back and answers PGRST124 when the function returns more rows', async () => {
    const res = await post(`${p}_rows`, '{}', 'application/json', 'handling=strict, max-affected=2');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 'PGRST124',
      message: 'Query result exceeds max-affected preference constraint',
      details: 'The query affects 3 rows',
      hint: null,
    });
    const { rows } = await db.query(`select name from rest_fixture.${p}_items order by id`);
    expect(rows.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('echoes max-affected only where it was applied', async () => {
    const ok = await post(`${p}_rows`, '{}', 'application/json', 'handling=strict, max-affected=5');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('preference-applied')).toBe('handling=strict, max-affected=5');
    const lenient = await post(`${p}_rows`, '{}', 'application/json', 'max-affected=1');
    expect(lenient.status).toBe(200);
    expect(lenient.headers.get('preference-applied')).toBeNull();
    // Inserts do not enforce it, so they do not claim it.
    const insert = await rest(`/${p}_items`, {
      method: 'POST',
      headers: {
        'content-profile': S,
        'content-type': 'application/json',
        authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}`,
        prefer: 'handling=strict, max-affected=0, return=minimal',
      },
      body: JSON.stringify([{ id: 10 }, { id: 11 }]),
    });
    expect(insert.status).toBe(201);
    expect(insert.headers.get('preference-applied')).toBe('return=minimal, handling=strict');
  });
});
