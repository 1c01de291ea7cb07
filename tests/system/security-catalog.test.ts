/**
 * Schema-wide security rules read from the catalog, so a new table, view or function that breaks them fails here.
 * Checked in a database of its own holding only the hosted bootstrap and the migrations: what production has,
 * without the objects other test files create in the shared test database meanwhile.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hostedDatabase, pushMigrations, type FreshDatabase } from './fresh-database.ts';

const env = inject('stack');
let fresh: FreshDatabase;

beforeAll(async () => {
  fresh = await hostedDatabase(env.SUPABASE_DB_URL, 'catalog');
  await pushMigrations(fresh.url);
}, 240_000);
afterAll(async () => {
  await fresh?.drop();
});

// The schemas PostgREST serves (supabase/config.toml [api] schemas): everything in them is reachable over HTTP.
const EXPOSED = ['public', 'graphql_public'];

/** The `name` column of a catalog query over the exposed schemas (`$1`): the offenders of one rule. */
async function offenders(sql: string): Promise<string[]> {
  const { rows } = await fresh.client.query<{ name: string }>(sql, [EXPOSED]);
  return rows.map((r) => r.name);
}

describe('exposed schemas', () => {
  it('have row-level security enabled on every table and partitioned parent', async () => {
    const names = await offenders(
      `select n.nspname || '.' || c.relname as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind in ('r', 'p') and not c.relispartition and not c.relrowsecurity
        order by 1`,
    );
    expect(names, 'enable it with: alter table <name> enable row level security').toEqual([]);
  });

  it('give the API roles no privilege on a partition without row-level security', async () => {
    // Policies of the parent do not apply when a partition is queried by name (GET /rest/v1/host_samples_p20261126).
    const names = await offenders(
      `select n.nspname || '.' || c.relname as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         cross join unnest(array['anon', 'authenticated']) r(role)
        where n.nspname = any($1) and c.relispartition and not c.relrowsecurity
          and has_table_privilege(r.role, c.oid, 'select, insert, update, delete')
        order by 1`,
    );
    expect(names, 'revoke all on the partition from anon, authenticated (or enable RLS on it)').toEqual([]);
  });

  it('hold no security definer function without a fixed search_path', async () => {
    const names = await offenders(
      `select p.oid::regprocedure::text as name
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any($1) and p.prosecdef
          and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')
        order by 1`,
    );
    expect(names, "add: set search_path = ''").toEqual([]);
  });

  it('hold no view that runs with its owner rights (security_invoker off) and is readable by the API roles', async () => {
    // A plain view is evaluated as its owner (postgres, who bypasses RLS): it would leak every team's rows.
    const names = await offenders(
      `select n.nspname || '.' || c.relname as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind in ('v', 'm')
          and not coalesce('security_invoker=true' = any (c.reloptions) or 'security_invoker=on' = any (c.reloptions), false)
          and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select'))
        order by 1`,
    );
    expect(names, 'create it with (security_invoker = true) or revoke select from anon, authenticated').toEqual([]);
  });

  it('give the API roles no security definer function that changes data without checking the caller', async () => {
    // Every definer function anon may call must be deliberate; list them so a new one is reviewed here.
    // Trigger functions are left out: /rest/v1/rpc cannot call them.
    const names = await offenders(
      `select p.oid::regprocedure::text as name
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any($1) and p.prosecdef and has_function_privilege('anon', p.oid, 'execute')
          and p.prorettype not in ('trigger'::regtype, 'event_trigger'::regtype)
        order by 1`,
    );
    expect(names, 'revoke execute on function … from anon (and public)').toEqual([]);
  });
});
