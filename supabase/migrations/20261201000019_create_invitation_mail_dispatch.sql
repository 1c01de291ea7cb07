-- Invitation emails go out through dispatch-notifications, like alerts: create_invitation queues a row in
-- private.invitation_mails when the team has an enabled email channel; pg_net wakes the function after
-- commit ({"reason": "invitation"}), pg_cron retries every minute. The function claims rows (with the
-- raw link token, the only time it leaves the database), sends one mail each through the channel's email
-- API (sender and key from channel_secrets, recipient the invitee) and settles them; settling wipes the
-- token. Mails of invitations that closed meanwhile are cancelled, never sent.

create function public.claim_invitation_mails(p_limit integer default 50, p_lease_seconds integer default 120)
returns table (
  mail_id bigint, invitation_id uuid, team_id uuid, team_name text, email text, role text, invited_by_email text,
  expires_at timestamptz, token text, attempts integer, channel_id uuid, channel_name text, channel_enabled boolean, config jsonb
)
language plpgsql security definer set search_path = ''
as $$
#variable_conflict use_column
begin
  if p_limit not between 1 and 1000 or p_lease_seconds not between 10 and 3600 then
    raise exception 'Cannot claim invitation mails: p_limit must be 1..1000 and p_lease_seconds 10..3600' using errcode = '22023';
  end if;
  update private.invitation_mails m set status = 'cancelled', link_token = null
  from public.team_invitations i
  where i.id = m.invitation_id and m.status in ('pending', 'sending')
    and (i.accepted_at is not null or i.declined_at is not null or i.revoked_at is not null or i.expires_at <= now());
  return query
  with due as (
    select m.id from private.invitation_mails m
    where m.status in ('pending', 'sending') and m.next_attempt_at <= now()
    order by m.next_attempt_at, m.id
    limit p_limit
    for update skip locked
  ),
  claimed as (
    update private.invitation_mails m
    set status = 'sending', next_attempt_at = now() + make_interval(secs => p_lease_seconds)
    from due where m.id = due.id
    returning m.*
  )
  select c.id, i.id, i.team_id, t.name, i.email, i.role::text, u.email::text, i.expires_at, c.link_token, c.attempts,
    ch.id, ch.name, ch.enabled, coalesce(cs.config, '{}'::jsonb)
  from claimed c
  join public.team_invitations i on i.id = c.invitation_id
  join public.teams t on t.id = i.team_id
  join public.channels ch on ch.id = c.channel_id
  left join public.channel_secrets cs on cs.channel_id = c.channel_id
  left join auth.users u on u.id = i.invited_by
  order by c.id;
end
$$;
comment on function public.claim_invitation_mails(integer, integer) is
  'Dispatcher only: leases due invitation mails (skip locked) with the link token, invitation and channel config.';

-- p_error null = sent; otherwise retried after min(30 s * 2^(attempts-1), 1 h), or failed after
-- p_max_attempts attempts (or at once when p_permanent). Sent and failed rows lose their token.
create function public.settle_invitation_mails(
  p_ids bigint[], p_error text default null, p_max_attempts integer default 8, p_permanent boolean default false
)
returns table (id bigint, status text, attempts integer)
language plpgsql security definer set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
  with settled as (
    update private.invitation_mails m set
      attempts = m.attempts + 1,
      status = case
        when p_error is null then 'sent'
        when p_permanent or m.attempts + 1 >= greatest(p_max_attempts, 1) then 'failed'
        else 'pending' end,
      sent_at = case when p_error is null then now() else m.sent_at end,
      last_error = case when p_error is null then null else left(p_error, 2000) end,
      link_token = case
        when p_error is null or p_permanent or m.attempts + 1 >= greatest(p_max_attempts, 1) then null
        else m.link_token end,
      next_attempt_at = case
        when p_error is null or p_permanent or m.attempts + 1 >= greatest(p_max_attempts, 1) then m.next_attempt_at
        else now() + least(interval '30 seconds' * power(2, m.attempts), interval '1 hour') end
    where m.id = any (p_ids) and m.status = 'sending'
    returning m.id, m.invitation_id, m.status, m.attempts, m.last_error
  ),
  shown as (
    update public.team_invitations i
    set mail_status = case s.status when 'pending' then 'queued' else s.status end, mail_error = s.last_error
    from settled s where i.id = s.invitation_id
  )
  select s.id, s.status, s.attempts from settled s;
end
$$;
comment on function public.settle_invitation_mails(bigint[], text, integer, boolean) is
  'Dispatcher only: marks claimed invitation mails sent, retried with backoff, or failed; wipes the token when done.';

revoke all on function public.claim_invitation_mails(integer, integer),
  public.settle_invitation_mails(bigint[], text, integer, boolean) from public, anon, authenticated;
grant execute on function public.claim_invitation_mails(integer, integer),
  public.settle_invitation_mails(bigint[], text, integer, boolean) to service_role;

create function private.on_invitation_mails_inserted() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.invoke_edge_function('dispatch-notifications', '{"reason": "invitation"}');
  return null;
end
$$;
create trigger invitation_mails_dispatch_after_insert after insert on private.invitation_mails
  for each statement execute function private.on_invitation_mails_inserted();
revoke all on function private.on_invitation_mails_inserted() from public, anon, authenticated;

do $$
begin
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('vibe-dispatch-invitations', '* * * * *',
      $job$select private.invoke_edge_function('dispatch-notifications', '{"reason": "invitation"}')
           where exists (select 1 from private.invitation_mails
                         where status in ('pending', 'sending') and next_attempt_at <= now())$job$);
  end if;
end
$$;
