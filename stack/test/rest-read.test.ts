import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, fixture, libraryDdl, prefix, rest, superuser } from './rest-fixture.ts';

const p = prefix('rd');
let db: pg.Client;
const sb = () => fixture(env.SUPABASE_SERVICE_ROLE_KEY);

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
    expect(data).toEqual({ title: 'The Dispossessed', author: { name: 'Ursula' }, [`${p}_reviews`]: [{ stars: 5 }, { stars: 4 }] });
  });
});
