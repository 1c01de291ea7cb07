import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ddl, env, fixture, prefix, rest, superuser } from './rest-fixture.ts';

// Aggregates are gated by PostgREST's `db-aggregates-enabled`, set here as hosted projects set it: in the database,
// on the authenticator role, followed by `notify pgrst, 'reload config'`. Other files never use aggregates.
const p = prefix('ag');
let db: pg.Client;
const sb = () => fixture(env.SUPABASE_SERVICE_ROLE_KEY);

async function setAggregates(on: boolean): Promise<void> {
  await db.query(
    on
      ? `alter role authenticator set pgrst.db_aggregates_enabled = 'true'`
      : `alter role authenticator reset pgrst.db_aggregates_enabled`,
  );
  await db.query(`notify pgrst, 'reload config'`);
  // The reload is asynchronous: wait until a request sees the new setting.
  for (let i = 0; i < 100; i++) {
    const { error } = await sb().from(`${p}_orders`).select('amount.sum()');
    if ((error === null) === on) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`aggregates did not turn ${on ? 'on' : 'off'}`);
}

beforeAll(async () => {
  db = await superuser();
  await ddl(
    db,
    `create table rest_fixture.${p}_customers (id int primary key, name text not null, city text);
    create table rest_fixture.${p}_orders (id int primary key, customer_id int references rest_fixture.${p}_customers (id),
      amount numeric not null, day date not null, details jsonb);
    create function rest_fixture.${p}_big_orders(min numeric) returns setof rest_fixture.${p}_orders language sql stable as
      $$ select * from rest_fixture.${p}_orders where amount >= min $$;
    grant execute on function rest_fixture.${p}_big_orders(numeric) to anon, authenticated, service_role;
    grant all on all tables in schema rest_fixture to anon, authenticated, service_role;`,
  );
  await db.query(`
    insert into rest_fixture.${p}_customers values (1, 'Ada', 'London'), (2, 'Grace', 'Arlington'), (3, 'Orphan', null);
    insert into rest_fixture.${p}_orders values
      (1, 1, 10.5, '2024-01-01', '{"tax": "1"}'), (2, 1, 20, '2024-01-01', '{"tax": "2"}'),
      (3, 2, 5, '2024-01-02', '{"tax": "3"}'), (4, 2, 7, '2024-01-01', null), (5, null, 100, '2024-01-03', null);`);
});
afterAll(async () => {
  await setAggregates(false);
  await db.end();
});

describe('aggregates while db-aggregates-enabled is off (the default)', () => {
  it('refuses them with PGRST123, top-level and embedded', async () => {
    for (const select of ['amount.sum()', 'count()', `name, ${p}_orders(amount.max())`]) {
      const table = select.includes('name') ? `${p}_customers` : `${p}_orders`;
      const { data, error, status } = await sb().from(table).select(select);
      expect(status).toBe(400);
      expect(data).toBeNull();
      expect(error).toEqual({
        code: 'PGRST123',
        message: 'Use of aggregate functions is not allowed',
        details: null,
        hint: null,
      });
    }
  });

  it('still counts embeds with the legacy `embed(count)`', async () => {
    const { data, error } = await sb().from(`${p}_customers`).select(`name, ${p}_orders(count)`).order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { name: 'Ada', [`${p}_orders`]: [{ count: 2 }] },
      { name: 'Grace', [`${p}_orders`]: [{ count: 2 }] },
      { name: 'Orphan', [`${p}_orders`]: [{ count: 0 }] },
    ]);
    const top = await sb().from(`${p}_orders`).select('count');
    expect(top.data).toEqual([{ count: 5 }]);
  });
});

describe('aggregates with db-aggregates-enabled on', () => {
  beforeAll(async () => {
    await setAggregates(true);
  });

  it('sums, averages, counts, and takes min and max over all rows', async () => {
    const { data, error } = await sb()
      .from(`${p}_orders`)
      .select('amount.sum(), amount.avg(), amount.min(), amount.max(), count(), n:customer_id.count()');
    expect(error).toBeNull();
    expect(data).toEqual([{ sum: 142.5, avg: 28.5, min: 5, max: 100, count: 5, n: 4 }]);
  });

  it('groups by the other selected columns, with aliases, filters and order', async () => {
    const { data, error } = await sb()
      .from(`${p}_orders`)
      .select('total:amount.sum(), day, orders:count()')
      .lt('amount', 50)
      .order('day');
    expect(error).toBeNull();
    expect(data).toEqual([
      { total: 37.5, day: '2024-01-01', orders: 3 },
      { total: 5, day: '2024-01-02', orders: 1 },
    ]);
  });

  it('casts the input and the result', async () => {
    const input = await sb().from(`${p}_orders`).select('tax:details->>tax::int.sum()');
    expect(input.error).toBeNull();
    expect(input.data).toEqual([{ tax: 6 }]);
    const output = await sb().from(`${p}_orders`).select('amount.avg()::int, count()::text');
    expect(output.data).toEqual([{ avg: 29, count: '5' }]);
  });

  it('aggregates inside an embed, per parent row', async () => {
    const { data, error } = await sb()
      .from(`${p}_customers`)
      .select(`name, ${p}_orders(amount.sum(), count())`)
      .order('id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { name: 'Ada', [`${p}_orders`]: [{ sum: 30.5, count: 2 }] },
      { name: 'Grace', [`${p}_orders`]: [{ sum: 12, count: 2 }] },
      { name: 'Orphan', [`${p}_orders`]: [{ sum: null, count: 0 }] },
    ]);
  });

  it('groups by an embedded resource', async () => {
    const { data, error } = await sb()
      .from(`${p}_orders`)
      .select(`customer_id, amount.sum(), customer:${p}_customers(name)`)
      .not('customer_id', 'is', null)
      .order('customer_id');
    expect(error).toBeNull();
    expect(data).toEqual([
      { customer_id: 1, sum: 30.5, customer: { name: 'Ada' } },
      { customer_id: 2, sum: 12, customer: { name: 'Grace' } },
    ]);
  });

  it('aggregates the rows of a function', async () => {
    const { data, error } = await sb().rpc(`${p}_big_orders`, { min: 10 }).select('amount.max(), count()');
    expect(error).toBeNull();
    expect(data).toEqual([{ max: 100, count: 3 }]);
  });

  it('refuses aggregates in to-many spreads with PGRST127, as PostgREST', async () => {
    const { error, status } = await sb().from(`${p}_customers`).select(`name, ...${p}_orders(amount.sum())`);
    expect(status).toBe(400);
    expect(error).toEqual({
      code: 'PGRST127',
      message: 'Feature not implemented',
      details: 'Aggregates are not implemented for one-to-many or many-to-many spreads.',
      hint: null,
    });
  });

  it('answers a bad aggregate with a parse error and an unknown column with 42703', async () => {
    const res = await rest(`/${p}_orders?select=amount.median()`, { headers: { 'accept-profile': 'rest_fixture' } });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('PGRST100');
    const { error } = await sb().from(`${p}_orders`).select('nope.sum()');
    expect(error?.code).toBe('42703');
  });
});
