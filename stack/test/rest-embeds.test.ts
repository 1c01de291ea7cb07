import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, fixture, prefix, superuser } from './rest-fixture.ts';

// Embedding as PostgREST 13 resolves it: self-references, empty and spread embeds, computed relationships, keys
// traced through views, and its PGRST200/PGRST201 bodies.
const p = prefix('em');
let db: pg.Client;
const sb = () => fixture(env.SUPABASE_SERVICE_ROLE_KEY);

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    `create table rest_fixture.${p}_users (id int primary key, name text not null);
    create table rest_fixture.${p}_messages (id int primary key, user_id int references rest_fixture.${p}_users (id),
      reviewer_id int constraint ${p}_reviewer references rest_fixture.${p}_users (id), body text not null);
    create table rest_fixture.${p}_staff (id int primary key, name text not null,
      manager_id int constraint ${p}_staff_manager references rest_fixture.${p}_staff (id));
    create function rest_fixture.${p}_recent(u rest_fixture.${p}_users) returns setof rest_fixture.${p}_messages
      language sql stable as $$ select * from rest_fixture.${p}_messages where user_id = u.id order by id desc $$;
    create function rest_fixture.${p}_first(u rest_fixture.${p}_users) returns rest_fixture.${p}_messages
      language sql stable as $$ select * from rest_fixture.${p}_messages where user_id = u.id order by id limit 1 $$;
    create view rest_fixture.${p}_posts as select id as post_id, user_id as author, body from rest_fixture.${p}_messages;
    create view rest_fixture.${p}_people as select id as person, name from rest_fixture.${p}_users;
    create function rest_fixture.${p}_long_posts() returns setof rest_fixture.${p}_posts language sql stable as
      $$ select * from rest_fixture.${p}_posts where length(body) > 3 $$;
    grant execute on all functions in schema rest_fixture to anon, authenticated, service_role;
    grant all on all tables in schema rest_fixture to anon, authenticated, service_role;`,
  );
  await db.query(`
    insert into rest_fixture.${p}_users values (1, 'Ada'), (2, 'Grace'), (3, 'Quiet');
    insert into rest_fixture.${p}_messages values (1, 1, 2, 'hello'), (2, 1, null, 'again'), (3, 2, 1, 'hi');
    insert into rest_fixture.${p}_staff values (1, 'Boss', null), (2, 'Mid', 1), (3, 'Low', 2), (4, 'Also low', 2);`);
});
afterAll(async () => {
  await db.end();
});

describe('self-referencing keys', () => {
  it('embeds the parent by the key column and the children by the table name', async () => {
    const { data, error } = await sb()
      .from(`${p}_staff`)
      .select(`name, boss:manager_id(name), reports:${p}_staff(name)`)
      .eq('id', 2)
      .single();
    expect(error).toBeNull();
    expect(data).toEqual({ name: 'Mid', boss: { name: 'Boss' }, reports: [{ name: 'Low' }, { name: 'Also low' }] });
  });

  it('picks the children with a hint naming their key column', async () => {
    const { data, error } = await sb()
      .from(`${p}_staff`)
      .select(`name, ${p}_staff!manager_id(name)`)
      .eq('id', 1)
      .single();
    expect(error).toBeNull();
    expect(data).toEqual({ name: 'Boss', [`${p}_staff`]: [{ name: 'Mid' }] });
  });
});

describe('empty and spread embeds', () => {
  it('filters by an empty embed and leaves it out of the output', async () => {
    const { data, error } = await sb()
      .from(`${p}_messages`)
      .select(`body, ${p}_users!user_id!inner()`)
      .eq(`${p}_users.name`, 'Ada')
      .order('id');
    expect(error).toBeNull();
    expect(data).toEqual([{ body: 'hello' }, { body: 'again' }]);
  });

  it('spreads a to-many embed as one array per column', async () => {
    const { data, error } = await sb()
      .from(`${p}_users`)
      .select(`name, ...${p}_messages!user_id(body, id)`)
      .order('id')
      .order('id', { referencedTable: `${p}_messages`, ascending: false });
    expect(error).toBeNull();
    expect(data).toEqual([
      { name: 'Ada', body: ['again', 'hello'], id: [2, 1] },
      { name: 'Grace', body: ['hi'], id: [3] },
      { name: 'Quiet', body: [], id: [] },
    ]);
    const inner = await sb()
      .from(`${p}_users`)
      .select(`name, ...${p}_messages!user_id!inner(body)`)
      .order('id')
      .order('id', { referencedTable: `${p}_messages` });
    expect(inner.error).toBeNull();
    expect(inner.data).toEqual([
      { name: 'Ada', body: ['hello', 'again'] },
      { name: 'Grace', body: ['hi'] },
    ]);
  });
});

describe('ambiguous and missing relationships', () => {
  it('answers PGRST201 with the candidates in PostgREST order and wording', async () => {
    const { data, error, status } = await sb().from(`${p}_users`).select(`name, ${p}_messages(body)`);
    expect(status).toBe(300);
    expect(data).toBeNull();
    expect(error).toEqual({
      code: 'PGRST201',
      message: `Could not embed because more than one relationship was found for '${p}_users' and '${p}_messages'`,
      details: [
        {
          cardinality: 'one-to-many',
          embedding: `${p}_users with ${p}_messages`,
          relationship: `${p}_messages_user_id_fkey using ${p}_users(id) and ${p}_messages(user_id)`,
        },
        {
          cardinality: 'one-to-many',
          embedding: `${p}_users with ${p}_messages`,
          relationship: `${p}_reviewer using ${p}_users(id) and ${p}_messages(reviewer_id)`,
        },
      ],
      hint: `Try changing '${p}_messages' to one of the following: '${p}_messages!${p}_messages_user_id_fkey', '${p}_messages!${p}_reviewer'. Find the desired relationship in the 'details' key.`,
    });
  });

  it('answers PGRST200 with a null hint, or the closest table', async () => {
    const none = await sb().from(`${p}_staff`).select(`name, ${p}_users(name)`);
    expect(none.status).toBe(400);
    expect(none.error).toEqual({
      code: 'PGRST200',
      message: `Could not find a relationship between '${p}_staff' and '${p}_users' in the schema cache`,
      details: `Searched for a foreign key relationship between '${p}_staff' and '${p}_users' in the schema '${'rest_fixture'}', but no matches were found.`,
      hint: `Perhaps you meant '${p}_staff' instead of '${p}_users'.`,
    });
    const hinted = await sb().from(`${p}_messages`).select(`body, ${p}_users!nope(name)`);
    expect(hinted.error?.details).toBe(
      `Searched for a foreign key relationship between '${p}_messages' and '${p}_users' using the hint 'nope' in the schema 'rest_fixture', but no matches were found.`,
    );
    expect(hinted.error?.hint).toBeNull();
  });
});

describe('computed relationships', () => {
  it('embeds the rows a function of the row returns, to-many and to-one', async () => {
    const { data, error } = await sb()
      .from(`${p}_users`)
      .select(`name, ${p}_recent(id, body), first:${p}_first(body)`)
      .order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      {
        name: 'Ada',
        [`${p}_recent`]: [
          { id: 2, body: 'again' },
          { id: 1, body: 'hello' },
        ],
        first: { body: 'hello' },
      },
      { name: 'Grace', [`${p}_recent`]: [{ id: 3, body: 'hi' }], first: { body: 'hi' } },
      { name: 'Quiet', [`${p}_recent`]: [], first: { body: null } },
    ]);
  });

  it('filters through a computed relationship with !inner', async () => {
    const { data, error } = await sb()
      .from(`${p}_users`)
      .select(`name, ${p}_recent!inner(body)`)
      .eq(`${p}_recent.body`, 'hi');
    expect(error).toBeNull();
    expect(data).toEqual([{ name: 'Grace', [`${p}_recent`]: [{ body: 'hi' }] }]);
  });
});

describe('relationships through views', () => {
  it('follows a view column back to the key of its base table, both ways', async () => {
    const posts = await sb()
      .from(`${p}_posts`)
      .select(`post_id, author:${p}_users!${p}_messages_user_id_fkey(name)`)
      .order('post_id');
    expect(posts.error).toBeNull();
    expect(posts.data).toEqual([
      { post_id: 1, author: { name: 'Ada' } },
      { post_id: 2, author: { name: 'Ada' } },
      { post_id: 3, author: { name: 'Grace' } },
    ]);
    const people = await sb()
      .from(`${p}_people`)
      .select(`name, ${p}_posts!${p}_messages_user_id_fkey(body)`)
      .eq('person', 2)
      .single();
    expect(people.error).toBeNull();
    expect(people.data).toEqual({ name: 'Grace', [`${p}_posts`]: [{ body: 'hi' }] });
  });

  it('embeds from the rows of a function typed as a view', async () => {
    const { data, error } = await sb()
      .rpc(`${p}_long_posts`)
      .select(`body, ${p}_people!${p}_messages_user_id_fkey(name)`)
      .order('post_id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { body: 'hello', [`${p}_people`]: { name: 'Ada' } },
      { body: 'again', [`${p}_people`]: { name: 'Ada' } },
    ]);
  });
});
