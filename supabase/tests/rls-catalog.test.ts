/** Every table in an exposed schema has row-level security enabled: a new table without it fails here. */
import { afterAll, describe, expect, it } from 'vitest';
import { superuser } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());

describe('row-level security catalog', () => {
  it('is enabled on every table and partition in public', async () => {
    const { rows } = await db.query<{ name: string }>(`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('public', 'graphql_public') and c.relkind in ('r', 'p') and not c.relrowsecurity
        and c.relispartition = false`);
    expect(rows.map((r) => r.name)).toEqual([]);
  });

  it('has at least one policy on every RLS table the API roles can reach', async () => {
    const { rows } = await db.query<{ name: string }>(`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
        and has_table_privilege('authenticated', c.oid, 'select')
        and not exists (select 1 from pg_policy p where p.polrelid = c.oid)`);
    expect(rows.map((r) => r.name)).toEqual([]);
  });

  it('grants nothing to anon on any public table', async () => {
    const { rows } = await db.query<{ name: string }>(`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p', 'v')
        and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('anon', c.oid, 'insert'))`);
    expect(rows.map((r) => r.name)).toEqual([]);
  });

  it('keeps server-only functions out of reach of the API roles', async () => {
    const { rows } = await db.query<{ name: string }>(`
      select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.proname in ('claim_enrollment_token', 'release_enrollment_token', 'attach_agent_user',
          'claim_notifications', 'settle_notifications', 'claim_invitation_mails', 'settle_invitation_mails')
        and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))`);
    expect(rows).toEqual([]);
  });

  it('keeps the invitation mail outbox (raw link tokens until sent) away from every API role', async () => {
    const { rows } = await db.query<{ role: string }>(`
      select r.role from unnest(array['anon', 'authenticated', 'service_role']) r(role)
      where has_table_privilege(r.role, 'private.invitation_mails', 'select, insert, update, delete')`);
    expect(rows).toEqual([]);
    const exposed = await db.query<{ name: string }>(`
      select column_name as name from information_schema.columns
      where table_schema = 'public' and table_name = 'team_invitations' and column_name like '%token%'`);
    expect(exposed.rows.map((r) => r.name)).toEqual(['token_hash']);
  });
});
