/** `GET /rest/v1/`: secret-key callers only (as hosted), and only the relations and functions the request's role may use (PostgREST follow-privileges). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, makeUser, prefix, rest, superuser } from './rest-fixture.ts';

const p = prefix('oa');
let db: pg.Client;
let userToken: string;

// Other files grant everything in rest_fixture to every API role (`grant … on all tables/functions`); this file's
// revokes run, and its requests are answered, while it holds the lock those files take for their DDL.
const LOCK = 7262;

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    `
    create table rest_fixture.${p}_open (id int primary key);
    create table rest_fixture.${p}_members (id int primary key);
    create table rest_fixture.${p}_server (id int primary key, secret text);
    create table rest_fixture.${p}_column (id int primary key, visible text, hidden text);
    create view rest_fixture.${p}_open_view as select id from rest_fixture.${p}_open;
    create function rest_fixture.${p}_open_fn() returns int language sql as 'select 1';
    create function rest_fixture.${p}_server_fn() returns int language sql as 'select 2';
    grant select on rest_fixture.${p}_open to service_role;`,
  );
  userToken = (await makeUser(db)).token;
  // The description is built from the schema cache, which a running stack loaded before this DDL: a request naming
  // a new table misses the cache and reloads it, as any first use of a new table does.
  const warm = await rest(`/${p}_open?select=id`, {
    headers: { authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}`, 'accept-profile': 'rest_fixture' },
  });
  expect(warm.status).toBe(200);
});
afterAll(() => db.end());

async function withGrants<T>(fn: () => Promise<T>): Promise<T> {
  await db.query('select pg_advisory_lock($1)', [LOCK]);
  try {
    await db.query(`
      revoke all on rest_fixture.${p}_open, rest_fixture.${p}_members, rest_fixture.${p}_server, rest_fixture.${p}_column, rest_fixture.${p}_open_view from anon, authenticated, service_role;
      revoke all on function rest_fixture.${p}_open_fn(), rest_fixture.${p}_server_fn() from public, anon, authenticated, service_role;
      grant select on rest_fixture.${p}_open, rest_fixture.${p}_open_view to anon, authenticated, service_role;
      grant select, insert on rest_fixture.${p}_members to authenticated, service_role;
      grant all on rest_fixture.${p}_server to service_role;
      grant select (id, visible) on rest_fixture.${p}_column to authenticated;
      grant execute on function rest_fixture.${p}_open_fn() to anon, authenticated, service_role;
      grant execute on function rest_fixture.${p}_server_fn() to service_role;`);
    return await fn();
  } finally {
    await db.query('select pg_advisory_unlock($1)', [LOCK]);
  }
}

/** The fixture's names among the paths of the description served to `bearer` (with the secret key as apikey). */
async function described(bearer: string | null): Promise<string[]> {
  const headers: Record<string, string> = { apikey: env.SUPABASE_SECRET_KEY, 'accept-profile': 'rest_fixture' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await rest('/', { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/openapi\+json/);
  const doc = await res.json();
  const names = Object.keys(doc.paths)
    .filter((k) => k.includes(p))
    .sort();
  expect(
    Object.keys(doc.definitions)
      .filter((k) => k.includes(p))
      .sort(),
  ).toEqual(names.filter((n) => !n.startsWith('/rpc/')).map((n) => n.slice(1)));
  return names;
}

describe('the REST root (OpenAPI description)', () => {
  it('refuses the anon and publishable keys with the hosted 403 body, whoever the bearer is', async () => {
    for (const apikey of [env.SUPABASE_ANON_KEY, env.SUPABASE_PUBLISHABLE_KEY]) {
      for (const bearer of [null, env.SUPABASE_SERVICE_ROLE_KEY, userToken]) {
        for (const method of ['GET', 'HEAD']) {
          const res = await rest('/', {
            method,
            headers: { apikey, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
          });
          expect(res.status, `${method} ${apikey.slice(0, 12)} ${bearer?.slice(0, 12)}`).toBe(403);
          if (method === 'GET') {
            expect(await res.json()).toEqual({
              message: 'Access to schema is forbidden',
              hint: 'Accessing the schema via the Data API is only allowed using a secret API key.',
            });
          }
        }
      }
    }
  });

  it('lists everything the service role may use, and nothing of what it may not', async () => {
    const names = await withGrants(() => described(env.SUPABASE_SERVICE_ROLE_KEY));
    expect(names).toEqual([
      `/${p}_members`,
      `/${p}_open`,
      `/${p}_open_view`,
      `/${p}_server`,
      `/rpc/${p}_open_fn`,
      `/rpc/${p}_server_fn`,
    ]);
  });

  it('lists only anon-granted relations and functions for the anon role', async () => {
    const names = await withGrants(() => described(env.SUPABASE_ANON_KEY));
    expect(names).toEqual([`/${p}_open`, `/${p}_open_view`, `/rpc/${p}_open_fn`]);
  });

  it('shows a signed-in user its tables (column grants count) but not service-only tables and functions', async () => {
    const names = await withGrants(() => described(userToken));
    expect(names).toEqual([`/${p}_column`, `/${p}_members`, `/${p}_open`, `/${p}_open_view`, `/rpc/${p}_open_fn`]);
  });
});
