-- Hosts, one-time enrollment tokens, the enrollment rate limit, and the agent identity the ingest
-- policies rely on.
--
-- Agent identity: an agent is an Auth user created by the enroll-agent function whose
-- app_metadata is {"vibe_role": "agent", "host_id": "<uuid>", "team_id": "<uuid>"}.
-- app_metadata is not user-editable, and a host names its current agent in hosts.agent_user_id,
-- so re-enrolling a host revokes the previous agent's write access at once.

create table public.hosts (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  name text not null constraint hosts_name_length check (char_length(name) between 1 and 100),
  slug text not null constraint hosts_slug_format check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  labels jsonb not null default '{}'
    constraint hosts_labels_object check (jsonb_typeof(labels) = 'object' and pg_column_size(labels) <= 4096),
  agent_user_id uuid references auth.users (id) on delete set null,
  -- How often the agent reports; host-down and status count missed intervals of this length.
  sample_interval_s integer not null default 10
    constraint hosts_sample_interval_range check (sample_interval_s between 1 and 3600),
  last_seen_at timestamptz,
  created_at timestamptz not null default now(),
  constraint hosts_slug_unique_per_team unique (team_id, slug)
);
comment on table public.hosts is 'Monitored machines. labels: flat {"key":"value"} object used by alert rule scopes.';
create index hosts_team_id_idx on public.hosts (team_id);
create index hosts_agent_user_id_idx on public.hosts (agent_user_id);

-- Slug from the name when none is given: lower-case, runs of other characters become "-".
create function private.default_host_slug() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.slug is null or new.slug = '' then
    new.slug := left(trim(both '-' from regexp_replace(lower(new.name), '[^a-z0-9]+', '-', 'g')), 63);
    if new.slug = '' then new.slug := 'host'; end if;
  end if;
  return new;
end
$$;
create trigger hosts_default_slug before insert or update of name, slug on public.hosts
  for each row execute function private.default_host_slug();
-- A trigger fires without an EXECUTE check, so nobody needs the privilege.
revoke all on function private.default_host_slug() from public, anon, authenticated;

create table public.enrollment_tokens (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  host_id uuid not null references public.hosts (id) on delete cascade,
  -- sha256 of the token, hex; the token itself is shown once and never stored.
  token_hash text not null unique constraint enrollment_tokens_hash_format check (token_hash ~ '^[0-9a-f]{64}$'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '24 hours',
  used_at timestamptz,
  used_by uuid references auth.users (id) on delete set null
);
comment on table public.enrollment_tokens is 'One-time agent enrollment tokens, stored as sha256 hashes; default lifetime 24 h.';
create index enrollment_tokens_host_id_idx on public.enrollment_tokens (host_id);
create index enrollment_tokens_team_id_idx on public.enrollment_tokens (team_id);

-- Policy helpers ------------------------------------------------------------------------------

create function private.agent_host_id() returns uuid
language sql stable security definer set search_path = ''
as $$
  select h.id from public.hosts h
  where (select private.is_agent())
    and h.id = nullif((select auth.jwt()) -> 'app_metadata' ->> 'host_id', '')::uuid
    and h.agent_user_id = (select auth.uid())
$$;
comment on function private.agent_host_id() is 'The host an agent JWT may write for, or null (also null once the host is re-enrolled).';

create function private.member_host_ids() returns uuid[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(h.id), '{}')
  from public.hosts h
  where h.team_id = any ((select private.member_team_ids())::uuid[])
$$;
comment on function private.member_host_ids() is 'Hosts of every team the requesting user belongs to.';

-- Policies run them as the caller; anon has no policy that needs them.
revoke all on function private.agent_host_id(), private.member_host_ids() from public, anon;
grant execute on function private.agent_host_id(), private.member_host_ids() to authenticated, service_role;

-- One-time secret tokens (enrollment tokens here, invitation links later) ------------------------
-- Shown once, kept only as a sha256 hash: a leaked table gives away no token.

create function private.new_secret_token(p_prefix text) returns text
language sql volatile set search_path = ''
as $$ select p_prefix || replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') $$;
comment on function private.new_secret_token(text) is
  'A one-time secret as enrollment tokens are made: prefix plus 64 hex digits from two random UUIDs.';

create function private.secret_token_hash(p_token text) returns text
language sql immutable set search_path = ''
as $$ select encode(sha256(convert_to(coalesce(p_token, ''), 'UTF8')), 'hex') $$;
comment on function private.secret_token_hash(text) is 'sha256 of a token, hex: the only form a token is kept in.';

-- Only the security definer functions that make and check tokens call them, as their owner.
revoke all on function private.new_secret_token(text), private.secret_token_hash(text) from public, anon, authenticated;

-- Enrollment ----------------------------------------------------------------------------------

create function private.new_enrollment_token(p_host_id uuid, p_valid_for interval)
returns table (token text, expires_at timestamptz)
language plpgsql security definer set search_path = ''
as $$
declare
  v_team uuid;
  v_token text := private.new_secret_token('vibe_enroll_');
begin
  select h.team_id into v_team from public.hosts h where h.id = p_host_id;
  if v_team is null then
    raise exception 'Cannot create an enrollment token: host % does not exist', p_host_id using errcode = 'P0002';
  end if;
  if not (v_team = any ((select private.admin_team_ids())::uuid[])) and (select auth.role()) is distinct from 'service_role' then
    raise exception 'Cannot create an enrollment token: only owners and admins of the host''s team may enroll agents'
      using errcode = '42501';
  end if;
  if p_valid_for is null or p_valid_for <= interval '0' or p_valid_for > interval '30 days' then
    raise exception 'Cannot create an enrollment token: validity must be between 0 and 30 days, got %', p_valid_for
      using errcode = '22023';
  end if;
  insert into public.enrollment_tokens (team_id, host_id, token_hash, created_by, expires_at)
  values (v_team, p_host_id, private.secret_token_hash(v_token), (select auth.uid()), now() + p_valid_for)
  returning enrollment_tokens.expires_at into expires_at;
  token := v_token;
  return next;
end
$$;

create function public.create_enrollment_token(p_host_id uuid, p_valid_for interval default interval '24 hours')
returns table (token text, expires_at timestamptz)
language sql security invoker set search_path = ''
as $$ select * from private.new_enrollment_token(p_host_id, p_valid_for) $$;
comment on function public.create_enrollment_token(uuid, interval) is
  'Admins: a new one-time enrollment token for an existing host (shown once; only its hash is stored).';

create function public.create_host(p_team_id uuid, p_name text, p_labels jsonb default '{}', p_slug text default null)
returns table (host_id uuid, token text, expires_at timestamptz)
language plpgsql security invoker set search_path = ''
as $$
begin
  -- The insert runs under the caller's RLS: only admins of p_team_id get past it.
  insert into public.hosts (team_id, name, labels, slug) values (p_team_id, p_name, coalesce(p_labels, '{}'), p_slug)
  returning id into host_id;
  select t.token, t.expires_at into token, expires_at from private.new_enrollment_token(host_id, interval '24 hours') t;
  return next;
end
$$;
comment on function public.create_host(uuid, text, jsonb, text) is
  'Admins: add a host and get its one-time enrollment token (valid 24 h, shown once).';

-- Used by the enroll-agent edge function (service role only): atomically marks a token used.
create function public.claim_enrollment_token(p_token text)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_hash text := private.secret_token_hash(p_token);
  v_row public.enrollment_tokens;
begin
  update public.enrollment_tokens t set used_at = now()
  where t.token_hash = v_hash and t.used_at is null and t.expires_at > now()
  returning * into v_row;
  if found then
    return jsonb_build_object('status', 'ok', 'token_id', v_row.id, 'host_id', v_row.host_id, 'team_id', v_row.team_id);
  end if;
  select * into v_row from public.enrollment_tokens t where t.token_hash = v_hash;
  if not found then
    return jsonb_build_object('status', 'invalid');
  elsif v_row.used_at is not null then
    return jsonb_build_object('status', 'used', 'used_at', v_row.used_at);
  else
    return jsonb_build_object('status', 'expired', 'expires_at', v_row.expires_at);
  end if;
end
$$;
comment on function public.claim_enrollment_token(text) is
  'Service role: marks a one-time token used; status ok | invalid | used | expired.';

-- Undo a claim when the agent user could not be created, so the token is not burnt for nothing.
create function public.release_enrollment_token(p_token_id uuid)
returns void
language sql security definer set search_path = ''
as $$ update public.enrollment_tokens set used_at = null, used_by = null where id = p_token_id and used_by is null $$;

-- Bind the new agent user to its host and token (service role only).
create function public.attach_agent_user(p_token_id uuid, p_user_id uuid)
returns void
language sql security definer set search_path = ''
as $$
  update public.enrollment_tokens set used_by = p_user_id where id = p_token_id;
  update public.hosts h set agent_user_id = p_user_id
  from public.enrollment_tokens t where t.id = p_token_id and h.id = t.host_id;
$$;

-- create_host and create_enrollment_token run as the caller (security invoker) and call it; it checks
-- that the caller is an admin itself. Anon has no use for it.
revoke all on function private.new_enrollment_token(uuid, interval) from public, anon;
grant execute on function private.new_enrollment_token(uuid, interval) to authenticated, service_role;
-- Security invoker: RLS and new_enrollment_token's check decide; signed-in callers only (anon has no team).
grant execute on function public.create_enrollment_token(uuid, interval), public.create_host(uuid, text, jsonb, text)
  to authenticated, service_role;
revoke all on function public.claim_enrollment_token(text), public.release_enrollment_token(uuid),
  public.attach_agent_user(uuid, uuid) from public, anon, authenticated;
grant execute on function public.claim_enrollment_token(text), public.release_enrollment_token(uuid),
  public.attach_agent_user(uuid, uuid) to service_role;

-- RLS -----------------------------------------------------------------------------------------
alter table public.hosts enable row level security;
alter table public.enrollment_tokens enable row level security;

create policy "Members can read their team's hosts" on public.hosts
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Agents can read their own host" on public.hosts
  for select to authenticated using (id = (select private.agent_host_id()));
create policy "Admins can add hosts" on public.hosts
  for insert to authenticated with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can change hosts" on public.hosts
  for update to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]))
  with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can remove hosts" on public.hosts
  for delete to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));

-- Tokens are created through create_host/create_enrollment_token only; admins may list and revoke them.
create policy "Admins can read their team's enrollment tokens" on public.enrollment_tokens
  for select to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can revoke enrollment tokens" on public.enrollment_tokens
  for delete to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));

-- Admins change what a person edits about a host: its name, slug, labels and sample interval.
-- agent_user_id (written by attach_agent_user at enrollment), last_seen_at (the ingest triggers),
-- id and created_at are not theirs to set, nor team_id once the host exists: an admin able to point
-- agent_user_id at any user's id and re-enroll the host would have enroll-agent delete that user
-- with the service key. Column privileges are checked before RLS, so a PATCH or POST naming another
-- column fails with 42501 (PostgREST: 403 "permission denied for table hosts").
grant select, delete on public.hosts to authenticated;
grant insert (team_id, name, slug, labels, sample_interval_s) on public.hosts to authenticated;
grant update (name, slug, labels, sample_interval_s) on public.hosts to authenticated;
grant select, delete on public.enrollment_tokens to authenticated;
grant all on public.hosts, public.enrollment_tokens to service_role;

-- Enrollment rate limit --------------------------------------------------------------------------
-- Enrollment attempts per client address in fixed windows, so enrollment tokens cannot be guessed
-- at speed. enroll-agent takes one attempt before every token lookup and gives it back when the
-- enrollment succeeds (supabase/functions/enroll-agent/rate-limit.ts says why and which limits).
-- Kept in Postgres so the limit holds hosted, across function instances, without another service.

create table private.enrollment_attempts (
  -- An IPv4 address, an IPv6 /64, or 'unknown' (see enroll-agent/client-address.ts).
  address text not null constraint enrollment_attempts_address_length check (char_length(address) between 1 and 100),
  window_start timestamptz not null,
  attempts integer not null default 0,
  primary key (address, window_start)
);
comment on table private.enrollment_attempts is 'Enrollment attempts per client address and window (service role only, through take_enrollment_attempt).';
create index enrollment_attempts_window_start_idx on private.enrollment_attempts (window_start);
revoke all on private.enrollment_attempts from public, anon, authenticated;

-- Counts one attempt (atomically: parallel guesses each get their own number) and says whether it is
-- within p_limit. Windows that have ended are removed on the way: nothing reads them again.
create function public.take_enrollment_attempt(p_address text, p_limit integer, p_window_seconds integer)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_window timestamptz;
  v_attempts integer;
begin
  if p_address is null or char_length(p_address) not between 1 and 100 then
    raise exception 'Cannot count the enrollment attempt: p_address must be 1..100 characters' using errcode = '22023';
  end if;
  if p_limit is null or p_limit not between 1 and 100000 or p_window_seconds is null or p_window_seconds not between 1 and 86400 then
    raise exception 'Cannot count the enrollment attempt: p_limit must be 1..100000 and p_window_seconds 1..86400' using errcode = '22023';
  end if;
  v_window := to_timestamp(floor(extract(epoch from now()) / p_window_seconds) * p_window_seconds);
  delete from private.enrollment_attempts a where a.window_start < v_window;
  insert into private.enrollment_attempts as a (address, window_start, attempts) values (p_address, v_window, 1)
  on conflict (address, window_start) do update set attempts = a.attempts + 1
  returning a.attempts into v_attempts;
  return jsonb_build_object(
    'allowed', v_attempts <= p_limit,
    'attempts', v_attempts,
    'window_start', v_window,
    'retry_after', greatest(1, ceil(extract(epoch from v_window + make_interval(secs => p_window_seconds) - now())))::integer
  );
end
$$;
comment on function public.take_enrollment_attempt(text, integer, integer) is
  'enroll-agent only (service role): counts one enrollment attempt of a client address; {allowed, attempts, window_start, retry_after}.';

-- Gives back the attempt of an enrollment that succeeded: only failures use up the limit.
create function public.refund_enrollment_attempt(p_address text, p_window_start timestamptz)
returns void
language sql security definer set search_path = ''
as $$
  update private.enrollment_attempts a set attempts = greatest(a.attempts - 1, 0)
  where a.address = p_address and a.window_start = p_window_start
$$;
comment on function public.refund_enrollment_attempt(text, timestamptz) is
  'enroll-agent only (service role): returns the attempt of a successful enrollment.';

revoke all on function public.take_enrollment_attempt(text, integer, integer), public.refund_enrollment_attempt(text, timestamptz)
  from public, anon, authenticated;
grant execute on function public.take_enrollment_attempt(text, integer, integer), public.refund_enrollment_attempt(text, timestamptz)
  to service_role;
