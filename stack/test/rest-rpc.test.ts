import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, fixture, libraryDdl, prefix, rest, superuser } from './rest-fixture.ts';

const p = prefix('rp');
let db: pg.Client;
const sb = () => fixture(env.SUPABASE_SERVICE_ROLE_KEY);
const anon = () => fixture();

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    libraryDdl(p) +
      `
    create function rest_fixture.${p}_add(a int, b int default 10) returns int language sql immutable as $$ select a + b $$;
    create function rest_fixture.${p}_series(n int) returns setof int language sql stable as $$ select generate_series(1, n) $$;
    create function rest_fixture.${p}_books_by(author bigint) returns setof rest_fixture.${p}_books language sql stable as
      $$ select * from rest_fixture.${p}_books where author_id = author $$;
    create function rest_fixture.${p}_stats() returns table (total bigint, longest int) language sql stable as
      $$ select count(*), max(pages) from rest_fixture.${p}_books $$;
    create function rest_fixture.${p}_first_book() returns rest_fixture.${p}_books language sql stable as
      $$ select * from rest_fixture.${p}_books order by id limit 1 $$;
    create function rest_fixture.${p}_touch(title text) returns void language sql volatile as
      $$ insert into rest_fixture.${p}_books (author_id, title) values (1, title) $$;
    create function rest_fixture.${p}_fail(msg text) returns int language plpgsql as
      $$ begin raise exception '%', msg using detail = 'from the test', hint = 'it is on purpose'; end $$;
    create function rest_fixture.${p}_echo(jsonb) returns jsonb language sql immutable as $$ select $1 $$;
    create function rest_fixture.${p}_tags(tags text[]) returns int language sql immutable as $$ select cardinality(tags) $$;
    grant execute on all functions in schema rest_fixture to anon, authenticated, service_role;`,
  );
  await db.query(`
    insert into rest_fixture.${p}_authors (id, name) values (1, 'Ursula'), (2, 'Stanisław');
    insert into rest_fixture.${p}_books (id, author_id, title, pages) values (1, 1, 'The Dispossessed', 387), (2, 1, 'A Wizard of Earthsea', 205), (3, 2, 'Solaris', 204);
    select setval(pg_get_serial_sequence('rest_fixture.${p}_books', 'id'), 100);`);
});
afterAll(async () => {
  await db.end();
});

describe('rpc', () => {
  it('calls scalar functions by POST and GET, with defaults', async () => {
    expect((await anon().rpc(`${p}_add`, { a: 1, b: 2 })).data).toBe(3);
    expect((await anon().rpc(`${p}_add`, { a: 1 })).data).toBe(11);
    expect((await anon().rpc(`${p}_add`, { a: 5, b: 5 }, { get: true })).data).toBe(10);
    expect((await anon().rpc(`${p}_tags`, { tags: ['a', 'b', 'c'] })).data).toBe(3);
    expect((await anon().rpc(`${p}_tags`, { tags: ['a', 'b'] }, { get: true })).data).toBe(2);
  });

  it('returns arrays for setof scalars and row sets with select, filters, order, limit and count', async () => {
    expect((await anon().rpc(`${p}_series`, { n: 3 })).data).toEqual([1, 2, 3]);
    const books = await anon()
      .rpc(`${p}_books_by`, { author: 1 }, { count: 'exact' })
      .select('id, title')
      .gt('pages', 300)
      .order('id');
    expect(books.error).toBeNull();
    expect(books.data).toEqual([{ id: 1, title: 'The Dispossessed' }]);
    expect(books.count).toBe(1);
    const embedded = await anon()
      .rpc(`${p}_books_by`, { author: 2 })
      .select(`title, author:${p}_authors!author_id(name)`);
    expect(embedded.data).toEqual([{ title: 'Solaris', author: { name: 'Stanisław' } }]);
    const limited = await anon()
      .rpc(`${p}_books_by`, { author: 1 }, { get: true })
      .select('id')
      .order('id', { ascending: false })
      .limit(1);
    expect(limited.data).toEqual([{ id: 2 }]);
    const head = await anon().rpc(`${p}_books_by`, { author: 1 }, { head: true, count: 'exact' });
    expect(head.count).toBe(2);
    expect(head.data).toBeNull();
  });

  it('returns an object for a single composite and for returns table with single()', async () => {
    expect((await anon().rpc(`${p}_first_book`)).data).toMatchObject({ id: 1, title: 'The Dispossessed' });
    const stats = await anon().rpc(`${p}_stats`).single();
    expect(stats.data).toEqual({ total: 3, longest: 387 });
  });

  it('passes the whole body to a function with one unnamed json parameter', async () => {
    const { data } = await anon().rpc(`${p}_echo`, { any: ['thing', 1] });
    expect(data).toEqual({ any: ['thing', 1] });
  });

  it('returns 204 for void functions and rolls back writes on GET (read-only transaction)', async () => {
    const res = await sb().rpc(`${p}_touch`, { title: 'via rpc' });
    expect(res.error).toBeNull();
    expect(res.status).toBe(204);
    const { rows } = await db.query(`select count(*)::int as n from rest_fixture.${p}_books where title = 'via rpc'`);
    expect(rows[0].n).toBe(1);
    const get = await sb().rpc(`${p}_touch`, { title: 'via get' }, { get: true });
    expect(get.status).toBe(405);
    expect(get.error?.code).toBe('25006');
  });

  it('maps raised exceptions to 400 P0001 and unknown functions to 404 PGRST202', async () => {
    const fail = await anon().rpc(`${p}_fail`, { msg: 'nope' });
    expect(fail.status).toBe(400);
    expect(fail.error).toEqual({ code: 'P0001', message: 'nope', details: 'from the test', hint: 'it is on purpose' });
    const missing = await anon().rpc(`${p}_missing`, { x: 1 });
    expect(missing.status).toBe(404);
    expect(missing.error).toMatchObject({
      code: 'PGRST202',
      message: `Could not find the function rest_fixture.${p}_missing(x) in the schema cache`,
    });
    const wrongArgs = await anon().rpc(`${p}_add`, { z: 1 });
    expect(wrongArgs.status).toBe(404);
    expect(wrongArgs.error?.code).toBe('PGRST202');
    const badType = await anon().rpc(`${p}_add`, { a: 'x' });
    expect(badType.status).toBe(400);
    expect(badType.error?.code).toBe('22P02');
  });

  it('finds functions created after start-up', async () => {
    await db.query(`create function rest_fixture.${p}_late() returns text language sql as $$ select 'late' $$;
      grant execute on function rest_fixture.${p}_late() to anon;`);
    expect((await anon().rpc(`${p}_late`)).data).toBe('late');
  });

  it('pages a set of scalars with limit and offset', async () => {
    const res = await rest(`/rpc/${p}_series?n=4&limit=2&offset=1`, { headers: { 'accept-profile': 'rest_fixture' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([2, 3]);
    expect(res.headers.get('content-range')).toBe('1-2/*');
  });
});
