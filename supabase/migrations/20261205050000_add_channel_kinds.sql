-- Channels that work from the dashboard: Microsoft Teams (workflow webhook), Telegram, PagerDuty and ntfy
-- beside email (now through Resend, Postmark, SendGrid or Mailgun), Slack, Discord and webhooks; and secrets
-- that never go back to the browser: API roles can no longer read channel_secrets.config (column grants); the
-- channel form reads channel_settings (settings in clear, secrets only by name) and writes set_channel_config
-- (merge: a key replaces, null removes, absent keeps). Admins still insert, update and delete rows directly.

alter table public.channels drop constraint channels_kind_known;
alter table public.channels add constraint channels_kind_known
  check (kind in ('email', 'slack', 'discord', 'webhook', 'teams', 'telegram', 'pagerduty', 'ntfy'));

comment on column public.channel_secrets.config is
  'Per kind (supabase/README.md): email {to, from, api_key, provider, region, domain}; slack/discord/teams {url}; '
  'webhook {url, secret, headers}; telegram {bot_token, chat_id}; pagerduty {routing_key, region}; ntfy {server, topic, token}.';

-- Owners and admins keep insert/update/delete (RLS); reading is limited to the columns that hold no secret.
revoke select on public.channel_secrets from authenticated;
grant select (channel_id, team_id, updated_at) on public.channel_secrets to authenticated;

-- The setting names that are secrets: the dashboard sees only whether they are set.
create function private.channel_secret_keys() returns text[]
language sql immutable set search_path = ''
as $$ select array['url', 'api_key', 'secret', 'headers', 'bot_token', 'routing_key', 'token']::text[] $$;
comment on function private.channel_secret_keys() is 'Channel settings that are secrets (webhook URLs hold tokens too).';
revoke all on function private.channel_secret_keys() from public, anon, authenticated;
grant execute on function private.channel_secret_keys() to service_role;

create function public.channel_settings(p_team_id uuid)
returns table (channel_id uuid, settings jsonb, secrets_set text[])
language sql stable security definer set search_path = ''
as $$
  -- Security definer (the caller cannot read config): only the caller's admin teams, and never a secret value.
  select s.channel_id,
    s.config - (select private.channel_secret_keys()),
    array(
      select k from jsonb_each(s.config) e (k, v)
      where k = any (private.channel_secret_keys()) and v not in ('null'::jsonb, '""'::jsonb)
      order by k
    )
  from public.channel_secrets s
  where s.team_id = p_team_id and p_team_id = any ((select private.admin_team_ids())::uuid[])
  order by s.channel_id;
$$;
comment on function public.channel_settings(uuid) is
  'Owners and admins: each channel''s settings with secrets removed, and the names of the secrets that are set.';
revoke all on function public.channel_settings(uuid) from public, anon;
grant execute on function public.channel_settings(uuid) to authenticated, service_role;

create function public.set_channel_config(p_channel_id uuid, p_config jsonb)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_team uuid;
begin
  if p_config is null or jsonb_typeof(p_config) <> 'object' then
    raise exception 'Cannot save the channel settings: send a JSON object, e.g. {"url": "https://…"}'
      using errcode = '22023';
  end if;
  select c.team_id into v_team from public.channels c
  where c.id = p_channel_id and c.team_id = any ((select private.member_team_ids())::uuid[]);
  if v_team is null then
    raise exception 'Cannot save the channel settings: no channel % in your teams', p_channel_id
      using errcode = 'P0002';
  end if;
  if not (v_team = any ((select private.admin_team_ids())::uuid[])) then
    raise exception 'Cannot save the channel settings: only owners and admins of the channel''s team can'
      using errcode = '42501';
  end if;
  -- A key replaces, a null removes, an absent key keeps its value (so a secret is replaced only when re-entered).
  insert into public.channel_secrets as s (channel_id, team_id, config, updated_at)
  values (p_channel_id, v_team, jsonb_strip_nulls(p_config), now())
  on conflict (channel_id) do update set config = jsonb_strip_nulls(s.config || p_config), updated_at = now();
end
$$;
comment on function public.set_channel_config(uuid, jsonb) is
  'Owners and admins: merges settings into a channel''s secrets (a key replaces, null removes, absent keeps).';
revoke all on function public.set_channel_config(uuid, jsonb) from public, anon;
grant execute on function public.set_channel_config(uuid, jsonb) to authenticated, service_role;
