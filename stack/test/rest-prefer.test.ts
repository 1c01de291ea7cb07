import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, fixture, prefix, rest, superuser } from './rest-fixture.ts';

// Planned and estimated counts, the Range header, PUT, missing=default upserts and EXPLAIN plans, as PostgREST 13.
const p = prefix('pf');
let db: pg.Client;
const sb = () => fixture(env.SUPABASE_SERVICE_ROLE_KEY);
const S = 'rest_fixture';
const service = { authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` };

async function setPlans(on: boolean): Promise<void> {
  await db.query(
    on
      ? `alter role authenticator set pgrst.db_plan_enabled = 'true'`
      : `alter role authenticator reset pgrst.db_plan_enabled`,
  );
  await db.query(`notify pgrst, 'reload config'`);
  for (let i = 0; i < 100; i++) {
    const res = await rest(`/${p}_big?limit=1`, {
      headers: { 'accept-profile': S, accept: 'application/vnd.pgrst.plan+json', ...service },
    });
    await res.arrayBuffer();
    if ((res.status === 200) === on) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`plans did not turn ${on ? 'on' : 'off'}`);
}

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    `create table rest_fixture.${p}_big (id int primary key, grp int not null);
    create table rest_fixture.${p}_kv (id int primary key, name text not null default 'unnamed', qty int default 7, note text);
    grant all on all tables in schema rest_fixture to anon, authenticated, service_role;`,
  );
  await db.query(`insert into rest_fixture.${p}_big select g, g % 10 from generate_series(1, 5000) g;
    analyze rest_fixture.${p}_big;`);
});
afterAll(async () => {
  await setPlans(false);
  await db.end();
});

describe('Prefer: count', () => {
  it('takes planned counts from the planner and answers 206 for a part', async () => {
    const { data, count, status, error } = await sb().from(`${p}_big`).select('id', { count: 'planned' }).limit(10);
    expect(error).toBeNull();
    expect(data).toHaveLength(10);
    expect(status).toBe(206);
    // The planner's estimate after analyze: close to 5000, not computed by counting.
    expect(count).toBeGreaterThan(4000);
    expect(count).toBeLessThan(6000);
  });

  it('estimates with at least the exact count and echoes the preference', async () => {
    const res = await rest(`/${p}_big?select=id&grp=eq.3&limit=5`, {
      headers: { 'accept-profile': S, prefer: 'count=estimated', ...service },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get('preference-applied')).toBe('count=estimated');
    const total = Number(res.headers.get('content-range')!.split('/')[1]);
    expect(total).toBeGreaterThanOrEqual(500);
  });
});

describe('the Range header', () => {
  it('pages a GET like offset and limit, intersected with them', async () => {
    const res = await rest(`/${p}_big?select=id&order=id`, {
      headers: { 'accept-profile': S, range: '10-14', prefer: 'count=exact', ...service },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('10-14/5000');
    expect((await res.json()).map((r: { id: number }) => r.id)).toEqual([11, 12, 13, 14, 15]);
    const both = await rest(`/${p}_big?select=id&order=id&limit=2`, {
      headers: { 'accept-profile': S, range: '0-9', ...service },
    });
    expect((await both.json()).map((r: { id: number }) => r.id)).toEqual([1, 2]);
  });

  it('refuses an inverted range with 416 PGRST103', async () => {
    const res = await rest(`/${p}_big?select=id`, { headers: { 'accept-profile': S, range: '9-3', ...service } });
    expect(res.status).toBe(416);
    expect(await res.json()).toEqual({
      code: 'PGRST103',
      message: 'Requested range not satisfiable',
      details: 'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
      hint: null,
    });
  });
});

describe('PUT', () => {
  function put(query: string, body: unknown, prefer = 'return=representation'): Promise<Response> {
    return rest(`/${p}_kv?${query}`, {
      method: 'PUT',
      headers: { 'content-profile': S, 'content-type': 'application/json', prefer, ...service },
      body: JSON.stringify(body),
    });
  }

  it('inserts (201) then replaces (200) one row by primary key', async () => {
    const created = await put('id=eq.1', { id: 1, name: 'first', qty: 1 });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual([{ id: 1, name: 'first', qty: 1, note: null }]);
    const replaced = await put('id=eq.1', { id: 1, name: 'second', qty: 2, note: 'n' });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toEqual([{ id: 1, name: 'second', qty: 2, note: 'n' }]);
    const minimal = await put('id=eq.1', { id: 1, name: 'third' }, 'return=minimal');
    expect(minimal.status).toBe(204);
    const { rows } = await db.query(`select name, qty from rest_fixture.${p}_kv where id = 1`);
    expect(rows).toEqual([{ name: 'third', qty: 2 }]);
  });

  it('answers PostgREST errors for bad PUT usage and changes nothing', async () => {
    const notKey = await put('name=eq.x', { id: 2, name: 'x' });
    expect(notKey.status).toBe(405);
    expect(await notKey.json()).toEqual({
      code: 'PGRST105',
      message: "Filters must include all and only primary key columns with 'eq' operators",
      details: null,
      hint: null,
    });
    expect((await put('id=gt.1', { id: 2 })).status).toBe(405);
    const limited = await put('id=eq.2&limit=1', { id: 2, name: 'x' });
    expect(limited.status).toBe(400);
    expect((await limited.json()).code).toBe('PGRST114');
    const mismatch = await put('id=eq.2', { id: 3, name: 'x' });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toEqual({
      code: 'PGRST115',
      message: 'Payload values do not match URL in primary key column(s)',
      details: null,
      hint: null,
    });
    const { rows } = await db.query(`select id from rest_fixture.${p}_kv where id in (2, 3)`);
    expect(rows).toEqual([]);
  });
});

describe('bulk upsert with missing=default', () => {
  it('sets absent columns to their defaults on conflict too', async () => {
    await db.query(`insert into rest_fixture.${p}_kv values (10, 'old', 1, 'old note'), (11, 'old', 1, 'old note')`);
    const { data, error } = await sb()
      .from(`${p}_kv`)
      .upsert(
        [
          { id: 10, name: 'new' },
          { id: 11, name: 'new', qty: 5, note: 'kept' },
          { id: 12, qty: 9 },
        ],
        { defaultToNull: false },
      )
      .select()
      .order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { id: 10, name: 'new', qty: 7, note: null },
      { id: 11, name: 'new', qty: 5, note: 'kept' },
      { id: 12, name: 'unnamed', qty: 9, note: null },
    ]);
  });
});

describe('EXPLAIN plans', () => {
  it('are not available while db-plan-enabled is off (the default, as hosted)', async () => {
    const res = await rest(`/${p}_big?limit=1`, {
      headers: { 'accept-profile': S, accept: 'application/vnd.pgrst.plan+json', ...service },
    });
    expect(res.status).toBe(406);
    expect((await res.json()).code).toBe('PGRST107');
  });

  it('answer the plan of the read when enabled, through explain()', async () => {
    await setPlans(true);
    const { data, error } = await sb().from(`${p}_big`).select('id').eq('grp', 1).explain({ format: 'json' });
    expect(error).toBeNull();
    const plan = (data as unknown as { Plan: { 'Node Type': string } }[])[0]!.Plan;
    expect(plan['Node Type']).toBe('Aggregate');
    const text = await rest(`/${p}_big?limit=1`, {
      headers: { 'accept-profile': S, accept: 'application/vnd.pgrst.plan+text', ...service },
    });
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe(
      'application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8',
    );
    expect(await text.text()).toMatch(/Limit/);
  });
});
