/**
 * Schema-wide security rules read from the catalog, so a new table, view or function that breaks them fails here.
 * Checked in a database of its own holding only the hosted bootstrap and the migrations: what production has,
 * without the objects other test files create in the shared test database meanwhile.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hostedDatabase, pushMigrations, type FreshDatabase } from '../../testkit/src/fresh-database.ts';

const env = inject('stack');
let fresh: FreshDatabase;
/** Schemas the migrations create (private, …) plus public: where the product's own functions live. */
let appSchemas: string[] = [];

beforeAll(async () => {
  fresh = await hostedDatabase(env.SUPABASE_DB_URL, 'catalog');
  const before = await fresh.client.query<{ nspname: string }>('select nspname from pg_namespace');
  await pushMigrations(fresh.url);
  const after = await fresh.client.query<{ nspname: string }>('select nspname from pg_namespace');
  const bootstrap = new Set(before.rows.map((r) => r.nspname));
  appSchemas = ['public', ...after.rows.map((r) => r.nspname).filter((n) => !bootstrap.has(n) && !n.startsWith('pg_'))];
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

/**
 * The only private or security definer functions the API roles may execute, and why. Anything else is
 * server-only: triggers, pg_cron jobs, the Edge Functions' service-role RPCs. `public` is never listed:
 * a grant to PUBLIC reaches anon too.
 */
const EXECUTE_ALLOWED: Record<string, { roles: string[]; why: string }> = {
  'private.member_team_ids()': { roles: ['authenticated'], why: 'RLS policies: teams the caller belongs to' },
  'private.admin_team_ids()': { roles: ['authenticated'], why: 'RLS policies: teams the caller administers' },
  'private.owner_team_ids()': { roles: ['authenticated'], why: 'RLS policies: teams the caller owns' },
  'private.meets_team_mfa(uuid)': {
    roles: ['authenticated'],
    why: "whether the session meets a team's MFA requirement (aal2 when required); reads only the caller's JWT",
  },
  'private.is_agent()': { roles: ['authenticated'], why: 'RLS policy on teams (agents cannot create teams)' },
  'private.agent_host_id()': { roles: ['authenticated'], why: 'RLS policies: the host an agent JWT writes for' },
  'private.member_host_ids()': { roles: ['authenticated'], why: "RLS policies: hosts of the caller's teams" },
  'private.new_enrollment_token(uuid,interval)': {
    roles: ['authenticated'],
    why: 'called by create_host/create_enrollment_token (security invoker); checks the caller is an admin itself',
  },
  'private.alert_step(text,timestamp with time zone,timestamp with time zone,text,double precision,double precision,interval,interval,double precision,timestamp with time zone)':
    { roles: ['authenticated'], why: 'pure state machine step called by backtest_rule_draft (security invoker)' },
  'private.series_points(text,jsonb)': {
    roles: ['authenticated'],
    why: 'pure row-to-point mapping of the rule source catalogue, called by backtest_rule_draft (security invoker)',
  },
  'private.rule_source_table(text,text)': {
    roles: ['authenticated'],
    why: 'pure catalogue lookup (table of a source metric), called by backtest_rule_draft (security invoker)',
  },
  'private.rule_from_json(jsonb)': {
    roles: ['authenticated'],
    why: 'pure JSON → alert_rules row with defaults, called by backtest_rule_draft/anomaly_band_preview (security invoker)',
  },
  'private.hour_of_week(timestamp with time zone)': {
    roles: ['authenticated'],
    why: 'pure hour-of-week, called by anomaly_band_preview (security invoker)',
  },
  'private.decode_host_hour(bytea,integer[])': {
    roles: ['authenticated'],
    why: 'pure decoder called by metrics_range (security invoker)',
  },
  'private.read_varint(bytea,integer)': { roles: ['authenticated'], why: 'pure varint reader called by the decoders' },
  'private.isum(bigint)': { roles: ['authenticated'], why: 'int8 sum aggregate the decoder runs as the caller' },
  'private.verified_email()': {
    roles: ['authenticated'],
    why: 'RLS policy: invitees read the invitations to their confirmed address',
  },
  'create_invitation(uuid,text,team_role,interval)': {
    roles: ['authenticated'],
    why: 'RPC: admins invite (checks the caller is admin, owner for owners)',
  },
  'my_invitations()': {
    roles: ['authenticated'],
    why: "RPC: the caller's pending invitations (to their confirmed address only)",
  },
  'invitation_by_token(text)': { roles: ['authenticated'], why: 'RPC: what a link invites to (the invitee only)' },
  'accept_invitation(uuid,text)': {
    roles: ['authenticated'],
    why: 'RPC: the invitee joins (checks the caller holds the invited address)',
  },
  'decline_invitation(uuid,text)': {
    roles: ['authenticated'],
    why: 'RPC: the invitee declines (checks the caller holds the invited address)',
  },
  'revoke_invitation(uuid)': {
    roles: ['authenticated'],
    why: 'RPC: admins withdraw an invitation (checks the caller is admin, owner for owners)',
  },
  'channel_settings(uuid)': {
    roles: ['authenticated'],
    why: "RPC: a team's channel settings without secret values (admins of that team only; config is not readable)",
  },
  'set_channel_config(uuid,jsonb)': {
    roles: ['authenticated'],
    why: "RPC: admins merge a channel's settings (checks the caller is admin of the channel's team)",
  },
  'acknowledge_alert(uuid,uuid,text,text)': {
    roles: ['authenticated'],
    why: 'RPC: acknowledge a firing alert (checks the caller is owner or admin of its team)',
  },
  'next_maintenance_windows(uuid,timestamp with time zone)': {
    roles: ['authenticated'],
    why: "RPC: next occurrence of each maintenance window (only of the caller's teams)",
  },
  'report_agent_version(text)': {
    roles: ['authenticated'],
    why: 'RPC: an agent records its version on its own host only (agent_host_id); hosts.agent_version and nothing else',
  },
  'team_member_emails(uuid)': {
    roles: ['authenticated'],
    why: "RPC: members' addresses (auth.users is not exposed), for members of that team only",
  },
};

describe('app schemas', () => {
  it('let anon, authenticated and PUBLIC execute no private or security definer function unless it is allowed above with a reason', async () => {
    // has_function_privilege counts grants to PUBLIC too; the PUBLIC row is reported on its own so the fix is clear.
    const { rows } = await fresh.client.query<{ name: string; grantee: string }>(
      `with fns as (
         select p.oid, p.oid::regprocedure::text as name, p.proacl, p.proowner
           from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = any($1) and (n.nspname <> 'public' or p.prosecdef) and p.prokind in ('f', 'p', 'a')
            -- Extensions the migrations create (pg_cron's schema) manage their own grants.
            and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
       )
       select name, r.role as grantee from fns cross join unnest(array['anon', 'authenticated']) r(role)
        where has_function_privilege(r.role, fns.oid, 'execute')
       union all
       select name, 'PUBLIC' from fns
        where exists (select 1 from aclexplode(coalesce(fns.proacl, acldefault('f', fns.proowner))) a where a.grantee = 0 and a.privilege_type = 'EXECUTE')
       order by 1, 2`,
      [appSchemas],
    );
    const offenders = rows
      .filter((r) => !EXECUTE_ALLOWED[r.name]?.roles.includes(r.grantee))
      .map((r) => `${r.name} to ${r.grantee}`);
    expect(
      offenders,
      'revoke execute on function <name> from public, anon, authenticated (or list it above with the reason)',
    ).toEqual([]);
  });

  it('let anon and PUBLIC execute no function of the app schemas at all (anon has no team to act for)', async () => {
    // Security invoker RPCs in public (create_host, metrics_range, backtest_rule, …) are for signed-in members only.
    const { rows } = await fresh.client.query<{ name: string }>(
      `select p.oid::regprocedure::text as name
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any($1) and p.prokind in ('f', 'p', 'a') and p.prorettype <> 'trigger'::regtype
          and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
          and has_function_privilege('anon', p.oid, 'execute')
        order by 1`,
      [appSchemas],
    );
    expect(
      rows.map((r) => r.name),
      'grant execute on function … to authenticated, service_role (not public or anon)',
    ).toEqual([]);
  });

  it('list only functions that exist', async () => {
    const { rows } = await fresh.client.query<{ name: string }>(
      `select p.oid::regprocedure::text as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1)`,
      [appSchemas],
    );
    const names = new Set(rows.map((r) => r.name));
    expect(
      Object.keys(EXECUTE_ALLOWED).filter((n) => !names.has(n)),
      'remove stale entries from EXECUTE_ALLOWED',
    ).toEqual([]);
  });

  it('revoke EXECUTE from PUBLIC by default for functions the migrations create later', async () => {
    // Per-schema default privileges cannot revoke the built-in EXECUTE to PUBLIC; only a global entry does.
    const { rows } = await fresh.client.query<{ ok: boolean }>(
      `select exists (
         select 1 from pg_default_acl d
          where d.defaclobjtype = 'f' and d.defaclnamespace = 0 and d.defaclrole = 'postgres'::regrole
            and not exists (select 1 from aclexplode(d.defaclacl) a where a.grantee = 0)
       ) as ok`,
    );
    expect(rows[0]!.ok, 'alter default privileges revoke execute on functions from public').toBe(true);
  });
});
