-- Which agent runs on each host, so the Hosts page can show it and flag agents older than the
-- dashboard's (issue 14).
--
-- Least privilege: the agent gets no update privilege on hosts (a column grant would apply to every
-- authenticated caller, and an agent update policy would let it rename its host through the existing
-- name/slug/labels grants). It calls report_agent_version instead, which writes only this column,
-- only on the host the caller's agent JWT is bound to (private.agent_host_id(): null for people,
-- and for an agent whose host has been re-enrolled since).

alter table public.hosts
  add column agent_version text
    constraint hosts_agent_version_format check (agent_version ~ '^[0-9A-Za-z.+_-]{1,100}$'),
  add column agent_version_at timestamptz;
comment on column public.hosts.agent_version is
  'The version the host''s agent last reported (<semver>+<build>), set through report_agent_version only.';
comment on column public.hosts.agent_version_at is 'When the agent last reported its version.';

create function public.report_agent_version(p_version text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_host uuid := private.agent_host_id();
begin
  if v_host is null then
    raise exception 'Cannot report an agent version: only a host''s current agent may (sign in with the credentials vibe-agent enroll wrote)'
      using errcode = '42501';
  end if;
  if p_version is null or p_version !~ '^[0-9A-Za-z.+_-]{1,100}$' then
    raise exception 'Cannot report an agent version: expected 1..100 characters of [0-9A-Za-z.+_-], got %', coalesce(p_version, 'null')
      using errcode = '22023';
  end if;
  update public.hosts set agent_version = p_version, agent_version_at = now() where id = v_host;
end
$$;
comment on function public.report_agent_version(text) is
  'Agents: record the running agent''s version on their own host (hosts.agent_version).';

revoke all on function public.report_agent_version(text) from public, anon;
grant execute on function public.report_agent_version(text) to authenticated;
