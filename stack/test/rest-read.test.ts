import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, fixture, libraryDdl, prefix, rest, superuser } from './rest-fixture.ts';

const p = prefix('rd');
let db: pg.Client;
const sb = () => fixture(env.SUPABASE_SERVICE_ROLE_KEY);

/** The ids a query returns, asserting it did not fail. */
async function get(query: PromiseLike<{ data: { id: number }[] | null; error: unknown }>): Promise<number[]> {
  const { data, error } = await query;
  expect(error).toBeNull();
  return data!.map((r) => r.id);
}

beforeAll(async () => {
  db = await superuser();
  await ddl(db, libraryDdl(p));
  await db.query(`
    insert into rest_fixture.${p}_authors (id, name, born, meta, tags, rating) values
      (1, 'Ursula', '1929-10-21', '{"country":"US","awards":{"hugo":5}}', '{sf,fantasy}', 4.5),
      (2, 'Stanisław', '1921-09-12', '{"country":"PL","awards":{"hugo":0}}', '{sf}', 4.7),
      (3, 'Anonymous', null, null, null, null);
    insert into rest_fixture.${p}_books (id, author_id, editor_id, title, pages, published, isbn, doc, span) values
      (1, 1, 2, 'The Dispossessed', 387, true, 'isbn-1', to_tsvector('english', 'anarchist utopia on twin planets'), '[1,10)'),
      (2, 1, null, 'A Wizard of Earthsea', 205, true, 'isbn-2', to_tsvector('english', 'wizard school and shadows'), '[5,20)'),
      (3, 2, 1, 'Solaris', 204, true, 'isbn-3', to_tsvector('english', 'ocean planet contact'), '[30,40)'),
      (4, 2, null, 'The Cyberiad', null, false, null, null, null);
    insert into rest_fixture.${p}_reviews (book_id, stars, body) values (1, 5, 'great'), (1, 4, 'good'), (3, 5, 'deep');
    insert into rest_fixture.${p}_covers (book_id, color) values (1, 'red');
    create function rest_fixture.${p}_initial(a rest_fixture.${p}_authors) returns text language sql stable as $$ select left(a.name, 1) $$;
    grant execute on function rest_fixture.${p}_initial(rest_fixture.${p}_authors) to anon, authenticated, service_role;
    insert into rest_fixture.${p}_labels values (1, 'classic'), (2, 'scifi'), (3, 'unused');
    insert into rest_fixture.${p}_book_labels values (1, 1), (1, 2), (3, 2);
  `);
});
afterAll(async () => {
  await db.end();
});

describe('select', () => {
  it('returns rows with columns, aliases, casts and JSON paths', async () => {
    const { data, error } = await sb()
      .from(`${p}_authors`)
      .select('id, who:name, rating::text, country:meta->>country, hugo:meta->awards->hugo')
      .order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { id: 1, who: 'Ursula', rating: '4.5', country: 'US', hugo: 5 },
      { id: 2, who: 'Stanisław', rating: '4.7', country: 'PL', hugo: 0 },
      { id: 3, who: 'Anonymous', rating: null, country: null, hugo: null },
    ]);
  });

  it('embeds many-to-one as an object and one-to-many as an array', async () => {
    const { data, error } = await sb()
      .from(`${p}_books`)
      .select(`title, author:${p}_authors!author_id(name), ${p}_reviews(stars)`)
      .eq('id', 1)
      .single();
    expect(error).toBeNull();
    expect(data).toEqual({
      title: 'The Dispossessed',
      author: { name: 'Ursula' },
      [`${p}_reviews`]: [{ stars: 5 }, { stars: 4 }],
    });
  });

  it('returns every column for * and for a missing select', async () => {
    const res = await rest(`/${p}_covers`, { headers: { 'accept-profile': 'rest_fixture' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ book_id: 1, color: 'red' }]);
  });

  it('embeds with !inner, hints, nested filters, order and limit', async () => {
    const inner = await sb()
      .from(`${p}_books`)
      .select(`id, ${p}_reviews!inner(stars)`)
      .eq(`${p}_reviews.stars`, 5)
      .order('id');
    expect(inner.error).toBeNull();
    expect(inner.data).toEqual([
      { id: 1, [`${p}_reviews`]: [{ stars: 5 }] },
      { id: 3, [`${p}_reviews`]: [{ stars: 5 }] },
    ]);

    const left = await sb()
      .from(`${p}_books`)
      .select(`id, reviews:${p}_reviews(stars)`)
      .order('id')
      .order('stars', { referencedTable: 'reviews', ascending: true })
      .limit(1, { referencedTable: 'reviews' });
    expect(left.error).toBeNull();
    expect(left.data).toEqual([
      { id: 1, reviews: [{ stars: 4 }] },
      { id: 2, reviews: [] },
      { id: 3, reviews: [{ stars: 5 }] },
      { id: 4, reviews: [] },
    ]);

    const editors = await sb()
      .from(`${p}_books`)
      .select(`id, editor:${p}_authors!${p}_books_editor_fkey(name)`)
      .order('id')
      .limit(2);
    expect(editors.error).toBeNull();
    expect(editors.data).toEqual([
      { id: 1, editor: { name: 'Stanisław' } },
      { id: 2, editor: null },
    ]);

    const nested = await sb()
      .from(`${p}_authors`)
      .select(`name, books:${p}_books!author_id(title, ${p}_reviews(stars))`)
      .eq('id', 2)
      .eq('books.published', true)
      .single();
    expect(nested.error).toBeNull();
    expect(nested.data).toEqual({ name: 'Stanisław', books: [{ title: 'Solaris', [`${p}_reviews`]: [{ stars: 5 }] }] });
  });

  it('embeds one-to-one as an object, spreads to-one embeds and filters on embed nullness', async () => {
    const one = await sb().from(`${p}_books`).select(`id, ${p}_covers(color)`).in('id', [1, 2]).order('id');
    expect(one.data).toEqual([
      { id: 1, [`${p}_covers`]: { color: 'red' } },
      { id: 2, [`${p}_covers`]: null },
    ]);

    const spread = await sb()
      .from(`${p}_books`)
      .select(`title, ...${p}_authors!author_id(author_name:name)`)
      .eq('id', 3)
      .single();
    expect(spread.error).toBeNull();
    expect(spread.data).toEqual({ title: 'Solaris', author_name: 'Stanisław' });

    const withCover = await sb().from(`${p}_books`).select(`id, cover:${p}_covers(color)`).not('cover', 'is', null);
    expect(withCover.data).toEqual([{ id: 1, cover: { color: 'red' } }]);
  });

  it('selects, filters and orders by computed fields (functions of the row type)', async () => {
    const { data, error } = await sb()
      .from(`${p}_authors`)
      .select(`id, ${p}_initial`)
      .neq(`${p}_initial`, 'A')
      .order(`${p}_initial`, { ascending: false });
    expect(error).toBeNull();
    expect(data).toEqual([
      { id: 1, [`${p}_initial`]: 'U' },
      { id: 2, [`${p}_initial`]: 'S' },
    ]);
    const embedded = await sb()
      .from(`${p}_books`)
      .select(`id, author:${p}_authors!author_id(${p}_initial)`)
      .eq('id', 3)
      .single();
    expect(embedded.data).toEqual({ id: 3, author: { [`${p}_initial`]: 'S' } });
  });

  it('embeds many-to-many through a junction table, both ways', async () => {
    const books = await sb()
      .from(`${p}_books`)
      .select(`id, ${p}_labels(label)`)
      .in('id', [1, 2])
      .order('id')
      .order('label', { referencedTable: `${p}_labels` });
    expect(books.error).toBeNull();
    expect(books.data).toEqual([
      { id: 1, [`${p}_labels`]: [{ label: 'classic' }, { label: 'scifi' }] },
      { id: 2, [`${p}_labels`]: [] },
    ]);
    const labels = await sb()
      .from(`${p}_labels`)
      .select(`label, ${p}_books!inner(title)`)
      .eq('id', 2)
      .order('title', { referencedTable: `${p}_books` })
      .single();
    expect(labels.data).toEqual({
      label: 'scifi',
      [`${p}_books`]: [{ title: 'Solaris' }, { title: 'The Dispossessed' }],
    });
  });

  it('refuses ambiguous and unknown relationships with PGRST201 and PGRST200', async () => {
    const amb = await sb().from(`${p}_books`).select(`id, ${p}_authors(name)`);
    expect(amb.status).toBe(300);
    expect(amb.error?.code).toBe('PGRST201');
    expect(amb.error?.details).toHaveLength(2);
    const none = await sb().from(`${p}_reviews`).select(`id, ${p}_covers(color)`);
    expect(none.status).toBe(400);
    expect(none.error?.code).toBe('PGRST200');
  });
});

describe('filters', () => {
  it('supports comparison, pattern, null and membership operators', async () => {
    const q = () => sb().from(`${p}_books`).select('id').order('id');
    expect(await get(q().eq('pages', 204))).toEqual([3]);
    expect(await get(q().neq('pages', 204))).toEqual([1, 2]);
    expect(await get(q().gt('pages', 205))).toEqual([1]);
    expect(await get(q().gte('pages', 205))).toEqual([1, 2]);
    expect(await get(q().lt('pages', 205))).toEqual([3]);
    expect(await get(q().lte('pages', 205))).toEqual([2, 3]);
    expect(await get(q().like('title', '%Wizard%'))).toEqual([2]);
    expect(await get(q().like('title', '*Wizard*'))).toEqual([2]);
    expect(await get(q().ilike('title', 'the%'))).toEqual([1, 4]);
    expect(await get(q().likeAnyOf('title', ['Sol%', '%Cyber%']))).toEqual([3, 4]);
    expect(await get(q().likeAllOf('title', ['The%', '%Dis%']))).toEqual([1]);
    expect(await get(q().ilikeAnyOf('title', ['sol%', 'a wiz%']))).toEqual([2, 3]);
    expect(await get(q().ilikeAllOf('title', ['the%', '%iad']))).toEqual([4]);
    expect(await get(q().match({ author_id: 1, published: true }))).toEqual([1, 2]);
    expect(await get(q().regexMatch('title', '^The'))).toEqual([1, 4]);
    expect(await get(q().regexIMatch('title', '^the'))).toEqual([1, 4]);
    expect(await get(q().is('pages', null))).toEqual([4]);
    expect(await get(q().is('published', false))).toEqual([4]);
    expect(await get(q().not('pages', 'is', null))).toEqual([1, 2, 3]);
    expect(await get(q().isDistinct('editor_id', 2))).toEqual([2, 3, 4]);
    expect(await get(q().in('id', [1, 3]))).toEqual([1, 3]);
    expect(await get(q().in('title', ['Solaris', 'The Dispossessed']))).toEqual([1, 3]);
    expect(await get(q().in('id', []))).toEqual([]);
    expect(await get(q().not('id', 'in', '(1,2)'))).toEqual([3, 4]);
    expect(await get(q().notIn('id', [1, 2, 3]))).toEqual([4]);
    expect(await get(q().not('pages', 'eq', 204))).toEqual([1, 2]);
  });

  it('supports array, JSON, range and full-text operators', async () => {
    const a = () => sb().from(`${p}_authors`).select('id').order('id');
    const b = () => sb().from(`${p}_books`).select('id').order('id');
    expect(await get(a().contains('tags', ['sf', 'fantasy']))).toEqual([1]);
    expect(await get(a().containedBy('tags', ['sf', 'fantasy', 'horror']))).toEqual([1, 2]);
    expect(await get(a().overlaps('tags', ['fantasy', 'horror']))).toEqual([1]);
    expect(await get(a().contains('meta', { country: 'PL' }))).toEqual([2]);
    expect(await get(a().eq('meta->>country', 'US'))).toEqual([1]);
    expect(await get(a().gt('meta->awards->hugo', 1))).toEqual([1]);
    expect(await get(b().rangeGt('span', '[10,20]'))).toEqual([3]);
    expect(await get(b().rangeLt('span', '[30,40]'))).toEqual([1, 2]);
    expect(await get(b().rangeGte('span', '[5,6]'))).toEqual([2, 3]);
    expect(await get(b().rangeLte('span', '[1,10)'))).toEqual([1]);
    expect(await get(b().rangeAdjacent('span', '[10,12)'))).toEqual([1]);
    expect(await get(b().overlaps('span', '[8,9]'))).toEqual([1, 2]);
    expect(await get(b().textSearch('doc', 'wizard & shadows'))).toEqual([2]);
    expect(await get(b().textSearch('doc', 'ocean planet', { type: 'plain', config: 'english' }))).toEqual([3]);
    expect(await get(b().textSearch('doc', 'twin planets', { type: 'phrase', config: 'english' }))).toEqual([1]);
    expect(await get(b().textSearch('doc', '"ocean planet" -wizard', { type: 'websearch' }))).toEqual([3]);
    expect(await get(b().textSearch('title', 'wizard', { config: 'english' }))).toEqual([2]);
    expect(await get(b().not('doc', 'fts', 'wizard'))).toEqual([1, 3]);
  });

  it('combines or/and groups with nesting, negation and quoted values', async () => {
    const q = () => sb().from(`${p}_books`).select('id').order('id');
    expect(await get(q().or('pages.eq.204,pages.is.null'))).toEqual([3, 4]);
    expect(await get(q().or('id.eq.1,and(author_id.eq.2,published.is.false)'))).toEqual([1, 4]);
    expect(await get(q().or('title.in.("Solaris","A Wizard of Earthsea")'))).toEqual([2, 3]);
    expect(await get(q().or('title.eq."The Dispossessed",title.like.*iad'))).toEqual([1, 4]);
    expect(await get(q().or('span.ov.[8,9],title.eq."a,b)"'))).toEqual([1, 2]);
    const neg = await rest(`/${p}_books?select=id&order=id&not.or=(id.eq.1,id.eq.2)`, {
      headers: { 'accept-profile': 'rest_fixture' },
    });
    expect(await neg.json()).toEqual([{ id: 3 }, { id: 4 }]);
    const and = await rest(`/${p}_books?select=id&and=(published.is.true,not.or(id.eq.1,id.eq.2))`, {
      headers: { 'accept-profile': 'rest_fixture' },
    });
    expect(await and.json()).toEqual([{ id: 3 }]);
    expect(
      await get(
        q()
          .or('stars.eq.4', { referencedTable: `${p}_reviews` })
          .select(`id, ${p}_reviews!inner(stars)`),
      ),
    ).toEqual([1]);
  });

  it('orders with nulls placement, pages with limit and offset, and orders by a to-one embed', async () => {
    const byPages = await sb().from(`${p}_books`).select('id').order('pages', { ascending: false, nullsFirst: true });
    expect(byPages.data!.map((r) => r.id)).toEqual([4, 1, 2, 3]);
    const nullsLast = await sb()
      .from(`${p}_books`)
      .select('id')
      .order('pages', { ascending: true, nullsFirst: false })
      .order('id');
    expect(nullsLast.data!.map((r) => r.id)).toEqual([3, 2, 1, 4]);
    const page = await sb().from(`${p}_books`).select('id').order('id').range(1, 2);
    expect(page.data!.map((r) => r.id)).toEqual([2, 3]);
    const related = await rest(
      `/${p}_books?select=id,author:${p}_authors!author_id(name)&order=author(name).asc,id.asc`,
      { headers: { 'accept-profile': 'rest_fixture' } },
    );
    expect(((await related.json()) as { id: number }[]).map((r) => r.id)).toEqual([3, 4, 1, 2]);
  });
});

describe('counts, ranges and media types', () => {
  it('counts with count=exact and reports Content-Range, 206 and 416', async () => {
    const all = await sb().from(`${p}_books`).select('id', { count: 'exact' }).order('id').range(0, 1);
    expect(all.count).toBe(4);
    expect(all.status).toBe(206);
    const head = await sb().from(`${p}_books`).select('*', { count: 'exact', head: true }).eq('published', true);
    expect(head.count).toBe(3);
    expect(head.data).toBeNull();
    // count=planned is the planner's estimate, as PostgREST reads it from EXPLAIN, not a count.
    const planned = await sb().from(`${p}_books`).select('id', { count: 'planned' });
    const { rows } = await db.query(`explain (format json) select 1 from rest_fixture.${p}_books`);
    expect(planned.count).toBe(rows[0]['QUERY PLAN'][0].Plan['Plan Rows']);
    const res = await rest(`/${p}_books?select=id&order=id&offset=1&limit=2`, {
      headers: { 'accept-profile': 'rest_fixture', prefer: 'count=exact' },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('1-2/4');
    const plain = await rest(`/${p}_books?select=id&limit=2`, { headers: { 'accept-profile': 'rest_fixture' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-range')).toBe('0-1/*');
    const none = await rest(`/${p}_books?select=id&id=eq.99`, {
      headers: { 'accept-profile': 'rest_fixture', prefer: 'count=exact' },
    });
    expect(none.headers.get('content-range')).toBe('*/0');
    const past = await rest(`/${p}_books?select=id&offset=10`, {
      headers: { 'accept-profile': 'rest_fixture', prefer: 'count=exact' },
    });
    expect(past.status).toBe(416);
    expect(await past.json()).toMatchObject({ code: 'PGRST103', message: 'Requested range not satisfiable' });
    const headRaw = await rest(`/${p}_books?select=id`, {
      method: 'HEAD',
      headers: { 'accept-profile': 'rest_fixture', prefer: 'count=exact' },
    });
    expect(headRaw.status).toBe(200);
    expect(headRaw.headers.get('content-range')).toBe('0-3/4');
    expect(await headRaw.text()).toBe('');
  });

  it('single() returns an object and 406 PGRST116 for zero or many rows; maybeSingle() tolerates zero', async () => {
    const one = await sb().from(`${p}_books`).select('title').eq('id', 3).single();
    expect(one.data).toEqual({ title: 'Solaris' });
    const zero = await sb().from(`${p}_books`).select('title').eq('id', 99).single();
    expect(zero.status).toBe(406);
    expect(zero.error).toMatchObject({
      code: 'PGRST116',
      message: 'Cannot coerce the result to a single JSON object',
      details: 'The result contains 0 rows',
    });
    const many = await sb().from(`${p}_books`).select('title').single();
    expect(many.error?.details).toBe('The result contains 4 rows');
    const maybe = await sb().from(`${p}_books`).select('title').eq('id', 99).maybeSingle();
    expect(maybe.error).toBeNull();
    expect(maybe.data).toBeNull();
  });

  it('renders CSV as PostgREST does', async () => {
    const { data, error } = await sb()
      .from(`${p}_books`)
      .select('id,title,published')
      .in('id', [1, 3])
      .order('id')
      .csv();
    expect(error).toBeNull();
    expect(data).toBe('id,title,published\n1,"The Dispossessed",t\n3,Solaris,t');
    const res = await rest(`/${p}_covers`, { headers: { 'accept-profile': 'rest_fixture', accept: 'text/csv' } });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  });

  it('strips nulls when asked and refuses unknown media types with 406', async () => {
    const { data } = await sb().from(`${p}_authors`).select('id, born').eq('id', 3).stripNulls();
    expect(data).toEqual([{ id: 3 }]);
    const res = await rest(`/${p}_books`, { headers: { 'accept-profile': 'rest_fixture', accept: 'application/xml' } });
    expect(res.status).toBe(406);
    expect((await res.json()).code).toBe('PGRST107');
  });
});

describe('errors', () => {
  it('maps unknown tables, columns, schemas and bad queries to PostgREST errors', async () => {
    const table = await sb().from('no_such_table').select();
    expect(table.status).toBe(404);
    expect(table.error).toMatchObject({
      code: 'PGRST205',
      message: `Could not find the table 'rest_fixture.no_such_table' in the schema cache`,
    });
    const column = await sb().from(`${p}_books`).select('nope');
    expect(column.status).toBe(400);
    expect(column.error).toMatchObject({ code: '42703', message: `column ${p}_books.nope does not exist` });
    const filterColumn = await sb().from(`${p}_books`).select('id').eq('nope', 1);
    expect(filterColumn.error?.code).toBe('42703');
    const schema = await fixture().schema('secret').from('x').select();
    expect(schema.status).toBe(406);
    expect(schema.error).toMatchObject({
      code: 'PGRST106',
      message: 'Invalid schema: secret',
      details: null,
      hint: 'Only the following schemas are exposed: public, graphql_public, rest_fixture',
    });
    const badOp = await sb().from(`${p}_books`).select('id').filter('id', 'nope', 1);
    expect(badOp.status).toBe(400);
    expect(badOp.error?.code).toBe('PGRST100');
    const badLimit = await rest(`/${p}_books?limit=ten`, { headers: { 'accept-profile': 'rest_fixture' } });
    expect(badLimit.status).toBe(400);
    const badValue = await sb().from(`${p}_books`).select('id').eq('id', 'not-a-number');
    expect(badValue.status).toBe(400);
    expect(badValue.error).toMatchObject({ code: '22P02', details: null, hint: null });
    expect(badValue.error?.message).toContain('invalid input syntax for type bigint');
  });

  it('sees tables created after the schema cache was loaded', async () => {
    await db.query(`create table rest_fixture.${p}_late (id int primary key, note text);
      grant all on rest_fixture.${p}_late to anon, authenticated, service_role;
      insert into rest_fixture.${p}_late values (1, 'hi');`);
    const { data, error } = await sb().from(`${p}_late`).select('id, note');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: 1, note: 'hi' }]);
    await db.query(`alter table rest_fixture.${p}_late add column extra text default 'x'`);
    const more = await sb().from(`${p}_late`).select('extra');
    expect(more.data).toEqual([{ extra: 'x' }]);
  });

  it("reloads the schema cache on NOTIFY pgrst, 'reload schema'", async () => {
    await db.query(`create table rest_fixture.${p}_a (id int primary key);
      create table rest_fixture.${p}_b (id int primary key, a_id int constraint ${p}_b_a_fkey references rest_fixture.${p}_a (id));
      grant all on rest_fixture.${p}_a, rest_fixture.${p}_b to anon, authenticated, service_role;
      insert into rest_fixture.${p}_a values (1); insert into rest_fixture.${p}_b values (1, 1);`);
    const before = await sb().from(`${p}_b`).select(`id, ${p}_a(id)`);
    expect(before.data).toEqual([{ id: 1, [`${p}_a`]: { id: 1 } }]);
    // The service opens its LISTEN connection on its first request; wait until it listens.
    for (let i = 0; i < 50; i++) {
      const { rows } = await db.query(
        `select 1 from pg_stat_activity where application_name = 'rest schema listener' and query = 'listen pgrst'`,
      );
      if (rows.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Dropping a foreign key is not a miss, so only the notification can tell the cache.
    await db.query(`alter table rest_fixture.${p}_b drop constraint ${p}_b_a_fkey; notify pgrst, 'reload schema'`);
    let after = await sb().from(`${p}_b`).select(`id, ${p}_a(id)`);
    for (let i = 0; i < 50 && after.status !== 400; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await sb().from(`${p}_b`).select(`id, ${p}_a(id)`);
    }
    expect(after.error?.code).toBe('PGRST200');
  });

  it('requires an apikey at the gateway', async () => {
    const res = await fetch(`${env.SUPABASE_URL}/rest/v1/${p}_books`, {
      headers: { 'accept-profile': 'rest_fixture' },
    });
    expect(res.status).toBe(401);
  });
});
