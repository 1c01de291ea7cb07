-- Teams and their members: every other row of the product belongs to a team.
-- Also sets the ground rules for the whole schema: nothing new is reachable by the API roles unless a
-- migration grants it, and server-only helpers live in the unexposed `private` schema.

-- No function is executable by PUBLIC (so by anon) unless a migration grants it: every function below
-- and in the later files states who may execute it (tests/system/security-catalog.test.ts lists the
-- private and security definer ones the API roles may run, with the reason). This has to be the global
-- default: EXECUTE to PUBLIC is a built-in global default, and per-schema default privileges can only
-- add to the global ones, never take away from them.
alter default privileges revoke execute on functions from public;

-- Grants are explicit from here on: new public tables/functions are not auto-exposed.
alter default privileges in schema public revoke all on tables from anon, authenticated, service_role;
alter default privileges in schema public revoke all on sequences from anon, authenticated, service_role;
alter default privileges in schema public revoke all on functions from anon, authenticated, service_role;

create schema if not exists private;
revoke all on schema private from public;
-- Policies call the helpers below as the requesting role, which needs usage on the schema;
-- the schema is not exposed through the Data API, so nothing here is callable over HTTP.
grant usage on schema private to anon, authenticated, service_role;

create type public.team_role as enum ('owner', 'admin', 'viewer');

create table public.teams (
  id uuid primary key default gen_random_uuid(),
  name text not null constraint teams_name_length check (char_length(name) between 1 and 100),
  created_at timestamptz not null default now()
);
comment on table public.teams is 'A tenant: hosts, rules, channels and samples all belong to one team.';

create table public.team_members (
  team_id uuid not null references public.teams (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.team_role not null default 'viewer',
  created_at timestamptz not null default now(),
  primary key (team_id, user_id)
);
comment on table public.team_members is 'Who belongs to a team and with which role (owner, admin, viewer).';
-- Policies filter on user_id; the primary key leads with team_id, so index user_id separately.
create index team_members_user_id_idx on public.team_members (user_id);

-- Policy helpers ------------------------------------------------------------------------------
-- security definer so policies need no RLS pass over team_members (no recursion, one lookup);
-- callers wrap them in (select …) so each runs once per statement.

create function private.member_team_ids() returns uuid[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(m.team_id), '{}')
  from public.team_members m
  where m.user_id = (select auth.uid())
$$;
comment on function private.member_team_ids() is 'Teams the requesting user belongs to, any role.';

create function private.admin_team_ids() returns uuid[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(m.team_id), '{}')
  from public.team_members m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin')
$$;
comment on function private.admin_team_ids() is 'Teams where the requesting user is owner or admin.';

create function private.owner_team_ids() returns uuid[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(m.team_id), '{}')
  from public.team_members m
  where m.user_id = (select auth.uid()) and m.role = 'owner'
$$;
comment on function private.owner_team_ids() is 'Teams the requesting user owns.';

create function private.is_agent() returns boolean
language sql stable set search_path = ''
as $$
  select coalesce((select auth.jwt()) -> 'app_metadata' ->> 'vibe_role' = 'agent', false)
$$;
comment on function private.is_agent() is 'Whether the request carries an agent JWT (app_metadata.vibe_role = agent).';

-- Policies run them as the caller; anon has no policy that needs them.
revoke all on function private.member_team_ids(), private.admin_team_ids(), private.owner_team_ids(), private.is_agent()
  from public, anon;
grant execute on function private.member_team_ids(), private.admin_team_ids(), private.owner_team_ids(), private.is_agent()
  to authenticated, service_role;

-- Keep updated_at honest for the dashboard.
create function private.touch_updated_at() returns trigger
language plpgsql set search_path = ''
as $$ begin new.updated_at := now(); return new; end $$;

-- A new team's creator becomes its owner, so a team is never created unreachable.
create function private.add_team_creator() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if (select auth.uid()) is not null then
    insert into public.team_members (team_id, user_id, role) values (new.id, (select auth.uid()), 'owner')
    on conflict do nothing;
  end if;
  return null;
end
$$;
create trigger teams_add_creator after insert on public.teams
  for each row execute function private.add_team_creator();
-- Trigger functions: a trigger fires without an EXECUTE check, so nobody needs the privilege.
revoke all on function private.touch_updated_at(), private.add_team_creator() from public, anon, authenticated;

-- RLS -----------------------------------------------------------------------------------------
alter table public.teams enable row level security;
alter table public.team_members enable row level security;

create policy "Members can read their teams" on public.teams
  for select to authenticated using (id = any ((select private.member_team_ids())::uuid[]));
create policy "Signed-in users can create a team" on public.teams
  for insert to authenticated with check (not (select private.is_agent()));
create policy "Admins can rename their teams" on public.teams
  for update to authenticated using (id = any ((select private.admin_team_ids())::uuid[]))
  with check (id = any ((select private.admin_team_ids())::uuid[]));
create policy "Owners can delete their teams" on public.teams
  for delete to authenticated using (id = any ((select private.owner_team_ids())::uuid[]));

create policy "Members can read their team's members" on public.team_members
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
-- Membership only by consent: nobody can put another user into a team. Rows are added only by
-- accept_invitation (…_create_invitation_functions.sql) and by the team-creation trigger above (the creator
-- becomes owner), both running as the table owner; so no insert policy or grant, and update is narrowed to
-- the role column (rewriting a row's user_id would be an insert in disguise). The service role (test
-- fixtures, operators) keeps direct writes: it bypasses RLS and can do anything anyway.
-- Admins manage members, but only owners may change or remove an owner.
create policy "Admins can change members' roles" on public.team_members
  for update to authenticated using (
    team_id = any ((select private.admin_team_ids())::uuid[])
    and (role <> 'owner' or team_id = any ((select private.owner_team_ids())::uuid[]))
  ) with check (
    team_id = any ((select private.admin_team_ids())::uuid[])
    and (role <> 'owner' or team_id = any ((select private.owner_team_ids())::uuid[]))
  );
create policy "Admins can remove members" on public.team_members
  for delete to authenticated using (
    team_id = any ((select private.admin_team_ids())::uuid[])
    and (role <> 'owner' or team_id = any ((select private.owner_team_ids())::uuid[]))
  );

grant select, insert, update, delete on public.teams to authenticated;
grant select, delete on public.team_members to authenticated;
grant update (role) on public.team_members to authenticated;
grant all on public.teams, public.team_members to service_role;

-- Team settings: retention per tier and the host-offline threshold, with the issue's defaults --------

create table public.team_settings (
  team_id uuid primary key references public.teams (id) on delete cascade,
  -- Raw samples (and their compacted form) are kept this long.
  raw_retention interval not null default interval '7 days'
    constraint team_settings_raw_retention_range check (raw_retention between interval '1 hour' and interval '90 days'),
  minute_retention interval not null default interval '30 days'
    constraint team_settings_minute_retention_range check (minute_retention between interval '1 day' and interval '400 days'),
  hour_retention interval not null default interval '400 days'
    constraint team_settings_hour_retention_range check (hour_retention between interval '7 days' and interval '3650 days'),
  -- A host is offline after this many sample intervals without a sample.
  offline_after_intervals integer not null default 3
    constraint team_settings_offline_after_range check (offline_after_intervals between 1 and 1000),
  updated_at timestamptz not null default now()
);
comment on table public.team_settings is 'Retention per tier (raw 7 d, 1-minute 30 d, 1-hour 400 d by default) and host-offline threshold.';

create function private.add_team_settings() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.team_settings (team_id) values (new.id) on conflict do nothing;
  return null;
end
$$;
create trigger teams_add_settings after insert on public.teams
  for each row execute function private.add_team_settings();
revoke all on function private.add_team_settings() from public, anon, authenticated;

create trigger team_settings_touch before update on public.team_settings
  for each row execute function private.touch_updated_at();

alter table public.team_settings enable row level security;
create policy "Members can read their team's settings" on public.team_settings
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Admins can change their team's settings" on public.team_settings
  for update to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]))
  with check (team_id = any ((select private.admin_team_ids())::uuid[]));

grant select, update on public.team_settings to authenticated;
grant all on public.team_settings to service_role;
