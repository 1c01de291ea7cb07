-- A team may require multi-factor authentication (TOTP) for its owners and admins: their admin-level rights
-- in that team then exist only in an aal2 session (auth.jwt()->>'aal' = 'aal2', after the TOTP code).
--
-- Every admin-level policy and admin RPC reads private.admin_team_ids() or private.owner_team_ids(); both now
-- leave out the teams that require MFA while the session is aal1, so one check covers every admin policy, and
-- policies added later with the same helpers get it too. Membership reads (private.member_team_ids()) are
-- unchanged: an admin without the second factor still sees the team as a member does.

alter table public.teams add column if not exists require_mfa boolean not null default false;
comment on column public.teams.require_mfa is
  'Owners and admins act as such only in an aal2 session (TOTP verified); set by owners in an aal2 session.';

create or replace function private.meets_team_mfa(p_team_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(
    (select not t.require_mfa or coalesce((select auth.jwt()) ->> 'aal', '') = 'aal2'
     from public.teams t where t.id = p_team_id),
    true
  )
$$;
comment on function private.meets_team_mfa(uuid) is
  'Whether the session meets the team''s MFA requirement: the team does not require MFA, or the session is aal2.';
revoke execute on function private.meets_team_mfa(uuid) from public, anon;
grant execute on function private.meets_team_mfa(uuid) to authenticated, service_role;

create or replace function private.admin_team_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.team_id), '{}')
  from public.team_members m
  where m.user_id = (select auth.uid()) and m.role in ('owner', 'admin') and private.meets_team_mfa(m.team_id)
$$;
comment on function private.admin_team_ids() is
  'Teams where the requesting user is owner or admin (teams that require MFA only in an aal2 session).';

create or replace function private.owner_team_ids()
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.team_id), '{}')
  from public.team_members m
  where m.user_id = (select auth.uid()) and m.role = 'owner' and private.meets_team_mfa(m.team_id)
$$;
comment on function private.owner_team_ids() is
  'Teams the requesting user owns (teams that require MFA only in an aal2 session).';

-- Only an owner in an aal2 session (or the service role) may change the requirement: an admin cannot lift
-- it, and nobody turns it on without having the second factor themselves.
create or replace function private.guard_team_mfa_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- No JWT (migrations, the database owner) or the service role: not an end user, no check.
  if new.require_mfa is distinct from old.require_mfa
     and coalesce((select auth.role()), 'service_role') <> 'service_role' then
    if not exists (
      select 1 from public.team_members m
      where m.team_id = new.id and m.user_id = (select auth.uid()) and m.role = 'owner'
    ) then
      raise exception 'Only an owner of the team can change its MFA requirement'
        using errcode = '42501', hint = 'Ask an owner of the team';
    end if;
    if coalesce((select auth.jwt()) ->> 'aal', '') <> 'aal2' then
      raise exception 'Changing the MFA requirement needs a session verified with your authenticator code (aal2)'
        using errcode = '42501', hint = 'Turn on two-factor authentication on your account page and sign in with the code';
    end if;
  end if;
  return new;
end
$$;
comment on function private.guard_team_mfa_change() is 'Trigger: only owners in an aal2 session change teams.require_mfa.';
revoke execute on function private.guard_team_mfa_change() from public, anon, authenticated;

drop trigger if exists teams_guard_mfa_change on public.teams;
create trigger teams_guard_mfa_change before update of require_mfa on public.teams
  for each row execute function private.guard_team_mfa_change();
