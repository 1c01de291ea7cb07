import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, fixture, prefix, rest, superuser } from './rest-fixture.ts';

// Error bodies as PostgREST 13 sends them: null hints where it has none, its wording, and the relation aliases its
// SQL uses in Postgres's 42703 messages.
const p = prefix('er');
let db: pg.Client;
const sb = () => fixture(env.SUPABASE_SERVICE_ROLE_KEY);
const headers = { 'accept-profile': 'rest_fixture', authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` };

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    `create table rest_fixture.${p}_owners (id int primary key, name text);
    create table rest_fixture.${p}_pets (id int primary key, owner_id int references rest_fixture.${p}_owners (id), nickname text);
    grant all on all tables in schema rest_fixture to anon, authenticated, service_role;`,
  );
});
afterAll(async () => {
  await db.end();
});

describe('42703 for unknown columns', () => {
  it('names the root table, or the embed alias table_depth, with Postgres hint or null', async () => {
    const root = await sb().from(`${p}_pets`).select('nicknam');
    expect(root.status).toBe(400);
    expect(root.error).toEqual({
      code: '42703',
      message: `column ${p}_pets.nicknam does not exist`,
      details: null,
      hint: `Perhaps you meant to reference the column "${p}_pets.nickname".`,
    });
    const embedded = await sb().from(`${p}_pets`).select(`id, owner:${p}_owners(zzz)`);
    expect(embedded.error).toEqual({
      code: '42703',
      message: `column ${p}_owners_1.zzz does not exist`,
      details: null,
      hint: null,
    });
  });
});

describe('null hints and PostgREST wording', () => {
  it('PGRST205 suggests the closest table or sends null', async () => {
    const close = await sb().from(`${p}_pet`).select();
    expect(close.status).toBe(404);
    expect(close.error).toEqual({
      code: 'PGRST205',
      message: `Could not find the table 'rest_fixture.${p}_pet' in the schema cache`,
      details: null,
      hint: `Perhaps you meant the table 'rest_fixture.${p}_pets'`,
    });
    const far = await sb().from('zzzzzzzzzzzzzzzzzzzzzzzzzzzzz').select();
    expect(far.error?.hint).toBeNull();
  });

  it('PGRST100 words parse errors with their position; PGRST102 and PGRST107 have no hint', async () => {
    const parse = await rest(`/${p}_pets?select=id,(`, { headers });
    expect(parse.status).toBe(400);
    const body = await parse.json();
    expect(body.code).toBe('PGRST100');
    expect(body.message).toBe(`"failed to parse select parameter (id,()" (line 1, column 4)`);
    expect(body.hint).toBeNull();
    const json = await rest(`/${p}_pets`, {
      method: 'POST',
      headers: { ...headers, 'content-profile': 'rest_fixture', 'content-type': 'application/json' },
      body: '{bad',
    });
    expect(await json.json()).toEqual({
      code: 'PGRST102',
      message: 'Empty or invalid json',
      details: null,
      hint: null,
    });
    const media = await rest(`/${p}_pets`, { headers: { ...headers, accept: 'image/png' } });
    expect(media.status).toBe(406);
    expect(await media.json()).toEqual({
      code: 'PGRST107',
      message: 'None of these media types are available: image/png',
      details: null,
      hint: null,
    });
  });

  it('PGRST108 names the missing embed with PostgREST hint', async () => {
    const res = await rest(`/${p}_pets?select=id&${p}_owners.name=eq.x`, { headers });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 'PGRST108',
      message: `'${p}_owners' is not an embedded resource in this request`,
      details: null,
      hint: `Verify that '${p}_owners' is included in the 'select' query parameter.`,
    });
  });
});
